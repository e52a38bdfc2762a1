import type { InboxItem, JobView, RunState } from '../core/run-state.js';
import type { RunPlan } from '../core/run-plan.js';
import type { PromptItem, WorktreeItem } from '../core/ui-state.js';

/** A run as the API acts on it: found by the hub among the run directory's own names. */
export interface FoundRun {
  runId: string;
  state: RunState;
  plan: RunPlan;
  dir: string;
}

/** What the page asked to start: a library prompt or text, worktrees or fresh ones, how many at once (0: the default). */
export interface WebStart {
  prompt: string | null;
  message: string | null;
  worktrees: string[];
  newCount: number;
  jobs: number;
}

/**
 * Everything the web API does to the world besides reading run
 * directories: the real one (commands/web-ports.ts) is the CLI's own
 * commands, each answering with a sentence and marking the journal `via:
 * web`. Refusals are the commands' UserErrors.
 */
export interface WebPorts {
  startRun(request: WebStart): Promise<string>;
  inbox(): InboxItem[];
  prompts(): Promise<PromptItem[]>;
  worktrees(): Promise<{ items: WorktreeItem[]; warnings: string[] }>;
  diff(job: JobView): Promise<string[]>;
  /** Sends to jobs of a run (`all`: every one still going); a sentence per job. */
  send(run: FoundRun, jobs: readonly string[] | 'all', text: string): Promise<string[]>;
  /** Allows a pending permission request (`always`: its rule for the rest of the run), or approves a plan. */
  approve(run: FoundRun, job: JobView, always: boolean): Promise<string>;
  /** Denies a pending request or question, or rejects a plan. */
  deny(run: FoundRun, job: JobView, message: string | null): Promise<string>;
  answer(run: FoundRun, job: JobView, answers: readonly string[]): Promise<string>;
  interrupt(run: FoundRun, job: JobView): Promise<string>;
  /** Cancels a job, or the whole run (job null). */
  cancel(run: FoundRun, job: JobView | null): string;
  rerun(run: FoundRun, job: JobView): Promise<string>;
  merge(run: FoundRun, job: JobView, squash: boolean): Promise<string>;
}
