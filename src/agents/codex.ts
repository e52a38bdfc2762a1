// OpenAI's Codex CLI as a built-in agent (DESIGN §3): `codex exec --json`,
// whose JSONL events (thread, turn, items) are read into the same progress
// as claude's.
import type { JobProgress } from '../core/events.js';
import { isObject, jsonObjectLine, type Json } from '../core/json.js';
import { isRetryableText, retryAfterIn, shownPath, type AgentAdapter, type AgentExit, type AgentResult, type OutputParser } from './agent.js';

/** How codex is started: its binary and the arguments the user adds (config `agents.codex`). */
export interface BuiltinAgentSettings {
  binary: string;
  args: readonly string[];
  /** `--model` for this agent (a claude model name means nothing to it). */
  model: string | null;
}

/** `/bin/bash -lc "npm test"` → `npm test`: the command as the agent meant it. */
export function shellCommand(command: string): string {
  const wrapped = /^(?:\S*\/)?(?:ba|z)?sh -l?c (["'])([\s\S]*)\1$/.exec(command.trim());
  if (!wrapped) return command;
  const inner = wrapped[2] as string;
  return wrapped[1] === '"' ? inner.replace(/\\(["\\$`])/g, '$1') : inner;
}

/** Reads `codex exec --json`; unknown events and items are ignored. */
export class CodexParser implements OutputParser {
  readonly #cwd: string;
  #threadId: string | null = null;
  #lastMessage: string | null = null;
  #failure: string | null = null;
  #lastError: string | null = null;
  #completed = false;
  #tokens: number | null = null;
  #steps = 0;
  #toolUses = 0;
  #toolErrors = 0;
  readonly #started = new Set<string>();

  constructor(cwd: string) {
    this.#cwd = cwd;
  }

  line(text: string): JobProgress | undefined {
    const event = jsonObjectLine(text);
    if (!event) return undefined;
    switch (event.type) {
      case 'thread.started':
        this.#threadId = typeof event.thread_id === 'string' ? event.thread_id : this.#threadId;
        return this.#threadId ? { session_id: this.#threadId } : undefined;
      case 'turn.started':
        return { activity: 'thinking', retry: null };
      case 'item.started':
      case 'item.completed':
        return isObject(event.item) ? this.#item(event.item, event.type === 'item.completed') : undefined;
      case 'turn.completed': {
        this.#completed = true;
        const usage = isObject(event.usage) ? event.usage : {};
        // The usage is the session's so far, not the turn's.
        const tokens = [usage.input_tokens, usage.output_tokens].reduce<number>((sum, value) => sum + (typeof value === 'number' ? value : 0), 0);
        this.#tokens = tokens;
        return { tokens, retry: null };
      }
      case 'turn.failed': {
        const error = isObject(event.error) && typeof event.error.message === 'string' ? event.error.message : 'the turn failed';
        this.#failure = error;
        return { activity: error.slice(0, 200) };
      }
      case 'error': {
        const message = typeof event.message === 'string' ? event.message : '';
        this.#lastError = message;
        const reconnecting = /Reconnecting\.*\s*(\d+)\/(\d+)/i.exec(message);
        return reconnecting ? { retry: `retrying (${reconnecting[1]}/${reconnecting[2]})` } : undefined;
      }
      default:
        return undefined;
    }
  }

  #item(item: Json, done: boolean): JobProgress | undefined {
    const id = typeof item.id === 'string' ? item.id : '';
    const first = !this.#started.has(id);
    this.#started.add(id);
    switch (item.type) {
      case 'agent_message':
      case 'assistant_message': {
        if (!done || typeof item.text !== 'string') return undefined;
        this.#steps++;
        this.#lastMessage = item.text;
        return { last_message: item.text.slice(0, 2000), turns: this.#steps };
      }
      case 'reasoning':
        return { activity: 'thinking' };
      case 'command_execution': {
        const command = typeof item.command === 'string' ? shellCommand(item.command) : '';
        if (first) this.#countTool();
        if (done && (item.status === 'failed' || item.status === 'declined' || (typeof item.exit_code === 'number' && item.exit_code !== 0))) this.#toolErrors++;
        return this.#progress(`Bash ${command}`);
      }
      case 'file_change': {
        const changes = Array.isArray(item.changes) ? item.changes.filter(isObject) : [];
        const paths = changes.map((change) => (typeof change.path === 'string' ? shownPath(this.#cwd, change.path) : '')).filter(Boolean);
        const verb = changes.every((change) => change.kind === 'add') ? 'Write' : 'Edit';
        if (first) this.#countTool();
        if (done && item.status === 'failed') this.#toolErrors++;
        return this.#progress(`${verb} ${paths.join(', ')}`);
      }
      case 'mcp_tool_call':
        if (first) this.#countTool();
        return this.#progress(`${String(item.server ?? 'mcp')}.${String(item.tool ?? 'tool')}`);
      case 'web_search':
        if (first) this.#countTool();
        return this.#progress(`WebSearch ${typeof item.query === 'string' ? item.query : ''}`.trim());
      case 'error':
        // A warning of codex's own ("Model metadata … not found"): kept in case the turn then fails.
        if (typeof item.message === 'string') this.#lastError = item.message;
        return undefined;
      default:
        return undefined;
    }
  }

  #countTool(): void {
    this.#toolUses++;
    this.#steps++;
  }

  #progress(activity: string): JobProgress {
    return { activity: activity.slice(0, 200), tool_uses: this.#toolUses, tool_errors: this.#toolErrors, turns: this.#steps };
  }

  finish(exit: AgentExit): AgentResult {
    const ok = this.#completed && this.#failure === null && exit.exitCode === 0 && !exit.stoppedByPar;
    const error = ok || exit.stoppedByPar ? null : (this.#failure ?? (exit.exitCode === 0 ? 'codex ended without finishing its turn' : (exit.stderrTail || this.#lastError || `codex exited with code ${exit.exitCode ?? exit.signal}`)));
    return {
      state: ok ? 'succeeded' : 'failed',
      exit_code: exit.exitCode,
      signal: exit.signal,
      error,
      result: ok ? this.#lastMessage : null,
      denials: [],
      session_id: this.#threadId,
      cost_usd: null,
      turns: this.#steps,
      tokens: this.#tokens,
      retryable: error !== null && isRetryableText(error),
      retryAfterMs: error === null ? null : retryAfterIn(error),
    };
  }
}

/** Arguments that already say what codex may do: par adds its own default only without them. */
const SANDBOX_FLAGS = ['-s', '--sandbox', '--dangerously-bypass-approvals-and-sandbox', '--yolo', '--full-auto'];

/** The built-in codex agent: `codex exec --json`, the prompt on stdin, edits allowed in the worktree. */
export function codexAdapter(settings: BuiltinAgentSettings): AgentAdapter {
  return {
    name: 'codex',
    binary: settings.binary,
    invocation(request) {
      const own = settings.args.some((arg) => SANDBOX_FLAGS.includes(arg) || arg.startsWith('sandbox_mode='));
      // `resume` takes no --sandbox: the mode goes as a config override, the same for both.
      const args = ['--json', ...(own ? [] : ['-c', 'sandbox_mode="workspace-write"']), ...(settings.model ? ['--model', settings.model] : []), ...settings.args];
      const argv = request.resumeSessionId ? [settings.binary, 'exec', 'resume', ...args, request.resumeSessionId, '-'] : [settings.binary, 'exec', ...args, '-'];
      return { argv, env: {}, unsetEnv: ['CLAUDECODE'], stdin: request.prompt, sessionId: null };
    },
    parser: (cwd) => new CodexParser(cwd),
  };
}
