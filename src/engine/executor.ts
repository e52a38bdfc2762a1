import { randomUUID } from 'node:crypto';
import { closeSync, existsSync, fstatSync, mkdirSync, openSync, readSync } from 'node:fs';
import type { AgentAdapter, AgentResult } from '../agents/agent.js';
import { tailText } from '../agents/agent.js';
import type { JobOutcome, JobProgress, NewRunEvent } from '../core/events.js';
import type { CreationResult } from '../git/create-worktrees.js';
import type { Git } from '../git/git.js';
import { commitResults, diffstat, startingPoint } from '../git/job-results.js';
import type { Logger } from '../logging/logger.js';
import type { ProcessSpawner } from '../os/process-group.js';
import { runFiles } from '../rundir/files.js';

/** After SIGTERM, a job's group gets SIGKILL this much later (DESIGN §4). */
export const KILL_GRACE_MS = 5000;
/** Progress reaches the journal at most this often per job; state changes go at once. */
const PROGRESS_INTERVAL_MS = 250;
/** stderr kept in memory for the error text; the whole goes to stderr.log. */
const STDERR_TAIL_BYTES = 8192;
/** Retry backoff (DESIGN §2): 2 s doubling to 60 s, with full jitter. */
const RETRY_BASE_MS = 2000;
const RETRY_CAP_MS = 60_000;
/** A line longer than this is not handed to the parser (it goes to output.log whole). */
const MAX_LINE_BYTES = 16 * 1024 * 1024;
/** How often a running job's output file is read for progress: often enough to feel live. */
const READ_MS = 100;
/** Read in large pieces, so a chatty agent costs few reads; at most this much per tick, so the loop stays responsive. */
const READ_CHUNK = 1 << 20;
const READ_PER_TICK = 16 << 20;

/** One job as the executor runs it. */
export interface ExecutorJob {
  id: string;
  /** Null until a new worktree is created for it. */
  worktree: string | null;
  branch: string | null;
  /** par made the worktree: its results are committed to its branch. */
  created: boolean;
  prompt: string;
  /** Attempts made before (a rerun or resume continues the count). */
  attempts?: number;
  /** Continue this agent session on the first attempt (`--resume`) instead of a fresh one. */
  resumeSessionId?: string | null;
  /** The HEAD the job first started from, when it ran before: its diffstat stays against that. */
  baseHead?: string | null;
  /** Append to output.log even on attempt 1 (an execution after its planning). */
  appendOutput?: boolean;
}

/** Everything the executor needs; processes, git and the journal are ports. */
export interface ExecutorOptions {
  runId: string;
  runDir: string;
  jobs: readonly ExecutorJob[];
  concurrency: number;
  timeoutMs: number;
  idleTimeoutMs: number;
  adapter: AgentAdapter;
  model: string | null;
  permissionMode: string | null;
  commitResults: boolean;
  git: Git;
  spawner: ProcessSpawner;
  emit: (event: NewRunEvent) => void;
  /** Called once when the whole run is cancelled (a user, a signal, fail-fast): what is still being prepared stops too. */
  onCancelAll?: () => void;
  supervisorPid: number;
  env: NodeJS.ProcessEnv;
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
  log: Logger;
}

type StopReason = { state: 'timed-out' | 'cancelled'; reason: string };
/** What the review of a plan decided. */
type Decision = { kind: 'approve'; plan: string } | { kind: 'stop'; stop: StopReason };

/** What an approved job is told when it continues its planning session. */
export function approvedPrompt(plan: string): string {
  return `Your plan is approved. Carry it out now, as planned:\n\n${plan.trim()}\n`;
}

interface Running {
  stop(stop: StopReason): void;
}

function emptyOutcome(state: JobOutcome['state'], reason: string | null, error: string | null): JobOutcome {
  return { state, reason, exit_code: null, signal: null, error, result: null, denials: [], session_id: null, cost_usd: null, turns: null, tokens: null, diffstat: null };
}

/** Counts free places for running agents: a job holds one only while its agent runs. */
class Slots {
  #free: number;
  readonly #waiting: (() => void)[] = [];

  constructor(count: number) {
    this.#free = count;
  }

  async acquire(): Promise<void> {
    if (this.#free > 0) {
      this.#free--;
      return;
    }
    await new Promise<void>((resolve) => this.#waiting.push(resolve));
  }

  release(): void {
    const next = this.#waiting.shift();
    if (next) next();
    else this.#free++;
  }
}

/**
 * Splits a byte stream into lines with bounded memory: a line inside one
 * chunk is handed over as a view of it (no copy); only a line split across
 * chunks is carried, and an over-long one is skipped, not buffered.
 */
class LineSplitter {
  #parts: Buffer[] = [];
  #length = 0;
  #skipping = false;
  readonly #onLine: (line: Buffer) => void;
  readonly #skipRegion: ((region: Buffer) => boolean) | undefined;

  /** `skipRegion`, when given, may pass over a run of whole lines at once (see OutputParser.skipRegion). */
  constructor(onLine: (line: Buffer) => void, skipRegion?: (region: Buffer) => boolean) {
    this.#onLine = onLine;
    this.#skipRegion = skipRegion;
  }

  push(chunk: Buffer): void {
    let start = 0;
    if (this.#length > 0 || this.#skipping) {
      // First the end of the line carried from the last chunk.
      const newline = chunk.indexOf(10);
      if (newline === -1) {
        this.#add(chunk);
        return;
      }
      this.#add(chunk.subarray(0, newline));
      if (!this.#skipping) this.#onLine(Buffer.concat(this.#parts, this.#length));
      this.#parts = [];
      this.#length = 0;
      this.#skipping = false;
      start = newline + 1;
    }
    const last = chunk.lastIndexOf(10);
    if (this.#skipRegion && last > start && this.#skipRegion(chunk.subarray(start, last))) start = last + 1;
    for (let newline = chunk.indexOf(10, start); newline !== -1; newline = chunk.indexOf(10, start)) {
      if (this.#length === 0 && !this.#skipping) this.#onLine(chunk.subarray(start, newline));
      else {
        this.#add(chunk.subarray(start, newline));
        if (!this.#skipping) this.#onLine(Buffer.concat(this.#parts, this.#length));
      }
      this.#parts = [];
      this.#length = 0;
      this.#skipping = false;
      start = newline + 1;
    }
    if (start < chunk.length) this.#add(chunk.subarray(start));
  }

  end(): void {
    if (this.#length > 0 && !this.#skipping) this.#onLine(Buffer.concat(this.#parts, this.#length));
    this.#parts = [];
    this.#length = 0;
  }

  #add(part: Buffer): void {
    if (this.#skipping || part.length === 0) return;
    if (this.#length + part.length > MAX_LINE_BYTES) {
      this.#skipping = true;
      this.#parts = [];
      this.#length = 0;
      return;
    }
    // Copy: the chunk's memory may be reused by the stream.
    this.#parts.push(Buffer.from(part));
    this.#length += part.length;
  }
}

/**
 * Reads what an agent appends to its log file, from where this attempt
 * began. The agent writes to the file itself (no pipe through par), so its
 * output is byte for byte by construction and never waits on par.
 */
class FileTail {
  readonly #fd: number;
  #offset: number;

  constructor(path: string, from: number) {
    this.#fd = openSync(path, 'r');
    this.#offset = from;
  }

  /** Hands new bytes to `onData`; returns whether there were any. */
  read(onData: (chunk: Buffer) => void, limit = READ_PER_TICK): boolean {
    let total = 0;
    const size = fstatSync(this.#fd).size;
    while (this.#offset < size && total < limit) {
      const buffer = Buffer.allocUnsafe(Math.min(READ_CHUNK, size - this.#offset));
      const read = readSync(this.#fd, buffer, 0, buffer.length, this.#offset);
      if (read <= 0) break;
      this.#offset += read;
      total += read;
      onData(read === buffer.length ? buffer : buffer.subarray(0, read));
    }
    return total > 0;
  }

  /** Whether the file grew since last asked, without reading it. */
  grew(): boolean {
    const size = fstatSync(this.#fd).size;
    const grew = size > this.#offset;
    this.#offset = size;
    return grew;
  }

  /** The last `bytes` bytes written since this attempt began. */
  tail(bytes: number, from: number): Buffer {
    const size = fstatSync(this.#fd).size;
    const start = Math.max(from, size - bytes);
    const buffer = Buffer.alloc(size - start);
    readSync(this.#fd, buffer, 0, buffer.length, start);
    return buffer;
  }

  close(): void {
    closeSync(this.#fd);
  }
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
  readonly #backoffs = new Map<string, () => void>();
  readonly #tasks: Promise<void>[] = [];
  readonly #reviews = new Map<string, { plan: string; decide: (decision: Decision) => void }>();

  constructor(options: ExecutorOptions) {
    this.#options = options;
    this.#spent = options.spentUsd ?? 0;
    this.#slots = new Slots(Math.max(1, options.concurrency));
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
      for (const review of this.#reviews.values()) review.decide({ kind: 'stop', stop });
      return;
    }
    this.#cancelled.set(job, stop);
    this.#running.get(job)?.stop(stop);
    this.#backoffs.get(job)?.();
    this.#reviews.get(job)?.decide({ kind: 'stop', stop });
  }

  /** Approves a job's plan, as written or as edited; false when the job is not waiting for review. */
  approve(job: string, plan?: string | null): boolean {
    const review = this.#reviews.get(job);
    review?.decide({ kind: 'approve', plan: plan ?? review.plan });
    return review !== undefined;
  }

  /** Rejects a job's plan: the job ends cancelled, reason `plan rejected`. */
  reject(job: string): boolean {
    const review = this.#reviews.get(job);
    review?.decide({ kind: 'stop', stop: { state: 'cancelled', reason: 'plan rejected' } });
    return review !== undefined;
  }

  /** Plans (read-only), then waits for the plan's review with no place held; the approved job to execute, or how it ended. */
  async #planFirst(job: ExecutorJob, attempt: number, release: () => void): Promise<{ job: ExecutorJob; cost: number | null } | { outcome: JobOutcome }> {
    const options = this.#options;
    const worktree = job.worktree as string;
    const status = (): Promise<string> => options.git.run(worktree, ['status', '--porcelain', '-z', '--untracked-files=all']).catch(() => '');
    const before = await status();
    const tried = await this.#attempt(job, attempt, { plan: true });
    const planned = tried.outcome;
    if (planned.state !== 'succeeded') return { outcome: { ...planned, error: planned.error === null ? null : `planning failed: ${planned.error}` } };
    if ((await status()) !== before) {
      return { outcome: { ...planned, state: 'failed', result: null, error: 'the agent changed files while planning; nothing was executed (see git status in its worktree)' } };
    }
    const plan = (tried.plan ?? '').trim() || '(the agent wrote no plan)';
    // A plan waiting for review holds no place: other jobs plan or run meanwhile.
    release();
    const decision = await new Promise<Decision>((resolve) => {
      this.#reviews.set(job.id, { plan, decide: resolve });
      options.emit({ type: 'job/plan-ready', job: job.id, plan, session_id: planned.session_id, cost_usd: planned.cost_usd });
      if (options.autoApprove) this.approve(job.id);
      const stop = this.#stopFor(job.id);
      if (stop) resolve({ kind: 'stop', stop });
    });
    this.#reviews.delete(job.id);
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
    const { emit } = this.#options;
    // Wait for a place before deciding: the budget counts jobs that finished meanwhile.
    await this.#slots.acquire();
    const budget = this.#options.budgetUsd;
    if (!this.#stopFor(job.id) && budget !== null && this.#spent >= budget) {
      this.#cancelled.set(job.id, { state: 'cancelled', reason: 'budget' });
    }
    const preStop = this.#stopFor(job.id);
    if (preStop) {
      this.#slots.release();
      emit({ type: 'job/finished', job: job.id, outcome: emptyOutcome(preStop.state, preStop.reason, null) });
      return;
    }
    let outcome: JobOutcome;
    let cost: number | null = null;
    let holding = true;
    const release = (): void => {
      if (holding) this.#slots.release();
      holding = false;
    };
    try {
      if (this.#options.plan) {
        const planned = await this.#planFirst(job, (job.attempts ?? 0) + 1, release);
        if ('outcome' in planned) {
          emit({ type: 'job/finished', job: job.id, outcome: planned.outcome });
          release();
          return;
        }
        release();
        job = planned.job;
        cost = planned.cost;
        this.#spent += planned.cost ?? 0;
      }
      const first = (job.attempts ?? 0) + 1;
      for (let attempt = first; ; attempt++) {
        // The first attempt runs in the place taken above; a retry waits for one again.
        if (!holding) {
          await this.#slots.acquire();
          holding = true;
        }
        const tried = await this.#attempt(job, attempt);
        outcome = tried.outcome;
        this.#spent += outcome.cost_usd ?? 0;
        // A job's cost is what all its attempts spent.
        if (outcome.cost_usd !== null) cost = (cost ?? 0) + outcome.cost_usd;
        outcome = { ...outcome, cost_usd: cost };
        const stop = this.#stopFor(job.id);
        if (!tried.retryable || outcome.state !== 'failed' || attempt - first >= this.#options.retries || stop) break;
        const cap = Math.min(RETRY_CAP_MS, RETRY_BASE_MS * 2 ** (attempt - 1));
        const delay = Math.max(tried.retryAfterMs ?? 0, Math.round((this.#options.random ?? Math.random)() * cap));
        emit({ type: 'job/retrying', job: job.id, attempt: attempt - first + 1, retries: this.#options.retries, delay_ms: delay, error: outcome.error });
        // No place is held while waiting: other jobs run meanwhile.
        release();
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, delay);
          this.#backoffs.set(job.id, () => {
            clearTimeout(timer);
            resolve();
          });
        });
        this.#backoffs.delete(job.id);
        const stopped = this.#stopFor(job.id);
        if (stopped) {
          outcome = { ...outcome, state: stopped.state, reason: stopped.reason };
          break;
        }
      }
    } catch (error) {
      this.#options.log.error('job crashed', { job: job.id, error });
      outcome = emptyOutcome('failed', null, `par could not run the job: ${(error as Error).message}`);
    }
    emit({ type: 'job/finished', job: job.id, outcome });
    // Released only now, so "jobs at once" holds for everything the journal shows as running.
    release();
    if (this.#options.failFast && (outcome.state === 'failed' || outcome.state === 'timed-out')) this.cancel(null, 'fail-fast');
  }

  /** What is left of the budget for one more running job: the rest shared by those running. */
  #budgetShare(): number | null {
    const budget = this.#options.budgetUsd;
    if (budget === null) return null;
    return Math.max(0.0001, (budget - this.#spent) / (this.#running.size + 1));
  }

  async #attempt(job: ExecutorJob, attempt: number, mode: { plan?: boolean } = {}): Promise<{ outcome: JobOutcome; retryable: boolean; retryAfterMs: number | null; plan: string | null }> {
    const options = this.#options;
    const worktree = job.worktree as string;
    const dir = runFiles.jobDir(options.runDir, job.id);
    // A run directory removed under the run is not made again: the job has nowhere to write, and ends.
    if (!existsSync(options.runDir)) throw new Error(`the run directory ${options.runDir} is gone`);
    mkdirSync(dir, { recursive: true });
    const { head, untracked } = await startingPoint(options.git, worktree).catch(() => ({ head: null, untracked: new Map<string, string>() }));
    const resume = attempt === (job.attempts ?? 0) + 1 && job.resumeSessionId ? { resumeSessionId: job.resumeSessionId } : {};
    const invocation = options.adapter.invocation({
      prompt: job.prompt,
      cwd: worktree,
      sessionId: randomUUID(),
      ...resume,
      model: options.model,
      permissionMode: options.permissionMode,
      maxBudgetUsd: this.#budgetShare(),
      ...(mode.plan ? { plan: true } : {}),
    });
    const env: NodeJS.ProcessEnv = { ...options.env, ...invocation.env };
    for (const name of invocation.unsetEnv) delete env[name];

    // Later attempts append: output.log keeps every attempt, byte for byte.
    const flags = attempt === 1 && !job.appendOutput ? 'w' : 'a';
    const outputPath = runFiles.output(options.runDir, job.id);
    const stderrPath = runFiles.stderr(options.runDir, job.id);
    const outFd = openSync(outputPath, flags);
    const errFd = openSync(stderrPath, flags);
    const outStart = fstatSync(outFd).size;
    const errStart = fstatSync(errFd).size;
    const parser = options.adapter.parser(worktree);
    let child;
    try {
      child = options.spawner.spawn({ argv: invocation.argv, cwd: worktree, env, stdin: invocation.stdin, stdout: outFd, stderr: errFd, supervisorPid: options.supervisorPid });
    } finally {
      // The agent holds its own copies of the descriptors.
      closeSync(outFd);
      closeSync(errFd);
    }
    const outTail = new FileTail(outputPath, outStart);
    const errTail = new FileTail(stderrPath, errStart);
    options.emit({ type: 'job/started', job: job.id, attempt, pid: child.pid, session_id: invocation.sessionId, head, ...(mode.plan ? { phase: 'plan' as const } : {}) });

    let pending: JobProgress = {};
    let flushTimer: NodeJS.Timeout | undefined;
    const flush = (): void => {
      if (flushTimer) clearTimeout(flushTimer);
      flushTimer = undefined;
      if (Object.keys(pending).length === 0) return;
      options.emit({ type: 'job/progress', job: job.id, progress: pending });
      pending = {};
    };
    const splitter = new LineSplitter(
      (bytes) => {
        if (parser.skip?.(bytes)) return;
        const progress = parser.line(bytes.toString('utf8'));
        if (!progress) return;
        pending = { ...pending, ...progress };
        flushTimer ??= setTimeout(flush, PROGRESS_INTERVAL_MS);
      },
      parser.skipRegion?.bind(parser),
    );

    let stopped: StopReason | null = null;
    let killTimer: NodeJS.Timeout | undefined;
    const stop = (why: StopReason): void => {
      if (stopped) return;
      stopped = why;
      child.signalGroup('SIGTERM');
      killTimer = setTimeout(() => child.signalGroup('SIGKILL'), KILL_GRACE_MS);
    };
    this.#running.set(job.id, { stop });
    const lateStop = this.#cancelAll ?? this.#cancelled.get(job.id);
    if (lateStop) stop(lateStop);

    const timeout = options.timeoutMs > 0 ? setTimeout(() => stop({ state: 'timed-out', reason: 'timeout' }), options.timeoutMs) : undefined;
    let idle: NodeJS.Timeout | undefined;
    const resetIdle = (): void => {
      if (options.idleTimeoutMs <= 0) return;
      if (idle) clearTimeout(idle);
      idle = setTimeout(() => stop({ state: 'timed-out', reason: 'idle' }), options.idleTimeoutMs);
    };
    resetIdle();

    const feed = (chunk: Buffer): void => splitter.push(chunk);
    const reader = setInterval(() => {
      // Output on either stream counts as a sign of life.
      const wrote = outTail.read(feed);
      const complained = errTail.grew();
      if (wrote || complained) resetIdle();
    }, READ_MS);

    const exit = await child.exited;
    clearInterval(reader);
    // The agent is gone: whatever it started in its group goes with it.
    child.signalGroup('SIGKILL');
    for (const timer of [timeout, idle, killTimer]) if (timer) clearTimeout(timer);
    this.#running.delete(job.id);
    outTail.read(feed, Number.POSITIVE_INFINITY);
    splitter.end();
    flush();
    const stderrTail = errTail.tail(STDERR_TAIL_BYTES, errStart);
    outTail.close();
    errTail.close();

    const stop_ = stopped as StopReason | null;
    const tail = tailText(stderrTail.toString('utf8'));
    const result: AgentResult = exit.spawnError
      ? { ...emptyOutcome('failed', null, `the agent could not be started: ${exit.spawnError}`), retryable: false }
      : parser.finish({ exitCode: exit.code, signal: exit.signal, stoppedByPar: stop_ !== null, stderrTail: tail });

    let state: JobOutcome['state'] = result.state;
    let reason: string | null = null;
    if (stop_ && result.state !== 'succeeded') {
      state = stop_.state;
      reason = stop_.reason;
    }

    const outcome: JobOutcome = {
      state,
      reason,
      exit_code: result.exit_code,
      signal: result.signal,
      error: state === 'timed-out' ? `stopped after ${reason === 'idle' ? 'no output for the idle timeout' : 'the timeout'}` : result.error,
      result: result.result,
      denials: result.denials,
      session_id: result.session_id ?? invocation.sessionId,
      cost_usd: result.cost_usd,
      turns: result.turns,
      tokens: result.tokens,
      diffstat: null,
    };
    try {
      // A plan changes nothing: there is nothing to commit or count.
      if (job.created && options.commitResults && !mode.plan) {
        await commitResults(options.git, worktree, `par: ${job.id} (run ${options.runId}, ${state})`);
      }
      if (!mode.plan) outcome.diffstat = await diffstat(options.git, worktree, job.baseHead ?? head, job.created ? new Map() : untracked);
    } catch (error) {
      options.log.warn('could not record the job\'s changes', { job: job.id, error });
    }
    const retryAfter = /retry[- ]after[:\s]+(\d+)/i.exec(`${result.error ?? ''} ${tail}`);
    return { outcome, retryable: result.retryable && stop_ === null, retryAfterMs: retryAfter ? Number(retryAfter[1]) * 1000 : null, plan: result.plan ?? null };
  }
}
