/** Job states of DESIGN §4. */
export type JobState =
  | 'queued'
  | 'planning'
  | 'awaiting-approval'
  | 'running'
  | 'needs-input'
  | 'paused'
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
  /** Best-of-N (`--variants`): the target this job is an attempt at, and which attempt (1…N). */
  target?: string;
  variant?: number;
  /** The agent of this job when the run has several (`--agent claude,codex`); absent: the run's agent. */
  agent?: string;
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
  /** The paths the job changed against its base (as the diffstat counts them), for the conflict forecast; absent in older journals. */
  changed?: string[] | null;
}

/** How a job's work went into its target branch (`par land`, `par merge`). */
export interface Landing {
  /** `landed`; else why not: `conflict`, `check` (the check failed), `skipped` (nothing to land, or not asked). */
  outcome: 'landed' | 'conflict' | 'check' | 'skipped';
  onto: string;
  /** The target's new tip, once landed. */
  commit: string | null;
  /** The conflicting files. */
  files: string[];
  /** The end of the check's output, or why it was skipped. */
  detail: string | null;
  at: string;
}

/** What a job waiting on a person waits for (DESIGN §14). */
export interface Pending {
  request_id: string;
  /** `permission`: a tool call no rule decided; `question`: AskUserQuestion; `instructions`: an interrupted turn. */
  kind: 'permission' | 'question' | 'instructions';
  tool: string | null;
  input: Record<string, unknown>;
  asked_at: string;
}

/** Who decided a permission request. */
export type DecidedBy = 'rule' | 'preset' | 'classifier' | 'person' | 'timeout' | 'cli';

/** Where a person's answer came from: the CLI, the TUI, the web page, an MCP client. */
export type Via = 'cli' | 'tui' | 'web' | 'mcp';

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
  /** `executor`: where the agent runs when not here (DESIGN §18). */
  | (At & { type: 'job/started'; job: string; attempt: number; pid: number | null; session_id: string | null; head: string | null; phase?: 'plan'; executor?: string })
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
  | (At & { type: 'run/finished'; state: RunStateName })
  /** The agent waits on a person: a request no rule decided, a question, or instructions after an interrupt. */
  | (At & { type: 'job/needs-input'; job: string; pending: Omit<Pending, 'asked_at'> })
  /** A permission request decided; `command` names the command that decided it. */
  | (At & { type: 'job/permission'; job: string; request_id: string; tool: string; input: string; decision: 'allow' | 'deny'; by: DecidedBy; rule: string | null; message: string | null; via?: Via; command?: string })
  /** A question answered, or instructions given after an interrupt. */
  | (At & { type: 'job/answered'; job: string; request_id: string; kind: 'question' | 'instructions'; answer: string; by: DecidedBy; via?: Via; command?: string })
  /** A message for the agent: sent at once (`queued: false`) or at its next turn boundary. */
  | (At & { type: 'job/message'; job: string; text: string; queued: boolean; via?: Via; command?: string })
  /** The current turn was stopped; the session waits for instructions. */
  | (At & { type: 'job/interrupted'; job: string; via?: Via; command?: string })
  /** A usage limit: the job waits, holding no place, until `resets_at`. */
  | (At & { type: 'job/paused'; job: string; resets_at: string; limit: string | null })
  /** The Claude usage window as the agent last reported it. */
  | (At & { type: 'run/usage'; status: string; resets_at: string | null; limit: string | null })
  /** A job's work landed on a branch (`par land`, `par merge`): `commit` is the branch's new tip. */
  | (At & { type: 'job/landed'; job: string; onto: string; commit: string; how: 'merge' | 'squash' | 'rebase' })
  /** A landing that did not happen: a conflict (its files), a failing check (its output's tail), or skipped (why). */
  | (At & { type: 'job/land-failed'; job: string; onto: string; reason: 'conflict' | 'check' | 'skipped'; files: string[]; detail: string | null })
  /** A command the supervisor could not carry out, and why. */
  | (At & { type: 'command/refused'; command: string; job: string | null; reason: string });

/** An event before the journal numbers it. */
export type NewRunEvent = RunEvent extends infer E ? (E extends RunEvent ? Omit<E, 'seq' | 'at'> : never) : never;
