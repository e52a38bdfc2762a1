/** Job states of DESIGN §4. */
export type JobState =
  | 'queued'
  | 'planning'
  | 'awaiting-approval'
  | 'running'
  | 'retrying'
  | 'succeeded'
  | 'failed'
  | 'timed-out'
  | 'cancelled'
  | 'interrupted';

/** States a job does not leave. */
export const FINAL_STATES: ReadonlySet<JobState> = new Set(['succeeded', 'failed', 'timed-out', 'cancelled', 'interrupted']);

/** Where a run stands. */
export type RunStateName = 'running' | 'succeeded' | 'failed' | 'cancelled' | 'interrupted';

/** `{files, insertions, deletions}` against the HEAD a job started from, untracked files included. */
export interface Diffstat {
  files: number;
  insertions: number;
  deletions: number;
}

/** A job as the run was asked for it. */
export interface JobSpec {
  id: string;
  /** The worktree; for a new one, known only once it is created. */
  worktree: string | null;
  branch: string | null;
  /** True when par creates the worktree (`--new`, `--tasks`). */
  created: boolean;
}

/** Progress read from an agent's output; every field optional, the latest wins. */
export interface JobProgress {
  activity?: string;
  last_message?: string;
  turns?: number;
  tool_uses?: number;
  tool_errors?: number;
  cost_usd?: number;
  tokens?: number;
  model?: string;
  session_id?: string;
  /** `retrying (3/10)` while the agent itself retries an API call. */
  retry?: string | null;
}

/** How a job ended. */
export interface JobOutcome {
  state: 'succeeded' | 'failed' | 'timed-out' | 'cancelled';
  /** Why, for timed-out and cancelled: `timeout`, `idle`, `user`, `signal`, `fail-fast`, `budget`… */
  reason: string | null;
  exit_code: number | null;
  signal: string | null;
  error: string | null;
  /** The agent's final result text (success). */
  result: string | null;
  /** Tools denied permission, by name, one entry per denial. */
  denials: string[];
  session_id: string | null;
  cost_usd: number | null;
  turns: number | null;
  tokens: number | null;
  diffstat: Diffstat | null;
}

interface At {
  seq: number;
  /** ISO time. */
  at: string;
}

/** Everything that happens in a run, in the order it happened; the journal holds these. */
export type RunEvent =
  | (At & { type: 'run/started'; run: string; jobs: JobSpec[]; supervisor_pid: number })
  | (At & { type: 'job/worktree-ready'; job: string; worktree: string; branch: string })
  /** An attempt's agent started; `phase: 'plan'` when it is only planning (`--plan`). */
  | (At & { type: 'job/started'; job: string; attempt: number; pid: number | null; session_id: string | null; head: string | null; phase?: 'plan' })
  /** The job's plan is written and waits for review. */
  | (At & { type: 'job/plan-ready'; job: string; plan: string; session_id: string | null; cost_usd: number | null })
  /** The plan (as approved, perhaps edited) goes ahead: the job waits for a place to execute it. */
  | (At & { type: 'job/approved'; job: string; plan: string })
  | (At & { type: 'job/progress'; job: string; progress: JobProgress })
  | (At & { type: 'job/retrying'; job: string; attempt: number; retries: number; delay_ms: number; error: string | null })
  | (At & { type: 'job/finished'; job: string; outcome: JobOutcome })
  | (At & { type: 'run/cancel-requested'; job: string | null; reason: string })
  /** A new supervisor took over a finished or interrupted run to run `jobs` again (rerun, `par resume`). */
  | (At & { type: 'run/resumed'; supervisor_pid: number; jobs: string[] })
  /** A finished job was queued again in the run still going (rerun). */
  | (At & { type: 'job/requeued'; job: string })
  | (At & { type: 'run/finished'; state: RunStateName });

/** An event before the journal numbers it. */
export type NewRunEvent = RunEvent extends infer E ? (E extends RunEvent ? Omit<E, 'seq' | 'at'> : never) : never;
