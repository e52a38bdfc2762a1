import { isObject, jsonObjectLine, type Json } from '../core/json.js';
import type { JobProgress } from '../core/events.js';
import { describeToolUse } from '../core/transcript.js';

export { describeToolUse };
import { claudeWire } from './channel.js';
import { retryAfterIn, type AgentAdapter, type AgentExit, type AgentResult, type AttemptRequest, type OutputParser } from './agent.js';

/** The claude adapter's settings (config `claude.*`). */
export interface ClaudeSettings {
  binary: string;
  defaultArgs: readonly string[];
  allowedTools: readonly string[];
  disallowedTools: readonly string[];
  /** The user's environment: CLAUDE_CODE_MAX_RETRIES is lowered only when unset there. */
  env: Readonly<Record<string, string | undefined>>;
  /** The two-way channel (DESIGN §14); false: the one-shot `-p` form. */
  channel: boolean;
}

/** Lines longer than this are not parsed unless they are the result: progress never needs them. */
const MAX_PARSED_LINE = 1024 * 1024;
/** Plain assistant text is read at most this often: the UI shows only the latest, and parsing every line of a chatty agent costs more than the rest of par. */
const TEXT_SAMPLE_MS = 100;
// Byte needles, so a line is searched without being decoded.
const ASSISTANT_PREFIX = Buffer.from('{"type":"assistant"');
const TOOL_USE = Buffer.from('"tool_use"');
const RESULT_TYPE = Buffer.from('"type":"result"');
const SYSTEM_TYPE = Buffer.from('"type":"system"');
const USER_TYPE = Buffer.from('"type":"user"');
const CONTROL = Buffer.from('"control_');
const RATE_LIMIT = Buffer.from('rate_limit_event');
/** par owns retries and shows them; claude's own are kept few (DESIGN §3). */
const CLAUDE_RETRIES = '2';

/** Retryable causes of DESIGN §3: 429, 5xx, 529, or a connection error. */
export function isRetryable(status: number | null | undefined, text: string | null | undefined): boolean {
  if (typeof status === 'number') return status === 429 || (status >= 500 && status <= 599);
  if (!text) return false;
  if (/\b(400|401|403|404)\b/.test(text) && /API Error/i.test(text)) return false;
  return /API Error:? ?(429|5\d\d)\b/i.test(text) || /overloaded|rate.?limit|ECONNRESET|ECONNREFUSED|ETIMEDOUT|socket hang up|Connection error|fetch failed/i.test(text);
}


/** Reads claude's stream-json (DESIGN §3); unknown line types are ignored. */
export class ClaudeStreamParser implements OutputParser {
  readonly #cwd: string;
  #result: Json | undefined;
  #turnIds = new Set<string>();
  #toolUses = 0;
  #toolErrors = 0;
  #sessionId: string | null = null;
  #lastText: string | null = null;
  #plan: string | null = null;
  /** Turns of the results before the latest (a conversation has one result per user message). */
  #resultTurns = 0;
  #limit: { resetsAt: number | null; type: string | null } | null = null;
  readonly #deniedCalls = new Map<string, { tool: string; toolUseId: string; input: Record<string, unknown> }>();

  constructor(cwd: string) {
    this.#cwd = cwd;
  }

  #lastTextParse = 0;

  skip(line: Buffer): boolean {
    if (line[0] !== 0x7b) return true;
    if (line.length > MAX_PARSED_LINE) return !line.includes(RESULT_TYPE);
    const assistant = line.length >= ASSISTANT_PREFIX.length && line.compare(ASSISTANT_PREFIX, 0, ASSISTANT_PREFIX.length, 0, ASSISTANT_PREFIX.length) === 0;
    if (assistant && !line.includes(TOOL_USE)) {
      // Only the latest text matters: sample it rather than decode and parse every line.
      const now = performance.now();
      if (now - this.#lastTextParse < TEXT_SAMPLE_MS) return true;
      this.#lastTextParse = now;
    }
    return false;
  }

  skipRegion(lines: Buffer): boolean {
    // Within the text sampling window, a run of lines holding no tool call, result, system or
    // user line holds nothing to read: the whole run is passed over with four native searches.
    if (performance.now() - this.#lastTextParse >= TEXT_SAMPLE_MS) return false;
    return !lines.includes(TOOL_USE) && !lines.includes(RESULT_TYPE) && !lines.includes(SYSTEM_TYPE) && !lines.includes(USER_TYPE) && !lines.includes(CONTROL) && !lines.includes(RATE_LIMIT);
  }

  line(text: string): JobProgress | undefined {
    if (text.length > MAX_PARSED_LINE && !text.includes('"type":"result"')) return undefined;
    const message = jsonObjectLine(text);
    if (!message) return undefined;
    if (typeof message.session_id === 'string') this.#sessionId = message.session_id;
    switch (message.type) {
      case 'system':
        return this.#system(message);
      case 'assistant':
        return this.#assistant(message);
      case 'user':
        return this.#user(message);
      case 'rate_limit_event':
        return this.#rateLimit(message);
      case 'result': {
        this.#result = message;
        // Each turn of a conversation has its own result: its turns are added up; the cost is cumulative already.
        this.#resultTurns += typeof message.num_turns === 'number' ? message.num_turns : this.#turnIds.size;
        this.#turnIds.clear();
        for (const denial of Array.isArray(message.permission_denials) ? message.permission_denials : []) {
          if (!isObject(denial) || typeof denial.tool_use_id !== 'string' || typeof denial.tool_name !== 'string') continue;
          this.#deniedCalls.set(denial.tool_use_id, { tool: denial.tool_name, toolUseId: denial.tool_use_id, input: isObject(denial.tool_input) ? denial.tool_input : {} });
        }
        const limitText = typeof message.result === 'string' && message.is_error === true ? limitInText(message.result) : null;
        if (limitText && !this.#limit) this.#limit = limitText;
        return {
          turns: this.#resultTurns,
          ...(typeof message.total_cost_usd === 'number' ? { cost_usd: message.total_cost_usd } : {}),
          ...tokensOf(message.usage),
          retry: null,
        };
      }
      default:
        return undefined;
    }
  }

  #rateLimit(message: Json): JobProgress | undefined {
    const info = isObject(message.rate_limit_info) ? message.rate_limit_info : {};
    if (info.status === 'rejected') this.#limit = { resetsAt: typeof info.resetsAt === 'number' ? info.resetsAt : null, type: typeof info.rateLimitType === 'string' ? info.rateLimitType : null };
    return undefined;
  }

  /** Turns so far: those of finished results and of the turn going on. */
  #turns(): number {
    return this.#resultTurns + this.#turnIds.size;
  }

  #system(message: Json): JobProgress | undefined {
    if (message.subtype === 'init') {
      return {
        ...(typeof message.model === 'string' ? { model: message.model } : {}),
        ...(this.#sessionId ? { session_id: this.#sessionId } : {}),
        activity: 'starting',
      };
    }
    if (message.subtype === 'api_retry') {
      const attempt = typeof message.attempt === 'number' ? message.attempt : '?';
      const max = typeof message.max_retries === 'number' ? message.max_retries : '?';
      return { retry: `retrying (${attempt}/${max})` };
    }
    return undefined;
  }

  #assistant(message: Json): JobProgress | undefined {
    const body = isObject(message.message) ? message.message : {};
    if (typeof body.id === 'string') this.#turnIds.add(body.id);
    const content = Array.isArray(body.content) ? body.content : [];
    const progress: JobProgress = { turns: this.#turns(), retry: null };
    for (const block of content) {
      if (!isObject(block)) continue;
      if (block.type === 'text' && typeof block.text === 'string' && block.text.trim() !== '') {
        this.#lastText = block.text.trim();
        progress.last_message = (this.#lastText.split('\n')[0] ?? '').slice(0, 200);
      } else if (block.type === 'tool_use' && typeof block.name === 'string') {
        // In plan mode the plan comes as ExitPlanMode's input.
        if (block.name === 'ExitPlanMode' && isObject(block.input) && typeof block.input.plan === 'string') this.#plan = block.input.plan;
        this.#toolUses++;
        progress.activity = describeToolUse(block.name, isObject(block.input) ? block.input : {}, this.#cwd);
      }
    }
    progress.tool_uses = this.#toolUses;
    return progress;
  }

  #user(message: Json): JobProgress | undefined {
    const body = isObject(message.message) ? message.message : {};
    const content = Array.isArray(body.content) ? body.content : [];
    let errors = 0;
    for (const block of content) if (isObject(block) && block.type === 'tool_result' && block.is_error === true) errors++;
    if (errors === 0) return undefined;
    this.#toolErrors += errors;
    return { tool_errors: this.#toolErrors };
  }

  finish(exit: AgentExit): AgentResult {
    const result = this.#result;
    if (!result) {
      const how = exit.signal ? `was stopped by ${exit.signal}` : `exited with code ${exit.exitCode ?? '?'}`;
      const error = exit.stoppedByPar ? null : exit.stderrTail || `the agent ${how} without a result`;
      return {
        state: 'failed',
        exit_code: exit.exitCode,
        signal: exit.signal,
        error,
        result: null,
        denials: [],
        session_id: this.#sessionId,
        cost_usd: null,
        turns: this.#turns(),
        tokens: null,
        retryable: isRetryable(null, exit.stderrTail),
        retryAfterMs: retryAfterIn(exit.stderrTail),
        limit: this.#limit,
      };
    }
    const resultText = typeof result.result === 'string' ? result.result : null;
    const errors = Array.isArray(result.errors) ? result.errors.filter((item): item is string => typeof item === 'string') : [];
    const isError = result.is_error === true || (typeof result.subtype === 'string' && result.subtype.startsWith('error'));
    // ExitPlanMode is refused by design in a headless planning run: it is how the plan is handed over, not a denial.
    const denials = Array.isArray(result.permission_denials)
      ? result.permission_denials.map((denial) => (isObject(denial) && typeof denial.tool_name === 'string' ? denial.tool_name : 'unknown')).filter((tool) => tool !== 'ExitPlanMode')
      : [];
    const status = typeof result.api_error_status === 'number' ? result.api_error_status : null;
    const error = isError ? resultText || errors.join('; ') || String(result.subtype ?? 'error') : null;
    return {
      state: isError ? 'failed' : 'succeeded',
      exit_code: exit.exitCode,
      signal: exit.signal,
      error,
      result: isError ? null : resultText,
      denials,
      session_id: typeof result.session_id === 'string' ? result.session_id : this.#sessionId,
      cost_usd: typeof result.total_cost_usd === 'number' ? result.total_cost_usd : null,
      turns: this.#turns(),
      tokens: tokensOf(result.usage).tokens ?? null,
      // A usage limit is waited out, never retried (DESIGN §14).
      retryable: isError && this.#limit === null && isRetryable(status, error),
      retryAfterMs: retryAfterIn(`${error ?? ''} ${exit.stderrTail}`),
      plan: this.#plan ?? resultText,
      limit: isError ? this.#limit : null,
      deniedCalls: [...this.#deniedCalls.values()],
    };
  }
}

/** `You've hit your session limit · resets 8:18pm (UTC)`: a limit, its reset the next such time (in an hour when it cannot be read). */
export function limitInText(text: string, now = Date.now()): { resetsAt: number; type: string | null } | null {
  if (!/hit your .*limit|usage limit reached/i.test(text)) return null;
  const match = /resets (?:at )?(\d{1,2})(?::(\d{2}))?\s*(am|pm)?/i.exec(text);
  if (!match) return { resetsAt: Math.floor(now / 1000) + 3600, type: null };
  let hour = Number(match[1]) % 12;
  if ((match[3] ?? '').toLowerCase() === 'pm') hour += 12;
  else if (!match[3]) hour = Number(match[1]);
  const reset = new Date(now);
  reset.setUTCHours(hour, Number(match[2] ?? 0), 0, 0);
  if (reset.getTime() <= now) reset.setUTCDate(reset.getUTCDate() + 1);
  return { resetsAt: Math.floor(reset.getTime() / 1000), type: null };
}

function tokensOf(usage: unknown): { tokens?: number } {
  if (!isObject(usage)) return {};
  let total = 0;
  for (const key of ['input_tokens', 'output_tokens', 'cache_creation_input_tokens', 'cache_read_input_tokens']) {
    const value = usage[key];
    if (typeof value === 'number') total += value;
  }
  return { tokens: total };
}

/** Tools a planning attempt may not use: it must leave the worktree as it found it. */
const PLAN_DISALLOWED = ['Edit', 'Write', 'NotebookEdit'];

/** The claude adapter (DESIGN §3). */
export function claudeAdapter(settings: ClaudeSettings): AgentAdapter {
  return {
    name: 'claude',
    binary: settings.binary,
    invocation(request: AttemptRequest) {
      const argv = [settings.binary, '-p', '--output-format', 'stream-json', '--verbose'];
      // The two-way channel: the prompt is the first user message on a stdin par holds (DESIGN §14).
      if (settings.channel) argv.push('--input-format', 'stream-json', '--permission-prompt-tool', 'stdio', '--replay-user-messages');
      // Planning reads and explores but edits nothing (DESIGN §3).
      const mode = request.plan ? 'plan' : request.permissionMode;
      if (mode) argv.push('--permission-mode', mode);
      // A continuation passes --resume alone, never with --session-id.
      if (request.resumeSessionId) argv.push('--resume', request.resumeSessionId);
      else argv.push('--session-id', request.sessionId);
      if (request.model) argv.push('--model', request.model);
      if (request.maxBudgetUsd) argv.push('--max-budget-usd', request.maxBudgetUsd.toFixed(4));
      for (const tool of settings.allowedTools) argv.push('--allowedTools', tool);
      for (const tool of [...settings.disallowedTools, ...(request.denyRules ?? []), ...(request.plan ? PLAN_DISALLOWED : [])]) argv.push('--disallowedTools', tool);
      argv.push(...settings.defaultArgs);
      const env: Record<string, string> = {};
      if (settings.env.CLAUDE_CODE_MAX_RETRIES === undefined) env.CLAUDE_CODE_MAX_RETRIES = CLAUDE_RETRIES;
      return {
        argv,
        env,
        // claude refuses to start inside another claude session.
        unsetEnv: ['CLAUDECODE'],
        stdin: request.prompt,
        channel: settings.channel,
        sessionId: request.resumeSessionId ?? request.sessionId,
      };
    },
    parser: (cwd) => new ClaudeStreamParser(cwd),
    ...(settings.channel ? { wire: claudeWire } : {}),
  };
}

