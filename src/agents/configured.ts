import type { JobProgress } from '../core/events.js';
import type { AgentAdapter, AgentExit, AgentResult, OutputParser } from './agent.js';
import { ClaudeStreamParser } from './claude.js';
import type { AgentConfig } from '../core/run-plan.js';

/** Reads plain text output: the last line is the activity, exit 0 is success. */
class TextParser implements OutputParser {
  #last: string | null = null;

  line(text: string): JobProgress | undefined {
    const trimmed = text.trim();
    if (trimmed === '') return undefined;
    this.#last = trimmed.slice(0, 200);
    return { last_message: this.#last, activity: this.#last };
  }

  finish(exit: AgentExit): AgentResult {
    const ok = exit.exitCode === 0 && !exit.stoppedByPar;
    return {
      state: ok ? 'succeeded' : 'failed',
      exit_code: exit.exitCode,
      signal: exit.signal,
      error: ok || exit.stoppedByPar ? null : exit.stderrTail || this.#last || `exited with code ${exit.exitCode ?? exit.signal}`,
      result: ok ? this.#last : null,
      denials: [],
      session_id: null,
      cost_usd: null,
      turns: null,
      tokens: null,
      retryable: false,
    };
  }
}

/** An agent from config `agents:` (DESIGN §3 "Other agents"). */
export function configuredAdapter(name: string, config: AgentConfig): AgentAdapter {
  return {
    name,
    binary: config.binary,
    invocation(request) {
      const hasPlaceholder = config.args.some((arg) => arg.includes('{prompt}'));
      const args = config.args.map((arg) => arg.replaceAll('{prompt}', request.prompt));
      if (config.prompt === 'arg' && !hasPlaceholder) args.push(request.prompt);
      const resume = request.resumeSessionId ? config.resume_args.map((arg) => arg.replaceAll('{session}', request.resumeSessionId ?? '')) : [];
      if (request.model) args.push('--model', request.model);
      return {
        argv: [config.binary, ...resume, ...args],
        env: {},
        unsetEnv: ['CLAUDECODE'],
        stdin: config.prompt === 'stdin' ? request.prompt : null,
        sessionId: null,
      };
    },
    parser: (cwd) => (config.output === 'stream-json' ? new ClaudeStreamParser(cwd) : new TextParser()),
  };
}
