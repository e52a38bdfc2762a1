import type { JobOutcome } from '../core/events.js';
import type { Logger } from '../logging/logger.js';
import { emptyOutcome, type StopReason } from './attempt-outcome.js';
import { runAttempt, type AttemptJob, type AttemptResult, type AttemptSettings } from './attempt.js';
import { retryDelay } from './retry-policy.js';
import { Place, Slots } from './slots.js';
import type { CreationResult } from '../git/plan-worktrees.js';
import type { Via } from '../core/events.js';
import type { AgentGate } from './agent-gate.js';
import type { Conversation, PersonAnswer } from './conversation.js';
import type { AgentAdapter } from '../agents/agent.js';
import type { JobHost } from './hosts.js';
import { ExecutorSlots } from './placement.js';
import { approvedPrompt, planChangedSomething, planStatus, PlanReviews } from './plan-review.js';

/** What a job continues with after a usage limit. */
export const AFTER_LIMIT_PROMPT = 'The usage limit has reset. Continue where you left off and finish the task.\n';

/** When a limit that gave no time resets: in an hour. */
const UNKNOWN_RESET_S = 3600;

/** One job as the executor runs it: an attempt's job, its worktree null until a new one is made for it. */
export interface ExecutorJob extends Omit<AttemptJob, 'worktree'> {
  worktree: string | null;
  /** With several agents in the run: the one this job runs (a key of `agents`). */
  agent?: string;
  /** Where an earlier execution ran it (its worktree and session are there): it runs there again. */
  executor?: string;
  branch: string | null;
}

/** Everything the executor needs: what every attempt shares (agent, ports, limits), the jobs, the pool. */
export interface ExecutorOptions extends AttemptSettings {
  jobs: readonly ExecutorJob[];
  concurrency: number;
  /** Called once when the whole run is cancelled (a user, a signal, fail-fast): what is still being prepared stops too. */
  onCancelAll?: () => void;
  /** Retries of a job that failed for a retryable cause (DESIGN §3). */
  retries: number;
  /** The first failed job cancels the rest. */
  failFast: boolean;
  /** Approximate: no job starts once finished jobs spent this (USD); null: no budget. */
  budgetUsd: number | null;
  /** What the run spent before this execution (a resume, a takeover): it counts against the budget. */
  spentUsd?: number;
  /** Random numbers for backoff jitter; injectable for tests. */
  random?: () => number;
  /** `--plan`: each job plans first and waits for approval before it executes. */
  plan?: boolean;
  /** `--yes`: every plan is approved as soon as it is written. */
  autoApprove?: boolean;
  /** New worktrees as they become ready (`--new`, `--tasks`). */
  worktrees?: AsyncIterable<CreationResult>;
  /** Machine-wide limits on starting agents; none: only `concurrency`. */
  gate?: AgentGate;
  /** `--agent claude,codex`: each agent's adapter and gate, by name; a job naming one runs it instead of `adapter`. */
  agents?: ReadonlyMap<string, { adapter: AgentAdapter; gate?: AgentGate }>;
  /** `--on local,box`: the executors jobs are placed on, each with its cap (DESIGN §18); absent: all here. */
  places?: readonly { name: string; jobs: number }[];
  /** The executors of `places` that are not this machine, by name. */
  hosts?: ReadonlyMap<string, JobHost>;
  /** `--on-limit stop`: a usage limit fails the job instead of pausing it. */
  stopOnLimit?: boolean;
  log: Logger;
}

interface Running {
  stop(stop: StopReason): void;
  conversation: Conversation | null;
  /** The agent running (its adapter's name), for saying why it cannot be talked to. */
  agent: string;
}

/**
 * Runs a run's jobs in a pool: each agent in its own process group, with
 * timeouts and cancellation, its output to files byte for byte, its
 * progress and outcome as events. Knows nothing of how events are shown.
 */
export class Executor {
  readonly #options: ExecutorOptions;
  readonly #running = new Map<string, Running>();
  readonly #cancelled = new Map<string, StopReason>();
  #cancelAll: StopReason | null = null;
  #spent = 0;
  readonly #slots: Slots;
  readonly #placement: ExecutorSlots | undefined;
  readonly #backoffs = new Map<string, () => void>();
  readonly #tasks: Promise<void>[] = [];
  readonly #reviews = new PlanReviews();
  /** Messages for jobs between attempts (queued, retrying, paused, finishing): they go with its next attempt. */
  readonly #mail = new Map<string, string[]>();
  /** Jobs being run now (queued to their end): a message for one of them waits in its mail. */
  readonly #active = new Set<string>();
  /** Ends the waits of paused jobs when they are cancelled. */
  readonly #pauses = new Map<string, AbortController>();

  constructor(options: ExecutorOptions) {
    this.#options = options;
    this.#spent = options.spentUsd ?? 0;
    this.#slots = new Slots(Math.max(1, options.concurrency));
    this.#placement = options.places ? new ExecutorSlots(options.places) : undefined;
  }

  /** Cancels one job, or every job when `job` is null (queued ones never start). */
  cancel(job: string | null, reason: string): void {
    const stop: StopReason = { state: 'cancelled', reason };
    if (job === null) {
      const first = this.#cancelAll === null;
      this.#cancelAll ??= stop;
      if (first) this.#options.onCancelAll?.();
      for (const running of this.#running.values()) running.stop(stop);
      for (const wake of this.#backoffs.values()) wake();
      this.#reviews.stop(null, stop);
      for (const pause of this.#pauses.values()) pause.abort();
      return;
    }
    this.#cancelled.set(job, stop);
    this.#running.get(job)?.stop(stop);
    this.#backoffs.get(job)?.();
    this.#reviews.stop(job, stop);
    this.#pauses.get(job)?.abort();
  }

  /**
   * A message for a job of this run: to its conversation when its agent
   * runs, else held for its next attempt when the job is still going. A
   * sentence saying why it cannot be taken otherwise; `undefined` when the
   * job is not being run (the caller continues a finished job).
   */
  send(job: string, text: string, via: Via, command?: string): string | null | undefined {
    const running = this.#running.get(job);
    if (running?.conversation && !running.conversation.closed) return running.conversation.send(text, via, command);
    if (!this.#active.has(job)) return undefined;
    if (this.#reviews.has(job)) return 'the job waits for its plan to be reviewed: approve or reject the plan first';
    if (running && !running.conversation) return `the job runs ${running.agent}, which takes no messages while it works (it has no two-way channel): send again once it has finished, to continue its session`;
    const mail = this.#mail.get(job) ?? [];
    mail.push(text);
    this.#mail.set(job, mail);
    this.#options.emit({ type: 'job/message', job, text, queued: true, via, ...(command ? { command } : {}) });
    return null;
  }

  /** Stops a running job's current turn; a sentence saying why not otherwise. */
  interrupt(job: string, via: Via, command?: string): string | null {
    const running = this.#running.get(job);
    if (running?.conversation) return running.conversation.interrupt(via, command);
    if (running) return `the job runs ${running.agent}, which cannot be interrupted (it has no two-way channel): cancel it instead (par cancel)`;
    return this.#active.has(job) ? 'the job has no agent running now: there is no turn to stop' : 'the job is not running';
  }

  /** A person's answer to what a job waits for; a sentence saying why it was not taken otherwise. */
  answer(job: string, answer: PersonAnswer): string | null {
    const conversation = this.#running.get(job)?.conversation;
    if (!conversation) return `job ${job} has nothing pending`;
    return conversation.answer(answer);
  }

  /** Approves a job's plan, as written or as edited; false when the job is not waiting for review. */
  approve(job: string, plan?: string | null): boolean {
    return this.#reviews.approve(job, plan);
  }

  /** Rejects a job's plan: the job ends cancelled, reason `plan rejected`. */
  reject(job: string): boolean {
    return this.#reviews.stop(job, { state: 'cancelled', reason: 'plan rejected' });
  }

  /** Plans (read-only), then waits for the plan's review with no place held; the approved job to execute, or how it ended. */
  async #planFirst(job: ExecutorJob, attempt: number, place: Place): Promise<{ job: ExecutorJob; cost: number | null } | { outcome: JobOutcome }> {
    const options = this.#options;
    const worktree = job.worktree as string;
    const before = await planStatus(options.git, worktree);
    const tried = await this.#attempt(job, attempt, { plan: true, executor: place.executor });
    const planned = tried.outcome;
    if (planned.state !== 'succeeded') return { outcome: { ...planned, error: planned.error === null ? null : `planning failed: ${planned.error}` } };
    const changed = await planChangedSomething(options.git, worktree, before, planned);
    if (changed) return { outcome: changed };
    const plan = (tried.plan ?? '').trim() || '(the agent wrote no plan)';
    // A plan waiting for review holds no place: other jobs plan or run meanwhile.
    place.release();
    const decision = await this.#reviews.wait(job.id, plan, () => {
      options.emit({ type: 'job/plan-ready', job: job.id, plan, session_id: planned.session_id, cost_usd: planned.cost_usd });
      if (options.autoApprove) this.approve(job.id);
      const stop = this.#stopFor(job.id);
      if (stop) this.#reviews.stop(job.id, stop);
    });
    if (decision.kind === 'stop') return { outcome: { ...planned, state: decision.stop.state, reason: decision.stop.reason, result: null, error: null } };
    options.emit({ type: 'job/approved', job: job.id, plan: decision.plan });
    // The execution continues the planning session, its output after the plan's.
    const execute: ExecutorJob = { ...job, prompt: approvedPrompt(decision.plan), attempts: attempt - 1, resumeSessionId: planned.session_id, appendOutput: true };
    return { job: execute, cost: planned.cost_usd };
  }

  /** Runs a finished job again (a fresh session unless it says otherwise), while the run goes on. */
  rerun(job: ExecutorJob): void {
    this.#cancelled.delete(job.id);
    this.#tasks.push(this.#runJob(job));
  }

  /** Waits for every job started so far, reruns included. */
  async drain(): Promise<void> {
    while (this.#tasks.length > 0) await Promise.all(this.#tasks.splice(0));
  }

  /** Runs every job to its end. */
  async run(): Promise<void> {
    const tasks = this.#tasks;
    const pending = new Map(this.#options.jobs.map((job) => [job.id, job]));
    for (const job of this.#options.jobs) {
      if (job.worktree !== null) {
        pending.delete(job.id);
        tasks.push(this.#runJob(job));
      }
    }
    if (this.#options.worktrees) {
      for await (const created of this.#options.worktrees) {
        const job = pending.get(created.job);
        if (!job) continue;
        pending.delete(created.job);
        if (!created.ok) {
          // A run cancelled while this worktree was being made: the job is cancelled, not failed.
          const stop = this.#stopFor(job.id);
          this.#options.emit({ type: 'job/finished', job: job.id, outcome: stop ? emptyOutcome(stop.state, stop.reason, null) : emptyOutcome('failed', null, created.error) });
          continue;
        }
        const ready = { ...job, worktree: created.record.path, branch: created.record.branch };
        this.#options.emit({ type: 'job/worktree-ready', job: job.id, worktree: ready.worktree, branch: ready.branch });
        // Each job starts as soon as its own worktree is ready.
        tasks.push(this.#runJob(ready));
      }
    }
    for (const job of pending.values()) {
      this.#options.emit({ type: 'job/finished', job: job.id, outcome: emptyOutcome('failed', null, 'its worktree was never created') });
    }
    await this.drain();
  }

  #stopFor(job: string): StopReason | undefined {
    return this.#cancelAll ?? this.#cancelled.get(job);
  }

  async #runJob(job: ExecutorJob): Promise<void> {
    this.#active.add(job.id);
    try {
      await this.#runJobToEnd(job);
    } finally {
      this.#active.delete(job.id);
      this.#mail.delete(job.id);
    }
  }

  async #runJobToEnd(job: ExecutorJob): Promise<void> {
    const { emit } = this.#options;
    const place = new Place(this.#slots, this.#placement, job.executor);
    // Wait for a place before deciding: the budget counts jobs that finished meanwhile.
    await place.take();
    const budget = this.#options.budgetUsd;
    if (!this.#stopFor(job.id) && budget !== null && this.#spent >= budget) {
      this.#cancelled.set(job.id, { state: 'cancelled', reason: 'budget' });
    }
    const preStop = this.#stopFor(job.id);
    if (preStop) {
      place.release();
      emit({ type: 'job/finished', job: job.id, outcome: emptyOutcome(preStop.state, preStop.reason, null) });
      return;
    }
    let outcome: JobOutcome;
    try {
      outcome = await this.#execute(job, place);
    } catch (error) {
      this.#options.log.error('job crashed', { job: job.id, error });
      outcome = emptyOutcome('failed', null, `par could not run the job: ${(error as Error).message}`);
    }
    emit({ type: 'job/finished', job: job.id, outcome });
    // Most often released already, as the agent exited (see AttemptControl.agentGone).
    place.release();
    if (this.#options.failFast && (outcome.state === 'failed' || outcome.state === 'timed-out')) this.cancel(null, 'fail-fast');
  }

  /** The plan first when asked (`--plan`), then attempts until one ends the job. */
  async #execute(job: ExecutorJob, place: Place): Promise<JobOutcome> {
    let cost: number | null = null;
    if (this.#options.plan) {
      const planned = await this.#planFirst(job, (job.attempts ?? 0) + 1, place);
      if ('outcome' in planned) return planned.outcome;
      place.release();
      job = planned.job;
      cost = planned.cost;
      this.#spent += planned.cost ?? 0;
    }
    let first = (job.attempts ?? 0) + 1;
    for (let attempt = first; ; attempt++) {
      // The first attempt runs in the place taken already; a retry or a continuation waits for one again.
      await place.take();
      const tried = await this.#attempt(job, attempt, { place, executor: place.executor });
      // A job's cost is what all its attempts spent.
      if (tried.outcome.cost_usd !== null) cost = (cost ?? 0) + tried.outcome.cost_usd;
      const outcome = { ...tried.outcome, cost_usd: cost };
      const next = await this.#afterAttempt(job, { attempt, first, tried, outcome }, place);
      if (next.kind === 'end') return next.outcome;
      if (next.kind === 'continue') {
        job = next.job;
        first = attempt + 1;
      }
    }
  }

  /**
   * What follows an attempt: a usage limit waited out (no retry used), the
   * session continued with messages that came as its last turn ended, a
   * retry after its backoff — or the job's end.
   */
  async #afterAttempt(job: ExecutorJob, done: { attempt: number; first: number; tried: AttemptResult; outcome: JobOutcome }, place: Place): Promise<{ kind: 'end'; outcome: JobOutcome } | { kind: 'continue'; job: ExecutorJob } | { kind: 'retry' }> {
    const { attempt, first, tried, outcome } = done;
    const stopped = this.#stopFor(job.id) !== undefined;
    const continued = (prompt: string): { kind: 'continue'; job: ExecutorJob } => ({ kind: 'continue', job: { ...job, prompt, attempts: attempt, resumeSessionId: outcome.session_id, appendOutput: true } });
    if (tried.limit && !stopped && outcome.state === 'failed') {
      if (this.#options.stopOnLimit) return { kind: 'end', outcome: { ...outcome, reason: 'usage limit' } };
      const resetsAt = tried.limit.resetsAt ?? Math.floor(Date.now() / 1000) + UNKNOWN_RESET_S;
      // Recorded for every run before this place frees: no job takes it to meet the same limit.
      await this.#options.gate?.limitReached(resetsAt, tried.limit.type);
      place.release();
      if (await this.#pause(job.id, resetsAt, tried.limit.type)) return continued(AFTER_LIMIT_PROMPT);
      const stop = this.#stopFor(job.id) ?? { state: 'cancelled' as const, reason: 'user' };
      return { kind: 'end', outcome: { ...outcome, state: stop.state, reason: stop.reason, error: null } };
    }
    const mail = this.#mail.get(job.id) ?? [];
    if (mail.length > 0 && !stopped && outcome.state === 'succeeded' && outcome.session_id) {
      this.#mail.delete(job.id);
      return continued(mail.join('\n\n'));
    }
    const delay = retryDelay({ attempt, first, retries: this.#options.retries, failed: outcome.state === 'failed', retryable: tried.retryable, stopped, retryAfterMs: tried.retryAfterMs, random: (this.#options.random ?? Math.random)() });
    if (delay === null) return { kind: 'end', outcome };
    this.#options.emit({ type: 'job/retrying', job: job.id, attempt: attempt - first + 1, retries: this.#options.retries, delay_ms: delay, error: outcome.error });
    // No place is held while waiting: other jobs run meanwhile.
    place.release();
    await this.#backoff(job.id, delay);
    const stop = this.#stopFor(job.id);
    return stop ? { kind: 'end', outcome: { ...outcome, state: stop.state, reason: stop.reason } } : { kind: 'retry' };
  }

  /** Waits out a usage limit until `resetsAt` (epoch seconds); false when the job was cancelled meanwhile. */
  async #pause(job: string, resetsAt: number, type: string | null): Promise<boolean> {
    this.#options.emit({ type: 'job/paused', job, resets_at: new Date(resetsAt * 1000).toISOString(), limit: type });
    const abort = new AbortController();
    this.#pauses.set(job, abort);
    if (this.#stopFor(job)) abort.abort();
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, Math.max(0, resetsAt * 1000 - Date.now()));
      abort.signal.addEventListener('abort', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    this.#pauses.delete(job);
    return !abort.signal.aborted;
  }

  /** Waits out a retry's backoff; a cancel ends the wait at once. */
  async #backoff(job: string, delay: number): Promise<void> {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, delay);
      this.#backoffs.set(job, () => {
        clearTimeout(timer);
        resolve();
      });
    });
    this.#backoffs.delete(job);
  }

  /** What is left of the budget for one more running job: the rest shared by those running. */
  #budgetShare(): number | null {
    const budget = this.#options.budgetUsd;
    if (budget === null) return null;
    return Math.max(0.0001, (budget - this.#spent) / (this.#running.size + 1));
  }

  /** One attempt of a job, the executor keeping track of it so a cancel reaches it; it starts once the machine lets an agent start. */
  /**
   * One attempt, in the machine's gate. With `place` (an execution, not a
   * plan), its cost is spent and its place freed as soon as its agent exits.
   */
  async #attempt(job: ExecutorJob, attempt: number, mode: { plan?: boolean; place?: Place; executor?: string | undefined } = {}): Promise<AttemptResult> {
    const own = job.agent === undefined ? undefined : this.#options.agents?.get(job.agent);
    const host = mode.executor === undefined ? undefined : this.#options.hosts?.get(mode.executor);
    const settings = own || host ? { ...this.#options, ...(own ? { adapter: own.adapter } : {}), ...(host ? { host } : {}) } : this.#options;
    const gate = own ? own.gate : this.#options.gate;
    let leave: (() => void) | null = () => undefined;
    if (gate) {
      const abort = new AbortController();
      this.#pauses.set(job.id, abort);
      if (this.#stopFor(job.id)) abort.abort();
      leave = await gate.enter((resetsAt) => this.#options.emit({ type: 'job/paused', job: job.id, resets_at: new Date(resetsAt * 1000).toISOString(), limit: null }), abort.signal);
      this.#pauses.delete(job.id);
    }
    if (leave === null) {
      const stop = this.#stopFor(job.id) ?? { state: 'cancelled' as const, reason: 'user' };
      return { outcome: emptyOutcome(stop.state, stop.reason, null), retryable: false, retryAfterMs: null, plan: null, limit: null };
    }
    const held = this.#mail.get(job.id) ?? [];
    this.#mail.delete(job.id);
    let left = false;
    const leaveOnce = (): void => {
      if (!left) leave();
      left = true;
    };
    let spent = mode.place === undefined;
    // The budget counts an execution's cost once, as early as it is known.
    const spend = (costUsd: number | null): void => {
      if (!spent) this.#spent += costUsd ?? 0;
      spent = true;
    };
    try {
      const tried = await runAttempt(settings, { ...job, worktree: job.worktree as string }, attempt, {
        maxBudgetUsd: this.#budgetShare(),
        ...(mode.plan ? { plan: true } : {}),
        held,
        started: (stop, conversation) => this.#running.set(job.id, { stop, conversation, agent: settings.adapter.name }),
        ended: () => this.#running.delete(job.id),
        agentGone: (costUsd) => {
          spend(costUsd);
          leaveOnce();
          mode.place?.release();
        },
        pendingStop: () => this.#stopFor(job.id),
      });
      spend(tried.outcome.cost_usd);
      return tried;
    } finally {
      leaveOnce();
    }
  }
}
