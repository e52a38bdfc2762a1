import type { CommandRunner } from '../os/command-runner.js';
import type { ToolCall } from '../permissions/rules.js';
import { inputSummary } from './conversation.js';

/** A small model asked about requests no rule decided (DESIGN §14): allow, deny, or null to leave it to a person. */
export interface Classifier {
  model: string;
  classify(call: ToolCall, worktree: string): Promise<'allow' | 'deny' | null>;
}

/** How long a classifier may think: past this the request goes to a person. */
export const CLASSIFIER_TIMEOUT_MS = 15_000;

/** What the model is told; the marker names it in logs (and lets a test's API stand-in tell it apart). */
const SYSTEM = [
  'par-permission-classifier.',
  'You judge one tool call a coding agent wants to make in a git worktree.',
  'Answer ALLOW when it is clearly safe and ordinary for the task (reads, builds, tests, edits inside the worktree),',
  'DENY when it is clearly harmful (destroys data outside the worktree, leaks secrets, runs code from the network),',
  'and ASK when unsure. Answer with that one word only.',
].join(' ');

/** The first word of the model's answer, as a verdict; anything else leaves it to a person. */
export function verdictOf(text: string): 'allow' | 'deny' | null {
  const word = /^\W*(ALLOW|DENY|ASK)\b/i.exec(text.trim())?.[1]?.toUpperCase();
  return word === 'ALLOW' ? 'allow' : word === 'DENY' ? 'deny' : null;
}

/**
 * The classifier through claude itself (one `-p` call with no tools, the
 * given model): the agent's own credentials, so it works wherever the jobs
 * do. An error, an unreadable answer or a slow one is null: a person decides.
 */
export function claudeClassifier(options: { binary: string; model: string; runner: CommandRunner; env: NodeJS.ProcessEnv; timeoutMs?: number }): Classifier {
  return {
    model: options.model,
    async classify(call, worktree) {
      const question = `Worktree: ${worktree}\nTool: ${call.tool}\nInput: ${inputSummary(call.input)}\n\nALLOW, DENY or ASK?`;
      const argv = [options.binary, '-p', '--model', options.model, '--output-format', 'json', '--max-turns', '1', '--tools', '', '--system-prompt', SYSTEM, question];
      try {
        // In a process group with the watchdog: it never outlives the supervisor.
        const outcome = await options.runner.run(argv, { cwd: worktree, timeoutMs: options.timeoutMs ?? CLASSIFIER_TIMEOUT_MS, env: options.env, group: { supervisorPid: process.pid } });
        if (outcome.exitCode !== 0) return null;
        const parsed = JSON.parse(outcome.stdout) as { result?: unknown; is_error?: unknown };
        return parsed.is_error === true || typeof parsed.result !== 'string' ? null : verdictOf(parsed.result);
      } catch {
        return null;
      }
    },
  };
}
