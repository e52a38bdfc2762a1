// The two-way channel's wire format (DESIGN §14): Claude Code's stream-json
// input on the agent's stdin, control requests and responses both ways.
// Checked against the real CLI (test/e2e/claude-talk.test.ts). Pure.

import { isObject, jsonObjectLine } from '../core/json.js';

/** What par reads from the agent's stdout that the conversation acts on. */
export type ChannelEvent =
  /** The agent asks the host: `can_use_tool` (a permission or a question), or a subtype par does not know. */
  | { kind: 'request'; requestId: string; subtype: string; tool: string; input: Record<string, unknown>; toolUseId: string | null; suggestions: string[] }
  /** A turn ended. */
  | { kind: 'result'; isError: boolean; subtype: string; text: string | null }
  /** The subscription's usage window: `allowed`, `allowed_warning` or `rejected`. */
  | { kind: 'usage'; status: string; resetsAt: number | null; limitType: string | null }
  /** The agent answered a request of par's (an interrupt). */
  | { kind: 'response'; requestId: string; ok: boolean };

/** How par speaks to an agent that holds the channel. */
export interface ChannelWire {
  userMessage(text: string): string;
  allow(requestId: string, input: Record<string, unknown>): string;
  deny(requestId: string, message: string): string;
  /** A request par cannot serve (an unknown subtype). */
  error(requestId: string, message: string): string;
  interrupt(requestId: string): string;
  /** Reads a line of the agent's stdout: a channel event, or undefined for anything else. */
  decode(line: string): ChannelEvent | undefined;
  /** A cheap look at a line's bytes: true when `decode` could find something in it. */
  mayHold(line: Buffer): boolean;
}

const line = (value: unknown): string => `${JSON.stringify(value)}\n`;

const NEEDLES = ['"type":"control_request"', '"type":"result"', '"type":"rate_limit_event"', '"type":"control_response"'].map((text) => Buffer.from(text));

/** Rules the CLI suggests for "always allow" (`permission_suggestions`), as rule texts. */
function suggestedRules(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  const rules: string[] = [];
  for (const suggestion of value) {
    if (!isObject(suggestion) || suggestion.behavior !== 'allow' || !Array.isArray(suggestion.rules)) continue;
    for (const rule of suggestion.rules) {
      if (!isObject(rule) || typeof rule.toolName !== 'string') continue;
      rules.push(typeof rule.ruleContent === 'string' && rule.ruleContent !== '' ? `${rule.toolName}(${rule.ruleContent})` : rule.toolName);
    }
  }
  return rules;
}

function decode(text: string): ChannelEvent | undefined {
  const message = jsonObjectLine(text);
  if (!message) return undefined;
  if (message.type === 'control_request' && typeof message.request_id === 'string' && isObject(message.request)) {
    const request = message.request;
    return {
      kind: 'request',
      requestId: message.request_id,
      subtype: typeof request.subtype === 'string' ? request.subtype : '',
      tool: typeof request.tool_name === 'string' ? request.tool_name : '',
      input: isObject(request.input) ? request.input : {},
      toolUseId: typeof request.tool_use_id === 'string' ? request.tool_use_id : null,
      suggestions: suggestedRules(request.permission_suggestions),
    };
  }
  if (message.type === 'result') {
    return {
      kind: 'result',
      isError: message.is_error === true,
      subtype: typeof message.subtype === 'string' ? message.subtype : '',
      text: typeof message.result === 'string' ? message.result : null,
    };
  }
  if (message.type === 'rate_limit_event' && isObject(message.rate_limit_info)) {
    const info = message.rate_limit_info;
    return {
      kind: 'usage',
      status: typeof info.status === 'string' ? info.status : '',
      resetsAt: typeof info.resetsAt === 'number' ? info.resetsAt : null,
      limitType: typeof info.rateLimitType === 'string' ? info.rateLimitType : null,
    };
  }
  if (message.type === 'control_response' && isObject(message.response) && typeof message.response.request_id === 'string') {
    return { kind: 'response', requestId: message.response.request_id, ok: message.response.subtype === 'success' };
  }
  return undefined;
}

/** Claude Code's side of the channel. */
export const claudeWire: ChannelWire = {
  userMessage: (text) => line({ type: 'user', message: { role: 'user', content: [{ type: 'text', text }] }, parent_tool_use_id: null }),
  allow: (requestId, input) => line({ type: 'control_response', response: { subtype: 'success', request_id: requestId, response: { behavior: 'allow', updatedInput: input } } }),
  deny: (requestId, message) => line({ type: 'control_response', response: { subtype: 'success', request_id: requestId, response: { behavior: 'deny', message } } }),
  error: (requestId, message) => line({ type: 'control_response', response: { subtype: 'error', request_id: requestId, error: message } }),
  interrupt: (requestId) => line({ type: 'control_request', request_id: requestId, request: { subtype: 'interrupt' } }),
  decode,
  mayHold: (bytes) => bytes[0] === 0x7b && NEEDLES.some((needle) => bytes.includes(needle)),
};
