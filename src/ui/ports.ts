import type { RunEvent } from '../core/events.js';
import type { RunState, JobView } from '../core/run-state.js';
import type { PromptItem, RunItem, WorktreeItem } from '../core/ui-state.js';
import type { RunCommand } from '../rundir/channel.js';

/** What the user chose to run. */
export interface StartRequest {
  /** A library prompt; null when `par run` was given `-m` or `--prompt-file`. */
  prompt: string | null;
  worktrees: string[];
  /** Fresh worktrees from the base instead of `worktrees`. */
  newCount: number;
}

/** A run the TUI follows: its state as the journal grows, and its end. */
export interface RunSubscription {
  stop(): void;
}

/** Lines appended to a job's output, from the tail of what is there already. */
export interface OutputSubscription {
  stop(): void;
}

/**
 * Everything the TUI does to the world, as an interface: the real one
 * (commands/tui-ports.ts) starts supervisors and reads run directories,
 * tests pass fakes. The UI holds no other way out.
 */
export interface TuiPorts {
  loadPrompts(): Promise<PromptItem[]>;
  /** Opens `$EDITOR` for a new prompt; resolves to its name, or null when nothing was saved. */
  addPrompt(): Promise<string | null>;
  loadWorktrees(): Promise<{ items: WorktreeItem[]; warnings: string[] }>;
  loadRuns(): Promise<RunItem[]>;
  /** Validates and starts a run through its supervisor; rejects with a sentence saying what is wrong. */
  startRun(request: StartRequest): Promise<{ runId: string; dir: string }>;
  /** Follows a run's journal from its start: the state after each event (null: the supervisor is gone, the run reads interrupted). */
  watchRun(dir: string, runId: string, onState: (state: RunState, event: RunEvent | null) => void): RunSubscription;
  /** The run directory of a run id. */
  runDir(runId: string): string;
  /** Follows a job's output: first the tail already written (never the whole file), then new lines. */
  followOutput(dir: string, job: string, onLines: (lines: string[]) => void): OutputSubscription;
  /** The job's diffstat and diff against the HEAD it started from, untracked files included, as lines. */
  diff(job: JobView): Promise<string[]>;
  /** Best-of-N: the diff from one attempt's committed result to another's, as lines. */
  diffAttempts(a: JobView, b: JobView): Promise<string[]>;
  cancel(dir: string, job: string | null): void;
  /** Runs a finished job again in its worktree, a fresh session, as a new attempt of the same run. */
  rerun(dir: string, runId: string, job: string): Promise<void>;
  /** Lets a job's plan go ahead, as written (null) or as edited. */
  approve(dir: string, job: string, plan: string | null): void;
  /** Rejects a job's plan: it ends cancelled. */
  reject(dir: string, job: string): void;
  /** A command to the run's supervisor (send, interrupt, answer): its word on it comes back through the journal. */
  talk(dir: string, command: RunCommand): void;
  /** Continues a finished job's session with a message in a run that is over (a new supervisor takes it). */
  continueJob(dir: string, runId: string, job: string, text: string): Promise<void>;
  /** Opens `$EDITOR` on `text`; resolves to what was saved, or null when it was left unchanged. */
  editText(text: string): Promise<string | null>;
  /** `par open`: the job in a new terminal window; resolves to what opened, rejects saying why nothing could. */
  open(runId: string, job: string): Promise<string>;
  /** `par merge`; resolves to what happened, rejects with the conflict. */
  merge(runId: string, job: string): Promise<string>;
  /** `par land` of the run's succeeded jobs; resolves to what happened to each, in a sentence, and whether all landed. */
  land(runId: string): Promise<{ said: string; ok: boolean }>;
  /** Tells the terminal: bell and a desktop notification (OSC 777 and 9). */
  notify(title: string, body: string): void;
  /** Milliseconds since the epoch; the grid's elapsed times read it. */
  now(): number;
}
