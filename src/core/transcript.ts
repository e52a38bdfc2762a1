import type { RunEvent } from './events.js';
import { isObject, type Json } from './json.js';
/** `Edit src/app.ts`, `Bash npm test`: what a tool call is doing, on one line. */
export function describeToolUse(name: string, input: Record<string, unknown>, cwd: string): string {
  const firstLine = (value: unknown): string => (typeof value === 'string' ? (value.split('\n')[0] ?? '').slice(0, 120) : '');
  const shortPath = (path: unknown): string => {
    if (typeof path !== 'string') return '';
    return cwd !== '' && path.startsWith(`${cwd}/`) ? path.slice(cwd.length + 1) : path;
  };
  switch (name) {
    case 'Edit':
    case 'Write':
    case 'Read':
    case 'MultiEdit':
      return `${name} ${shortPath(input.file_path)}`.trim();
    case 'NotebookEdit':
      return `${name} ${shortPath(input.notebook_path)}`.trim();
    case 'Bash':
      return `Bash ${firstLine(input.command)}`.trim();
    case 'Grep':
    case 'Glob':
      return `${name} ${firstLine(input.pattern)}`.trim();
    case 'WebFetch':
      return `WebFetch ${firstLine(input.url)}`.trim();
    case 'WebSearch':
      return `WebSearch ${firstLine(input.query)}`.trim();
    case 'Task':
    case 'Agent':
      return `Agent ${firstLine(input.description)}`.trim();
    default:
      return name;
  }
}


/** Tool results are folded to their first line and a count of the rest. */
function fold(content: unknown): string {
  const text = typeof content === 'string' ? content : Array.isArray(content) ? content.map((part) => (isObject(part) && typeof part.text === 'string' ? part.text : '')).join('\n') : '';
  const lines = text.trim().split('\n');
  const first = (lines[0] ?? '').slice(0, 160);
  return lines.length > 1 ? `${first} … (+${lines.length - 1} lines)` : first;
}

/** A decision or message from the journal, as the log pane shows it after the request it answers; null for what the transcript already shows. */
export function journalLine(event: RunEvent): string | null {
  const who = (by: string, via?: string, rule?: string | null): string => (by === 'person' ? `by you (${via ?? 'cli'})` : `by ${by}${rule ? `: ${rule}` : ''}`);
  switch (event.type) {
    case 'job/permission':
      return `  ${event.decision === 'allow' ? '✓ allowed' : '✗ denied'} ${who(event.by, event.via, event.rule)}${event.decision === 'deny' && event.by === 'person' && event.message ? ` — ${event.message}` : ''}`;
    case 'job/answered':
      return event.kind === 'question' ? `  ✓ answered "${event.answer}" ${who(event.by, event.via)}` : null;
    case 'job/message':
      return event.queued ? `› (for the next turn) ${event.text.split('\n')[0] ?? ''}` : null;
    default:
      return null;
  }
}

/** The request id of a `control_request` line of an agent's output (a permission request, a question), read without parsing the line. */
export function controlRequestId(line: string): string | undefined {
  return line.startsWith('{"type":"control_request"') ? /"request_id":"([^"]+)"/.exec(line)?.[1] : undefined;
}

/** A message to the agent, as the transcript shows it: `› ` before each line. */
function messageLines(text: string): string[] {
  if (text.startsWith('[Request interrupted')) return ['‖ interrupted'];
  const lines = text.trimEnd().split('\n');
  return lines.slice(0, 6).map((line) => `› ${line}`).concat(lines.length > 6 ? [`› … (+${lines.length - 6} lines)`] : []);
}

/**
 * Turns one line of an agent's output into readable lines: assistant text as
 * it is, tool calls as `● Edit src/app.ts`, tool results folded under them,
 * the result at the end. Lines that are not stream-json pass through.
 */
export function transcriptLines(line: string, cwd = ''): string[] {
  if (!line.startsWith('{')) return line.trim() === '' ? [] : [line];
  let message: Json;
  try {
    const parsed: unknown = JSON.parse(line);
    if (!isObject(parsed)) return [line];
    message = parsed;
  } catch {
    return [line];
  }
  const body = isObject(message.message) ? message.message : {};
  const content = Array.isArray(body.content) ? body.content : [];
  switch (message.type) {
    case 'system':
      if (message.subtype === 'init') return [`· session ${String(message.session_id ?? '')} · ${String(message.model ?? '')}`];
      if (message.subtype === 'api_retry') return [`· API retry ${String(message.attempt ?? '?')}/${String(message.max_retries ?? '?')}`];
      return [];
    case 'assistant': {
      const out: string[] = [];
      for (const block of content) {
        if (!isObject(block)) continue;
        if (block.type === 'text' && typeof block.text === 'string') out.push(...block.text.trimEnd().split('\n'));
        if (block.type === 'tool_use' && typeof block.name === 'string') out.push(`● ${describeToolUse(block.name, isObject(block.input) ? block.input : {}, cwd)}`);
      }
      return out;
    }
    case 'user': {
      const out: string[] = [];
      for (const block of content) {
        if (isObject(block) && block.type === 'tool_result') out.push(`  ⎿ ${block.is_error === true ? 'error: ' : ''}${fold(block.content)}`);
        // A message par sent, echoed back by the agent (the prompt, a follow-up, an interrupt's mark).
        if (isObject(block) && block.type === 'text' && typeof block.text === 'string') out.push(...messageLines(block.text));
      }
      return out;
    }
    case 'control_request': {
      const request = isObject(message.request) ? message.request : {};
      if (request.subtype !== 'can_use_tool') return [];
      const input = isObject(request.input) ? request.input : {};
      const tool = typeof request.tool_name === 'string' ? request.tool_name : 'a tool';
      if (tool === 'AskUserQuestion') {
        const questions = Array.isArray(input.questions) ? input.questions.filter(isObject) : [];
        return questions.map((question) => `◉ asks: ${String(question.question ?? '')} [${(Array.isArray(question.options) ? question.options : []).filter(isObject).map((option, index) => `${index + 1}. ${String(option.label ?? '')}`).join('  ')}]`);
      }
      return [`◉ asks to use ${describeToolUse(tool, input, cwd)}`];
    }
    case 'rate_limit_event': {
      const info = isObject(message.rate_limit_info) ? message.rate_limit_info : {};
      if (info.status === 'allowed') return [];
      const reset = typeof info.resetsAt === 'number' ? `, resets ${new Date(info.resetsAt * 1000).toISOString().slice(11, 16)} UTC` : '';
      return [`‖ usage ${info.status === 'rejected' ? 'limit reached' : 'close to its limit'}${reset}`];
    }
    case 'result': {
      const cost = typeof message.total_cost_usd === 'number' ? `, $${message.total_cost_usd.toFixed(4)}` : '';
      const turns = typeof message.num_turns === 'number' ? `${message.num_turns} turns` : '';
      if (message.is_error === true) {
        const errors = Array.isArray(message.errors) ? message.errors.join('; ') : '';
        return [`✗ ${typeof message.result === 'string' ? message.result : errors || String(message.subtype)} (${turns}${cost})`];
      }
      return [`✓ done (${turns}${cost})`];
    }
    default:
      return [];
  }
}
