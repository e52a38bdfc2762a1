import type { InboxItem, JobView, RunState } from './run-state.js';
import type { RunPlan } from './run-plan.js';
import type { PromptItem, WorktreeItem } from './ui-state.js';

// What the faces beside the CLI (par web, par mcp) can do to runs, as one
// interface: commands/operations.ts implements it with the CLI's own
// commands; the faces take it as a parameter.

/** A run found by its own id among the run directory's names. */
export interface FoundRun {
  runId: string;
  state: RunState;
  plan: RunPlan;
  dir: string;
}

/** A run to start: a library prompt or text (or a list of tasks), worktrees or fresh ones, how many at once (0: the default), the agent (null: the default). */
export interface StartRequest {
  prompt: string | null;
  message: string | null;
  worktrees: string[];
  newCount: number;
  jobs: number;
  tasks?: string[];
  agent?: string | null;
  /** Best-of-N: attempts per target (1: none). */
  variants?: number;
  /** The base of fresh worktrees (`-b`): a branch, tag or commit. */
  base?: string | null;
}

/**
 * Everything a face does to the world besides reading run directories:
 * the real one is the CLI's own commands, each answering with a sentence
 * and marking the journal with the face (`via: web`, `via: mcp`).
 * Refusals are the commands' UserErrors.
 */
export interface RunOperations {
  /** Checks and starts a run; its id. */
  startRun(request: StartRequest): Promise<string>;
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
  /** `par land`: the run's succeeded jobs (or those named, in order) onto `onto` (default: the run repository's checked-out branch). */
  land(run: FoundRun, request: LandRequest): Promise<LandReport>;
  /** `par compare --json`: a best-of-N run's attempts by target (one target, or every one), with the check's result when given. */
  compare(run: FoundRun, target: string | null, check: string | null): Promise<unknown[]>;
  /** `par keep`: lands one attempt, then removes the others' worktrees after salvaging them; what happened, a line each. */
  keep(run: FoundRun, job: JobView, request: Omit<LandRequest, 'jobs'>): Promise<{ said: string[]; landed: boolean }>;
}

/** What to land and how (`par land`'s options). */
export interface LandRequest {
  jobs: string[];
  onto: string | null;
  check: string | null;
  how: 'merge' | 'squash' | 'rebase';
}

/** What a landing did, job by job. */
export interface LandReport {
  onto: string;
  outcomes: { job: string; outcome: 'landed' | 'already' | 'conflict' | 'check' | 'skipped'; commit: string | null; files: string[]; detail: string | null }[];
}
