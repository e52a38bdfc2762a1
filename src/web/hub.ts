import type { RunEvent } from '../core/events.js';
import { emptyRunState, markInterrupted, reduceRun, type JobView, type RunState } from '../core/run-state.js';
import type { RunPlan } from '../core/run-plan.js';
import { runDirOf, runFiles } from '../rundir/files.js';
import { LineFollower } from '../rundir/follow.js';
import { parseEventLine } from '../rundir/journal.js';
import { readRunPlan } from '../rundir/plan.js';
import { isRunSupervisor, plannedState, runIds, runSummary, type RunSummary } from '../rundir/runs.js';

/** A change to one run, as the page hears it: the journal event (null: the supervisor is gone), the job it changed, the run's summary after it. */
export interface HubEvent {
  id: string;
  run: string;
  event: RunEvent | null;
  job: JobView | null;
  summary: RunSummary;
}

interface Followed {
  id: string;
  dir: string;
  plan: RunPlan;
  /** The journal folded by the reducer (before its run/started: the jobs the plan asks for). */
  folded: RunState;
  /** What is shown: the fold, or the fold marked interrupted while its supervisor is gone. */
  shown: RunState;
  follower: LineFollower;
  /** When the journal last heard from the supervisor. */
  lastAt: string;
}

export interface HubOptions {
  /** How often the journals of running runs are read. */
  followMs?: number;
  /** How often the run directory is listed for new runs, every journal looked at and supervisors checked. */
  scanMs?: number;
  /** How many events are kept for clients that reconnect. */
  keep?: number;
}

/**
 * Every run on this machine, followed from its journal and folded by the
 * reducer the TUI uses: the web server's one notion of run and job state.
 * Each change gets an id (`<hub>.<n>`) so a client that reconnects is sent
 * what it missed, or a snapshot when that is gone.
 */
export class RunHub {
  readonly #dataDir: string;
  readonly #runs = new Map<string, Followed>();
  readonly #listeners = new Set<(event: HubEvent) => void>();
  readonly #recent: HubEvent[] = [];
  readonly #epoch = Date.now().toString(36);
  readonly #options: Required<HubOptions>;
  #count = 0;
  #timers: NodeJS.Timeout[] = [];

  constructor(dataDir: string, options: HubOptions = {}) {
    this.#dataDir = dataDir;
    this.#options = { followMs: 100, scanMs: 1000, keep: 10_000, ...options };
  }

  /** Reads every run there is now, then follows them. */
  start(): void {
    this.scan(false);
    this.#timers = [setInterval(() => this.#followRunning(), this.#options.followMs), setInterval(() => this.scan(true), this.#options.scanMs)];
    for (const timer of this.#timers) timer.unref();
  }

  stop(): void {
    for (const timer of this.#timers) clearInterval(timer);
    this.#timers = [];
    this.#listeners.clear();
  }

  /** Calls `listener` with each change from now on; returns how to stop. */
  subscribe(listener: (event: HubEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** The id of the latest change (a client asks for what came after it). */
  lastId(): string {
    return `${this.#epoch}.${this.#count}`;
  }

  /** The changes after `id`, or null when they are no longer kept (or `id` is of another server): the client needs a snapshot. */
  since(id: string): HubEvent[] | null {
    const [epoch, count] = id.split('.');
    const after = Number(count);
    if (epoch !== this.#epoch || !Number.isInteger(after) || after > this.#count) return null;
    const oldest = this.#count - this.#recent.length;
    if (after < oldest) return null;
    return this.#recent.slice(after - oldest);
  }

  /** Every run, running ones first, then newest first. */
  summaries(): RunSummary[] {
    return [...this.#runs.values()]
      .map((run) => runSummary(run.id, run.shown, run.plan))
      .sort((a, b) => Number(b.state === 'running') - Number(a.state === 'running') || b.started_at.localeCompare(a.started_at));
  }

  /** A run by its exact id (never a path): its state, plan and directory. */
  run(id: string): { state: RunState; plan: RunPlan; dir: string } | undefined {
    const run = this.#runs.get(id);
    return run && { state: run.shown, plan: run.plan, dir: run.dir };
  }

  /** Lists the run directory for new runs, reads what every journal gained, and checks running runs' supervisors. */
  scan(announce = true): void {
    for (const id of runIds(this.#dataDir)) if (!this.#runs.has(id)) this.#add(id, announce);
    for (const run of this.#runs.values()) {
      run.follower.poll();
      this.#checkSupervisor(run);
    }
  }

  #add(id: string, announce: boolean): void {
    const dir = runDirOf(this.#dataDir, id);
    let plan: RunPlan;
    try {
      plan = readRunPlan(dir);
    } catch {
      // A run directory being written is listed once its plan can be read.
      return;
    }
    const planned = plannedState(id, plan);
    const run: Followed = { id, dir, plan, folded: planned, shown: planned, lastAt: plan.started_at, follower: undefined as unknown as LineFollower };
    // The journal's first event starts the fold afresh: the planned jobs were only a stand-in for its run/started.
    let journal = emptyRunState(id);
    run.follower = new LineFollower(runFiles.events(dir), (line) => {
      const event = parseEventLine(line);
      if (!event) return;
      journal = reduceRun(journal, event);
      if (journal.order.length > 0) run.folded = journal;
      run.shown = run.folded;
      run.lastAt = event.at;
      if (announce || this.#runs.has(id)) this.#emit(run, event);
    });
    run.follower.poll();
    this.#runs.set(id, run);
    this.#checkSupervisor(run);
    if (announce) this.#emit(run, null);
  }

  #followRunning(): void {
    for (const run of this.#runs.values()) if (run.folded.state === 'running') run.follower.poll();
  }

  /** A running run whose supervisor is gone reads as interrupted, as `par status` shows it, until its journal goes on. */
  #checkSupervisor(run: Followed): void {
    if (run.folded.state !== 'running' || run.shown !== run.folded) return;
    if (isRunSupervisor(run.folded.supervisor_pid ?? run.plan.supervisor_pid, run.dir)) return;
    // A supervisor taking the run over writes its pid to the plan first.
    try {
      run.plan = readRunPlan(run.dir);
    } catch {
      return;
    }
    if (isRunSupervisor(run.plan.supervisor_pid, run.dir)) return;
    run.follower.poll();
    if (run.folded.state !== 'running') return;
    run.shown = markInterrupted(run.folded, run.lastAt);
    this.#emit(run, null);
  }

  #emit(run: Followed, event: RunEvent | null): void {
    const jobId = event && 'job' in event && typeof event.job === 'string' ? event.job : null;
    const hubEvent: HubEvent = {
      id: `${this.#epoch}.${++this.#count}`,
      run: run.id,
      event,
      job: jobId === null ? null : (run.shown.byId[jobId] ?? null),
      summary: runSummary(run.id, run.shown, run.plan),
    };
    this.#recent.push(hubEvent);
    if (this.#recent.length > this.#options.keep) this.#recent.splice(0, this.#recent.length - this.#options.keep);
    for (const listener of this.#listeners) listener(hubEvent);
  }
}
