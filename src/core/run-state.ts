import { FINAL_STATES, type Diffstat, type JobOutcome, type Landing, type JobProgress, type JobState, type Pending, type RunEvent, type RunStateName } from './events.js';

/** One job as every view shows it (DESIGN §9 `par status --json`). */
export interface JobView {
  id: string;
  state: JobState;
  reason: string | null;
  worktree: string | null;
  branch: string | null;
  /** The commit the job's first attempt started from: its diff is against this. */
  head: string | null;
  attempt: number;
  started_at: string | null;
  finished_at: string | null;
  pid: number | null;
  session_id: string | null;
  activity: string | null;
  last_message: string | null;
  retry: string | null;
  model: string | null;
  turns: number;
  tool_uses: number;
  tool_errors: number;
  cost_usd: number | null;
  tokens: number | null;
  exit_code: number | null;
  signal: string | null;
  error: string | null;
  result: string | null;
  denials: string[];
  diffstat: Diffstat | null;
  /** The plan of a `--plan` job, once written (as approved, when it was). */
  plan: string | null;
  /** What the job waits on a person for (state `needs-input`). */
  pending: Pending | null;
  /** When a job paused by a usage limit goes on (ISO). */
  resets_at: string | null;
  /** The paths it changed against its base, once finished (the conflict forecast reads them). */
  changed: string[] | null;
  /** Its last landing, or attempt at one (`par land`, `par merge`). */
  landing: Landing | null;
  /** Best-of-N: the target this job is an attempt at, and which (`<target>.v2`); null otherwise. */
  target: string | null;
  variant: number | null;
  /** The agent it runs when the run has several (`--agent claude,codex`); null: the run's one agent. */
  agent: string | null;
  /** Where its agent runs (DESIGN §18): `local`, or an executor of `--on`. */
  executor: string;
}

/** A run folded from its journal. */
export interface RunState {
  run: string;
  state: RunStateName;
  started_at: string | null;
  finished_at: string | null;
  supervisor_pid: number | null;
  order: string[];
  byId: Record<string, JobView>;
  /** The Claude usage window as last reported: `allowed_warning` shows in the header. */
  usage: { status: string; resets_at: string | null; limit: string | null } | null;
}

/** The state before any event. */
export function emptyRunState(run: string): RunState {
  return { run, state: 'running', started_at: null, finished_at: null, supervisor_pid: null, order: [], byId: {}, usage: null };
}

function newJob(id: string, worktree: string | null, branch: string | null, spec: { target?: string; variant?: number; agent?: string } = {}): JobView {
  return {
    id,
    state: 'queued',
    reason: null,
    worktree,
    branch,
    head: null,
    attempt: 0,
    started_at: null,
    finished_at: null,
    pid: null,
    session_id: null,
    activity: null,
    last_message: null,
    retry: null,
    model: null,
    turns: 0,
    tool_uses: 0,
    tool_errors: 0,
    cost_usd: null,
    tokens: null,
    exit_code: null,
    signal: null,
    error: null,
    result: null,
    denials: [],
    diffstat: null,
    plan: null,
    pending: null,
    resets_at: null,
    changed: null,
    landing: null,
    target: spec.target ?? null,
    variant: spec.variant ?? null,
    agent: spec.agent ?? null,
    executor: 'local',
  };
}

/** How a fold puts a changed job in: into a new state (views keep what did not change), or into the state it owns. */
type Put = (state: RunState, id: string, job: JobView) => RunState;
const copying: Put = (state, id, job) => ({ ...state, byId: { ...state.byId, [id]: job } });
const inPlace: Put = (state, id, job) => {
  state.byId[id] = job;
  return state;
};

function withJob(state: RunState, id: string, change: (job: JobView) => JobView, put: Put): RunState {
  const job = state.byId[id];
  if (!job) return state;
  return put(state, id, change(job));
}

/** A job about to run again: queued, its last ending forgotten, its attempts, session and start HEAD kept. */
function requeued(job: JobView): JobView {
  return { ...job, state: 'queued', reason: null, started_at: null, finished_at: null, exit_code: null, signal: null, error: null, result: null, denials: [], diffstat: null, changed: null, retry: null, activity: null, pid: null, pending: null, resets_at: null };
}

/** A job with what its agent said meanwhile: only what the progress names changes. */
function progressed(job: JobView, p: JobProgress): JobView {
  return {
    ...job,
    activity: p.activity ?? job.activity,
    last_message: p.last_message ?? job.last_message,
    turns: p.turns ?? job.turns,
    tool_uses: p.tool_uses ?? job.tool_uses,
    tool_errors: p.tool_errors ?? job.tool_errors,
    cost_usd: p.cost_usd ?? job.cost_usd,
    tokens: p.tokens ?? job.tokens,
    model: p.model ?? job.model,
    session_id: p.session_id ?? job.session_id,
    retry: p.retry === undefined ? job.retry : p.retry,
  };
}

/** A job as it ended, at `at`; what the outcome does not know (the session, cost, turns, tokens) stays as progress left it. */
function finished(job: JobView, o: JobOutcome, at: string): JobView {
  return {
    ...job,
    state: o.state,
    reason: o.reason,
    finished_at: at,
    exit_code: o.exit_code,
    signal: o.signal,
    error: o.error,
    result: o.result,
    denials: o.denials,
    session_id: o.session_id ?? job.session_id,
    cost_usd: o.cost_usd ?? job.cost_usd,
    turns: o.turns ?? job.turns,
    tokens: o.tokens ?? job.tokens,
    diffstat: o.diffstat,
    changed: o.changed ?? null,
    retry: null,
    activity: job.activity,
    pending: null,
    resets_at: null,
  };
}

/** A job no longer waiting on a person for `requestId`: running again. */
function answered(job: JobView, requestId: string): JobView {
  if (job.pending?.request_id !== requestId) return job;
  return { ...job, state: 'running', pending: null };
}

/**
 * The one place job state changes: a pure fold of journal events. Times come
 * from the events. Only the job an event names is replaced, so views that
 * memoize rows by reference skip the rest.
 */
export function reduceRun(state: RunState, event: RunEvent): RunState {
  return step(state, event, copying);
}

function step(state: RunState, event: RunEvent, put: Put): RunState {
  switch (event.type) {
    case 'run/started': {
      const byId: Record<string, JobView> = {};
      for (const spec of event.jobs) byId[spec.id] = newJob(spec.id, spec.worktree, spec.branch, spec);
      return { ...state, run: event.run, started_at: event.at, supervisor_pid: event.supervisor_pid, order: event.jobs.map((spec) => spec.id), byId };
    }
    case 'job/worktree-ready':
      return withJob(state, event.job, (job) => ({ ...job, worktree: event.worktree, branch: event.branch }), put);
    case 'job/started':
      return withJob(state, event.job, (job) => ({
        ...job,
        state: event.phase === 'plan' ? 'planning' : 'running',
        attempt: event.attempt,
        pid: event.pid,
        executor: event.executor ?? 'local',
        session_id: event.session_id ?? job.session_id,
        head: job.head ?? event.head,
        // A job's time counts from its first attempt (of this execution: a rerun starts the clock again).
        started_at: job.started_at ?? event.at,
        finished_at: null,
        error: null,
        reason: null,
        retry: null,
        pending: null,
        resets_at: null,
      }), put);
    case 'job/progress':
      return withJob(state, event.job, (job) => progressed(job, event.progress), put);
    case 'job/retrying':
      return withJob(state, event.job, (job) => ({
        ...job,
        state: 'retrying',
        error: event.error,
        retry: `retrying (${event.attempt}/${event.retries})`,
        activity: `retrying in ${Math.round(event.delay_ms / 100) / 10}s`,
      }), put);
    case 'job/finished':
      return withJob(state, event.job, (job) => finished(job, event.outcome, event.at), put);
    case 'run/cancel-requested':
      return state;
    case 'job/landed':
      return withJob(state, event.job, (job) => ({ ...job, landing: { outcome: 'landed', onto: event.onto, commit: event.commit, files: [], detail: null, at: event.at } }), put);
    case 'job/land-failed':
      return withJob(state, event.job, (job) => ({ ...job, landing: { outcome: event.reason, onto: event.onto, commit: null, files: event.files, detail: event.detail, at: event.at } }), put);
    case 'job/plan-ready':
      return withJob(state, event.job, (job) => ({
        ...job,
        state: 'awaiting-approval',
        plan: event.plan,
        session_id: event.session_id ?? job.session_id,
        cost_usd: event.cost_usd ?? job.cost_usd,
        activity: 'plan ready for review',
        pid: null,
      }), put);
    case 'job/approved':
      return withJob(state, event.job, (job) => ({ ...job, state: 'queued', plan: event.plan, activity: 'plan approved' }), put);
    case 'job/requeued':
      return withJob(state, event.job, requeued, put);
    case 'run/resumed': {
      let next: RunState = { ...state, state: 'running', finished_at: null, supervisor_pid: event.supervisor_pid };
      for (const id of event.jobs) next = withJob(next, id, requeued, put);
      return next;
    }
    case 'run/finished':
      return { ...state, state: event.state, finished_at: event.at };
    case 'job/needs-input':
      return withJob(state, event.job, (job) => ({ ...job, state: 'needs-input', pending: { ...event.pending, asked_at: event.at } }), put);
    case 'job/permission':
    case 'job/answered':
      return withJob(state, event.job, (job) => answered(job, event.request_id), put);
    case 'job/paused':
      return withJob(state, event.job, (job) => ({ ...job, state: 'paused', resets_at: event.resets_at, pending: null, pid: null, activity: `usage limit: waits until ${event.resets_at.slice(11, 16)} UTC` }), put);
    case 'run/usage':
      return { ...state, usage: { status: event.status, resets_at: event.resets_at, limit: event.limit } };
    case 'job/message':
    case 'job/interrupted':
    case 'command/refused':
      return state;
  }
}

/** Folds a whole journal. */
export function foldRun(run: string, events: readonly RunEvent[]): RunState {
  // The fold owns every state it makes on the way: a job's change goes in place, not into a copy of all the jobs.
  let state = emptyRunState(run);
  for (const event of events) state = step(state, event, inPlace);
  return state;
}

/**
 * A run whose supervisor is gone before it finished: it and its unfinished
 * jobs read as interrupted; finished jobs keep their results.
 */
export function markInterrupted(state: RunState, at: string): RunState {
  if (state.state !== 'running') return state;
  const byId = { ...state.byId };
  for (const id of state.order) {
    const job = byId[id];
    if (job && !FINAL_STATES.has(job.state)) byId[id] = { ...job, state: 'interrupted', reason: 'supervisor died', finished_at: at };
  }
  return { ...state, state: 'interrupted', finished_at: state.finished_at ?? at, byId };
}

/** Counts for summaries: running, done, failed, total cost. */
export function runTotals(state: RunState): { total: number; running: number; done: number; succeeded: number; failed: number; cost_usd: number } {
  let running = 0;
  let done = 0;
  let succeeded = 0;
  let failed = 0;
  let cost = 0;
  for (const id of state.order) {
    const job = state.byId[id];
    if (!job) continue;
    if (job.state === 'running' || job.state === 'retrying' || job.state === 'planning' || job.state === 'needs-input') running++;
    if (FINAL_STATES.has(job.state)) done++;
    if (job.state === 'succeeded') succeeded++;
    if (job.state === 'failed' || job.state === 'timed-out' || job.state === 'interrupted') failed++;
    cost += job.cost_usd ?? 0;
  }
  return { total: state.order.length, running, done, succeeded, failed, cost_usd: cost };
}

/** A job as `par status --json`, `par run --json` and the web API give it (DESIGN §9). */
export function jobJson(job: JobView): JobView {
  return { ...job, denials: [...job.denials] };
}

/** One thing a person is waited on for (`par inbox --json`), and the command that answers it. */
export interface InboxItem {
  run: string;
  job: string;
  request_id: string;
  kind: Pending['kind'];
  tool: string | null;
  input: Record<string, unknown>;
  asked_at: string;
  /** What it asks, on one line. */
  summary: string;
  /** The commands that answer it. */
  answer: string;
}

/** How many of a run's jobs wait on a person. */
export function needYou(state: RunState): number {
  let count = 0;
  for (const id of state.order) if (state.byId[id]?.state === 'needs-input') count++;
  return count;
}

/** Where a run stands, as far as cleanup and listings need to know. */
export type RunPhase = 'running' | 'succeeded' | 'failed' | 'interrupted';

/** A run directory under `<data>/runs` (DESIGN §9). */
export interface StoredRun {
  id: string;
  dir: string;
  startedAt: Date | null;
  finishedAt: Date | null;
  phase: RunPhase;
}
