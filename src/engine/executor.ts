import { randomUUID } from 'node:crypto';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import pLimit from 'p-limit';
import type { AgentAdapter, AgentResult } from '../agents/agent.js';
import { tailText } from '../agents/agent.js';
import type { JobOutcome, JobProgress, NewRunEvent } from '../core/events.js';
import type { CreationResult } from '../git/create-worktrees.js';
import type { Git } from '../git/git.js';
import { commitResults, diffstat, headOf, snapshotUntracked } from '../git/job-results.js';
import type { Logger } from '../logging/logger.js';
import type { ProcessSpawner } from './process-spawn.js';

/** After SIGTERM, a job's group gets SIGKILL this much later (DESIGN §4). */
export const KILL_GRACE_MS = 5000;
/** Progress reaches the journal at most this often per job; state changes go at once. */
const PROGRESS_INTERVAL_MS = 250;
/** stderr kept in memory for the error text; the whole goes to stderr.log. */
const STDERR_TAIL_BYTES = 8192;
/** A line longer than this is not handed to the parser (it goes to output.log whole). */
const MAX_LINE_BYTES = 16 * 1024 * 1024;
/** After the agent exits, how long its output pipes may stay open before they are cut. */
const PIPE_DRAIN_MS = 10_000;

/** One job as the executor runs it. */
export interface ExecutorJob {
  id: string;
  /** Null until a new worktree is created for it. */
  worktree: string | null;
  branch: string | null;
  /** par made the worktree: its results are committed to its branch. */
  created: boolean;
  prompt: string;
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
  supervisorPid: number;
  env: NodeJS.ProcessEnv;
  /** New worktrees as they become ready (`--new`, `--tasks`). */
  worktrees?: AsyncIterable<CreationResult>;
  log: Logger;
}

type StopReason = { state: 'timed-out' | 'cancelled'; reason: string };

interface Running {
  stop(stop: StopReason): void;
}

function emptyOutcome(state: JobOutcome['state'], reason: string | null, error: string | null): JobOutcome {
  return { state, reason, exit_code: null, signal: null, error, result: null, denials: [], session_id: null, cost_usd: null, turns: null, tokens: null, diffstat: null };
}

/** Splits a byte stream into lines with bounded memory: an over-long line is skipped, not buffered. */
class LineSplitter {
  #parts: Buffer[] = [];
  #length = 0;
  #skipping = false;
  readonly #onLine: (line: string) => void;

  constructor(onLine: (line: string) => void) {
    this.#onLine = onLine;
  }

  push(chunk: Buffer): void {
    let start = 0;
    for (let newline = chunk.indexOf(10); newline !== -1; newline = chunk.indexOf(10, start)) {
      this.#add(chunk.subarray(start, newline));
      if (!this.#skipping) this.#onLine(Buffer.concat(this.#parts, this.#length).toString('utf8'));
      this.#parts = [];
      this.#length = 0;
      this.#skipping = false;
      start = newline + 1;
    }
    if (start < chunk.length) this.#add(chunk.subarray(start));
  }

  end(): void {
    if (this.#length > 0 && !this.#skipping) this.#onLine(Buffer.concat(this.#parts, this.#length).toString('utf8'));
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
    // Copy: the chunk's buffer may be reused by the stream.
    this.#parts.push(Buffer.from(part));
    this.#length += part.length;
  }
}

function closeStream(stream: WriteStream): Promise<void> {
  return new Promise((resolve) => stream.end(() => resolve()));
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

  constructor(options: ExecutorOptions) {
    this.#options = options;
  }

  /** Cancels one job, or every job when `job` is null (queued ones never start). */
  cancel(job: string | null, reason: string): void {
    const stop: StopReason = { state: 'cancelled', reason };
    if (job === null) {
      this.#cancelAll = stop;
      for (const running of this.#running.values()) running.stop(stop);
      return;
    }
    this.#cancelled.set(job, stop);
    this.#running.get(job)?.stop(stop);
  }

  /** Runs every job to its end. */
  async run(): Promise<void> {
    const limit = pLimit(Math.max(1, this.#options.concurrency));
    const tasks: Promise<void>[] = [];
    const pending = new Map(this.#options.jobs.map((job) => [job.id, job]));
    for (const job of this.#options.jobs) {
      if (job.worktree !== null) {
        pending.delete(job.id);
        tasks.push(limit(() => this.#runJob(job)));
      }
    }
    if (this.#options.worktrees) {
      for await (const created of this.#options.worktrees) {
        const job = pending.get(created.job);
        if (!job) continue;
        pending.delete(created.job);
        if (!created.ok) {
          this.#options.emit({ type: 'job/finished', job: job.id, outcome: emptyOutcome('failed', null, created.error) });
          continue;
        }
        const ready = { ...job, worktree: created.record.path, branch: created.record.branch };
        this.#options.emit({ type: 'job/worktree-ready', job: job.id, worktree: ready.worktree, branch: ready.branch });
        // Each job starts as soon as its own worktree is ready.
        tasks.push(limit(() => this.#runJob(ready)));
      }
    }
    for (const job of pending.values()) {
      this.#options.emit({ type: 'job/finished', job: job.id, outcome: emptyOutcome('failed', null, 'its worktree was never created') });
    }
    await Promise.all(tasks);
  }

  async #runJob(job: ExecutorJob): Promise<void> {
    const { emit } = this.#options;
    const preStop = this.#cancelAll ?? this.#cancelled.get(job.id);
    if (preStop) {
      emit({ type: 'job/finished', job: job.id, outcome: emptyOutcome(preStop.state, preStop.reason, null) });
      return;
    }
    try {
      const outcome = await this.#attempt(job, 1);
      emit({ type: 'job/finished', job: job.id, outcome });
    } catch (error) {
      this.#options.log.error('job crashed', { job: job.id, error });
      emit({ type: 'job/finished', job: job.id, outcome: emptyOutcome('failed', null, `par could not run the job: ${(error as Error).message}`) });
    }
  }

  async #attempt(job: ExecutorJob, attempt: number): Promise<JobOutcome> {
    const options = this.#options;
    const worktree = job.worktree as string;
    const dir = join(options.runDir, 'jobs', job.id);
    mkdirSync(dir, { recursive: true });
    const [head, untracked] = await Promise.all([headOf(options.git, worktree), snapshotUntracked(options.git, worktree)]);
    const invocation = options.adapter.invocation({
      prompt: job.prompt,
      cwd: worktree,
      sessionId: randomUUID(),
      model: options.model,
      permissionMode: options.permissionMode,
    });
    const env: NodeJS.ProcessEnv = { ...options.env, ...invocation.env };
    for (const name of invocation.unsetEnv) delete env[name];

    const output = createWriteStream(join(dir, 'output.log'));
    const errors = createWriteStream(join(dir, 'stderr.log'));
    const parser = options.adapter.parser(worktree);
    const child = options.spawner.spawn({ argv: invocation.argv, cwd: worktree, env, stdin: invocation.stdin, supervisorPid: options.supervisorPid });
    options.emit({ type: 'job/started', job: job.id, attempt, pid: child.pid, session_id: invocation.sessionId, head });

    let pending: JobProgress = {};
    let flushTimer: NodeJS.Timeout | undefined;
    const flush = (): void => {
      if (flushTimer) clearTimeout(flushTimer);
      flushTimer = undefined;
      if (Object.keys(pending).length === 0) return;
      options.emit({ type: 'job/progress', job: job.id, progress: pending });
      pending = {};
    };
    const splitter = new LineSplitter((line) => {
      const progress = parser.line(line);
      if (!progress) return;
      pending = { ...pending, ...progress };
      flushTimer ??= setTimeout(flush, PROGRESS_INTERVAL_MS);
    });

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

    let stderrTail = Buffer.alloc(0);
    child.stdout.on('data', (chunk: Buffer) => {
      output.write(chunk);
      splitter.push(chunk);
      resetIdle();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      errors.write(chunk);
      stderrTail = Buffer.concat([stderrTail, chunk]);
      if (stderrTail.length > STDERR_TAIL_BYTES) stderrTail = stderrTail.subarray(stderrTail.length - STDERR_TAIL_BYTES);
      resetIdle();
    });

    const exit = await child.exited;
    // The agent is gone: whatever it started in its group goes with it.
    child.signalGroup('SIGKILL');
    const drained = await Promise.race([child.closed.then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), PIPE_DRAIN_MS))]);
    if (!drained) {
      child.stdout.destroy();
      child.stderr.destroy();
    }
    for (const timer of [timeout, idle, killTimer]) if (timer) clearTimeout(timer);
    this.#running.delete(job.id);
    splitter.end();
    flush();
    await Promise.all([closeStream(output), closeStream(errors)]);

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
      if (job.created && options.commitResults) {
        await commitResults(options.git, worktree, `par: ${job.id} (run ${options.runId}, ${state})`);
      }
      outcome.diffstat = await diffstat(options.git, worktree, head, job.created ? new Map() : untracked);
    } catch (error) {
      options.log.warn('could not record the job\'s changes', { job: job.id, error });
    }
    return outcome;
  }
}
