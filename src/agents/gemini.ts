// Google's Gemini CLI as a built-in agent (DESIGN §3): `gemini
// --output-format stream-json`, whose events (init, message, tool_use,
// tool_result, error, result) are read into the same progress as claude's.
import type { JobProgress } from '../core/events.js';
import { isObject, jsonObjectLine, type Json } from '../core/json.js';
import { isRetryableText, retryAfterIn, shownPath, type AgentAdapter, type AgentExit, type AgentResult, type OutputParser } from './agent.js';
import type { BuiltinAgentSettings } from './codex.js';

/** Gemini's tools as the grid names them (claude's words, so a grid of mixed agents reads alike). */
const TOOL_VERBS: Record<string, { verb: string; field: readonly string[] }> = {
  write_file: { verb: 'Write', field: ['file_path'] },
  replace: { verb: 'Edit', field: ['file_path'] },
  read_file: { verb: 'Read', field: ['file_path', 'absolute_path'] },
  read_many_files: { verb: 'Read', field: ['paths', 'include'] },
  run_shell_command: { verb: 'Bash', field: ['command'] },
  list_directory: { verb: 'LS', field: ['dir_path', 'path'] },
  glob: { verb: 'Glob', field: ['pattern'] },
  grep_search: { verb: 'Grep', field: ['pattern'] },
  search_file_content: { verb: 'Grep', field: ['pattern'] },
  web_fetch: { verb: 'WebFetch', field: ['url', 'prompt'] },
  google_web_search: { verb: 'WebSearch', field: ['query'] },
};

/** Reads `gemini --output-format stream-json`; unknown events are ignored. */
export class GeminiParser implements OutputParser {
  readonly #cwd: string;
  #sessionId: string | null = null;
  #message = '';
  #inMessage = false;
  #result: Json | null = null;
  #lastError: string | null = null;
  #steps = 0;
  #toolUses = 0;
  #toolErrors = 0;

  constructor(cwd: string) {
    this.#cwd = cwd;
  }

  line(text: string): JobProgress | undefined {
    const event = jsonObjectLine(text);
    if (!event) return undefined;
    if (event.type !== 'message') this.#inMessage = false;
    switch (event.type) {
      case 'init':
        this.#sessionId = typeof event.session_id === 'string' ? event.session_id : this.#sessionId;
        return { ...(this.#sessionId ? { session_id: this.#sessionId } : {}), ...(typeof event.model === 'string' ? { model: event.model } : {}) };
      case 'message':
        return this.#onMessage(event);
      case 'tool_use': {
        this.#toolUses++;
        this.#steps++;
        return { activity: this.#describe(String(event.tool_name ?? 'tool'), isObject(event.parameters) ? event.parameters : {}).slice(0, 200), tool_uses: this.#toolUses, turns: this.#steps };
      }
      case 'tool_result':
        if (event.status !== 'error') return undefined;
        this.#toolErrors++;
        return { tool_errors: this.#toolErrors };
      case 'error':
        if (typeof event.message === 'string') this.#lastError = event.message;
        return undefined;
      case 'result': {
        this.#result = event;
        const stats = isObject(event.stats) ? event.stats : {};
        return typeof stats.total_tokens === 'number' ? { tokens: stats.total_tokens } : undefined;
      }
      default:
        return undefined;
    }
  }

  #onMessage(event: Json): JobProgress | undefined {
    if (event.role !== 'assistant' || typeof event.content !== 'string') {
      this.#inMessage = false;
      return undefined;
    }
    // A message comes in pieces (`delta: true`): one step, its text the pieces joined.
    if (!this.#inMessage || event.delta !== true) {
      this.#steps++;
      this.#message = '';
    }
    this.#inMessage = true;
    this.#message += event.content;
    return { last_message: this.#message.slice(0, 2000), turns: this.#steps };
  }

  #describe(tool: string, parameters: Json): string {
    const known = TOOL_VERBS[tool];
    if (!known) return tool;
    const value = known.field.map((field) => parameters[field]).find((candidate) => candidate !== undefined);
    const shown = Array.isArray(value) ? value.map(String).map((path) => shownPath(this.#cwd, path)).join(', ') : typeof value === 'string' ? (known.verb === 'Bash' || known.verb.startsWith('Web') || known.verb === 'Glob' || known.verb === 'Grep' ? value : shownPath(this.#cwd, value)) : '';
    return `${known.verb} ${shown}`.trim();
  }

  finish(exit: AgentExit): AgentResult {
    const result = this.#result;
    const ok = result !== null && result.status === 'success' && exit.exitCode === 0 && !exit.stoppedByPar;
    const said = result && isObject(result.error) && typeof result.error.message === 'string' ? result.error.message : null;
    const error = ok || exit.stoppedByPar ? null : (said ?? this.#lastError ?? (exit.stderrTail || `gemini exited with code ${exit.exitCode ?? exit.signal} without a result`));
    const stats = result && isObject(result.stats) ? result.stats : {};
    return {
      state: ok ? 'succeeded' : 'failed',
      exit_code: exit.exitCode,
      signal: exit.signal,
      error,
      result: ok ? this.#message || null : null,
      denials: [],
      session_id: this.#sessionId,
      cost_usd: null,
      turns: this.#steps,
      tokens: typeof stats.total_tokens === 'number' ? stats.total_tokens : null,
      retryable: error !== null && isRetryableText(error),
      retryAfterMs: error === null ? null : retryAfterIn(error),
    };
  }
}

/** Arguments that already say what gemini may do: par adds its own default only without them. */
const APPROVAL_FLAGS = ['--approval-mode', '--yolo', '-y'];

/** The built-in gemini agent: headless stream-json, the prompt on stdin, edits approved in the worktree. */
export function geminiAdapter(settings: BuiltinAgentSettings): AgentAdapter {
  return {
    name: 'gemini',
    binary: settings.binary,
    invocation(request) {
      const own = settings.args.some((arg) => APPROVAL_FLAGS.includes(arg) || arg.startsWith('--approval-mode='));
      const argv = [
        settings.binary,
        '--output-format',
        'stream-json',
        ...(own ? [] : ['--approval-mode', 'auto_edit']),
        ...(settings.model ? ['--model', settings.model] : []),
        ...(request.resumeSessionId ? ['--resume', request.resumeSessionId] : []),
        ...settings.args,
      ];
      // par chose to run the agent in this worktree: gemini is told to trust it rather than stop and ask.
      return { argv, env: { GEMINI_CLI_TRUST_WORKSPACE: 'true' }, unsetEnv: ['CLAUDECODE'], stdin: request.prompt, sessionId: null };
    },
    parser: (cwd) => new GeminiParser(cwd),
  };
}
