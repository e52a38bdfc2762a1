import { randomUUID } from 'node:crypto';
import { closeSync, existsSync, fstatSync, mkdirSync, openSync, watch, type FSWatcher } from 'node:fs';
import type { AgentAdapter, AgentInvocation, AgentResult, OutputParser } from '../agents/agent.js';
import { tailText } from '../agents/agent.js';
import type { JobOutcome, JobProgress, NewRunEvent } from '../core/events.js';
import type { Git } from '../git/git.js';
import { commitResults, jobChanges, startingPoint, type StartingPoint } from '../git/job-results.js';
import type { Logger } from '../logging/logger.js';
import type { GroupProcess, ProcessSpawner } from '../os/process-group.js';
import { runFiles } from '../rundir/files.js';
import { attemptOutcome, emptyOutcome, type StopReason } from './attempt-outcome.js';
import type { ToolCall } from '../permissions/rules.js';
import { Conversation, inputSummary, type Judgement } from './conversation.js';
import { FileTail } from './file-tail.js';
import type { JobHost, RemoteJob } from './hosts.js';
import { LineSplitter } from './line-splitter.js';

/** After SIGTERM, a job's group gets SIGKILL this much later (DESIGN §4). */
export const KILL_GRACE_MS = 5000;
/** Progress reaches the journal at most this often per job; state changes go at once. */
const PROGRESS_INTERVAL_MS = 250;
/** stderr kept in memory for the error text; the whole goes to stderr.log. */
const STDERR_TAIL_BYTES = 8192;
/** How often a running job's output file is read for progress: often enough to feel live. */
const READ_MS = 100;
/** A two-way agent's output is read this long after it last wrote (it has paused, most often to wait for an answer). */
const QUIET_MS = 3;

/** One job as an attempt runs it. */
export interface AttemptJob {
  id: string;
  worktree: string;
  /** par made the worktree: its results are committed to its branch. */
  created: boolean;
  prompt: string;
  /** Attempts made before this execution. */
  attempts?: number;
  /** Continue this agent session on the first attempt instead of a fresh one. */
  resumeSessionId?: string | null;
  /** The HEAD the job first started from: its diffstat stays against that. */
  baseHead?: string | null;
  /** Append to the job's log even on attempt 1 (an execution after its planning). */
  appendOutput?: boolean;
}

/** What every attempt of a run shares: the agent, the ports, the limits. */
export interface AttemptSettings {
  runId: string;
  runDir: string;
  adapter: AgentAdapter;
  model: string | null;
  permissionMode: string | null;
  commitResults: boolean;
  timeoutMs: number;
  idleTimeoutMs: number;
  git: Git;
  spawner: ProcessSpawner;
  emit: (event: NewRunEvent) => void;
  supervisorPid: number;
  env: NodeJS.ProcessEnv;
  log: Logger;
  /** How the run answers its agents over the two-way channel; absent: nothing is ever asked (one-shot). */
  talk?: AttemptTalk;
  /** Where this attempt's agent runs when not here (an ssh host, a container; DESIGN §18). */
  host?: JobHost;
  /** `defaults.nice`: how far below par an agent here runs; absent: the same priority. */
  nice?: number;
}

/** The run's side of each conversation (DESIGN §14). */
export interface AttemptTalk {
  /** Rules, preset and classifier on a call in a worktree. */
  judge(call: ToolCall, plan: boolean, worktree: string): Promise<Judgement>;
  allowAlways(rule: string): void;
  onAsk: 'wait' | 'deny';
  inputTimeoutMs: number;
  /** The user's deny rules, handed to the agent too. */
  denyRules: readonly string[];
}

/** This attempt's share of the run: its budget, and how it is stopped from outside. */
export interface AttemptControl {
  maxBudgetUsd: number | null;
  /** Plan only (`--plan`). */
  plan?: boolean;
  /** Called as the agent starts with the way to stop it and its conversation (two-way agents); `ended` when it has ended. */
  started(stop: (why: StopReason) => void, conversation: Conversation | null): void;
  /** Messages sent to the job before this attempt started: delivered after its prompt. */
  held?: readonly string[];
  ended(): void;
  /**
   * The agent has exited, not at a usage limit, and its changes are about to
   * be counted: what it held to run (its place among the jobs at once, its
   * place on the machine) may go to the next job now, which sees what this
   * attempt cost.
   */
  agentGone?(costUsd: number | null): void;
  /** A stop asked for before the agent started (a cancel that came meanwhile). */
  pendingStop(): StopReason | undefined;
}

/** How an attempt ended, with what the retry policy needs. */
export interface AttemptResult {
  outcome: JobOutcome;
  retryable: boolean;
  retryAfterMs: number | null;
  plan: string | null;
  /** A usage limit ended the attempt: when it resets (epoch seconds, when known). */
  limit: { resetsAt: number | null; type: string | null } | null;
}

/** The agent's log files for this attempt, opened for it to write to (later attempts append). */
function openLogs(runDir: string, job: AttemptJob, attempt: number): { out: number; err: number; outPath: string; errPath: string } {
  const flags = attempt === 1 && !job.appendOutput ? 'w' : 'a';
  const outPath = runFiles.output(runDir, job.id);
  const errPath = runFiles.stderr(runDir, job.id);
  return { out: openSync(outPath, flags), err: openSync(errPath, flags), outPath, errPath };
}

function invocationFor(settings: AttemptSettings, job: AttemptJob, attempt: number, control: AttemptControl, cwd: string): AgentInvocation {
  const resume = attempt === (job.attempts ?? 0) + 1 && job.resumeSessionId ? { resumeSessionId: job.resumeSessionId } : {};
  return settings.adapter.invocation({
    prompt: job.prompt,
    cwd,
    sessionId: randomUUID(),
    ...resume,
    model: settings.model,
    permissionMode: settings.permissionMode,
    maxBudgetUsd: control.maxBudgetUsd,
    ...(control.plan ? { plan: true } : {}),
    ...(settings.talk ? { denyRules: settings.talk.denyRules } : {}),
  });
}

/** The job timeout and the idle timeout, which stand still while a person is awaited (DESIGN §14). */
class Clocks {
  #timeout: NodeJS.Timeout | undefined;
  #idle: NodeJS.Timeout | undefined;
  #timeoutLeft: number;
  #since = performance.now();
  #held = false;
  readonly #idleMs: number;
  readonly #expire: (why: StopReason) => void;

  constructor(timeoutMs: number, idleMs: number, expire: (why: StopReason) => void) {
    this.#timeoutLeft = timeoutMs;
    this.#idleMs = idleMs;
    this.#expire = expire;
    this.#startTimeout();
    this.activity();
  }

  #startTimeout(): void {
    if (this.#timeoutLeft <= 0) return;
    this.#since = performance.now();
    this.#timeout = setTimeout(() => this.#expire({ state: 'timed-out', reason: 'timeout' }), Math.max(1, this.#timeoutLeft));
  }

  /** A sign of life: the idle clock starts again. */
  activity(): void {
    if (this.#idleMs <= 0 || this.#held) return;
    if (this.#idle) clearTimeout(this.#idle);
    this.#idle = setTimeout(() => this.#expire({ state: 'timed-out', reason: 'idle' }), this.#idleMs);
  }

  hold(on: boolean): void {
    if (on === this.#held) return;
    this.#held = on;
    if (on) {
      if (this.#timeout) this.#timeoutLeft -= performance.now() - this.#since;
      this.stop();
    } else {
      this.#startTimeout();
      this.activity();
    }
  }

  stop(): void {
    for (const timer of [this.#timeout, this.#idle]) if (timer) clearTimeout(timer);
    this.#timeout = undefined;
    this.#idle = undefined;
  }
}

/** Progress read from the output, merged and handed on at most every PROGRESS_INTERVAL_MS (or at once by `flush`). */
class CoalescedProgress {
  #pending: JobProgress = {};
  #timer: NodeJS.Timeout | undefined;
  readonly #emit: (progress: JobProgress) => void;

  constructor(emit: (progress: JobProgress) => void) {
    this.#emit = emit;
  }

  add(progress: JobProgress | undefined): void {
    if (!progress) return;
    this.#pending = { ...this.#pending, ...progress };
    this.#timer ??= setTimeout(() => this.flush(), PROGRESS_INTERVAL_MS);
  }

  flush(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    if (Object.keys(this.#pending).length === 0) return;
    this.#emit(this.#pending);
    this.#pending = {};
  }
}

/** Calls `read` soon after the file changes (inotify, FSEvents), once per burst; returns how to stop. */
function readOnChange(path: string, read: () => void): () => void {
  let last = 0;
  let timer: NodeJS.Timeout | undefined;
  // Read once the agent has paused for QUIET_MS: it pauses after each request (it waits for the answer),
  // while a stream of output is left to the regular reads instead of one read per write.
  const fire = (): void => {
    const wait = last + QUIET_MS - performance.now();
    if (wait > 0) {
      timer = setTimeout(fire, wait);
      return;
    }
    timer = undefined;
    read();
  };
  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(path, () => {
      last = performance.now();
      timer ??= setTimeout(fire, QUIET_MS);
    });
    watcher.on('error', () => undefined);
  } catch {
    // No file watching here: the regular reads still come.
  }
  return () => {
    watcher?.close();
    clearTimeout(timer);
  };
}

/** A conversation for an agent that holds the channel, wired to this attempt; null for a one-shot agent. */
function converse(settings: AttemptSettings, job: AttemptJob, child: GroupProcess, hooks: { plan: boolean; hold: (on: boolean) => void; end: (why: StopReason) => void }): Conversation | null {
  const wire = settings.adapter.wire;
  const talk = settings.talk;
  if (!wire || !talk || !child.input) return null;
  return new Conversation({
    job: job.id,
    wire,
    input: child.input,
    emit: settings.emit,
    judge: (call, plan) => talk.judge(call, plan, job.worktree),
    allowAlways: (rule) => talk.allowAlways(rule),
    onAsk: talk.onAsk,
    inputTimeoutMs: talk.inputTimeoutMs,
    plan: hooks.plan,
    hold: hooks.hold,
    end: hooks.end,
  });
}

/**
 * Follows a running agent: its output file for progress (coalesced), both
 * files for signs of life (the idle timeout), the job timeout, and stops
 * (SIGTERM to its group, SIGKILL after the grace period). Resolves once the
 * agent has exited, with what par stopped it for.
 */
async function superviseAgent(
  settings: AttemptSettings,
  job: AttemptJob,
  child: GroupProcess,
  io: { parser: OutputParser; outTail: FileTail; errTail: FileTail; control: AttemptControl; prompt: string | null },
): Promise<{ exit: Awaited<GroupProcess['exited']>; stopped: StopReason | null; conversation: Conversation | null }> {
  const progress = new CoalescedProgress((merged) => settings.emit({ type: 'job/progress', job: job.id, progress: merged }));

  let stopped: StopReason | null = null;
  let killTimer: NodeJS.Timeout | undefined;
  const stop = (why: StopReason): void => {
    if (stopped) return;
    stopped = why;
    child.signalGroup('SIGTERM');
    killTimer = setTimeout(() => child.signalGroup('SIGKILL'), KILL_GRACE_MS);
  };
  const clocks = new Clocks(settings.timeoutMs, settings.idleTimeoutMs, stop);
  // Ended by the conversation (no instructions came): stdin is closed and the agent ends by itself; signals only if it lingers.
  const end = (why: StopReason): void => {
    if (stopped) return;
    stopped = why;
    killTimer = setTimeout(() => {
      child.signalGroup('SIGTERM');
      killTimer = setTimeout(() => child.signalGroup('SIGKILL'), KILL_GRACE_MS);
    }, KILL_GRACE_MS);
  };
  const conversation = converse(settings, job, child, { plan: io.control.plan === true, hold: (on) => clocks.hold(on), end });
  const wire = settings.adapter.wire;
  const { parser } = io;
  const splitter = new LineSplitter((bytes) => {
    if (wire && wire.mayHold(bytes)) {
      const event = wire.decode(bytes.toString('utf8'));
      if (event?.kind === 'usage' && event.status !== 'allowed') {
        settings.emit({ type: 'run/usage', status: event.status, resets_at: event.resetsAt === null ? null : new Date(event.resetsAt * 1000).toISOString(), limit: event.limitType });
      }
      if (event && conversation) {
        // Progress first: the turn's result is journaled before the next message goes.
        progress.add(parser.line(bytes.toString('utf8')));
        if (event.kind === 'result') progress.flush();
        conversation.onEvent(event);
        return;
      }
    }
    if (parser.skip?.(bytes)) return;
    progress.add(parser.line(bytes.toString('utf8')));
  }, parser.skipRegion?.bind(parser));

  io.control.started(stop, conversation);
  const late = io.control.pendingStop();
  if (late) stop(late);
  if (conversation) conversation.start(io.prompt ?? '', io.control.held ?? []);
  const feed = (chunk: Buffer): void => splitter.push(chunk);
  const read = (): void => {
    // Output on either stream counts as a sign of life.
    const wrote = io.outTail.read(feed);
    const complained = io.errTail.grew();
    if (wrote || complained) clocks.activity();
  };
  const reader = setInterval(read, READ_MS);
  // A two-way agent waits for answers: its output is read as it is written, not at the next tick.
  const unwatch = conversation ? readOnChange(runFiles.output(settings.runDir, job.id), read) : () => undefined;

  const exit = await child.exited;
  clearInterval(reader);
  unwatch();
  // The agent is gone: whatever it started in its group goes with it.
  child.signalGroup('SIGKILL');
  clocks.stop();
  if (killTimer) clearTimeout(killTimer);
  io.outTail.read(feed, Number.POSITIVE_INFINITY);
  splitter.end();
  conversation?.close();
  io.control.ended();
  progress.flush();
  return { exit, stopped, conversation };
}

/** Commits a par-made worktree's results and counts the job's changes; a failure here is logged, never the job's. */
async function recordChanges(settings: AttemptSettings, job: AttemptJob, outcome: JobOutcome, start: StartingPoint): Promise<void> {
  try {
    if (job.created && settings.commitResults) {
      await commitResults(settings.git, job.worktree, `par: ${job.id} (run ${settings.runId}, ${outcome.state})`);
    }
    const changes = await jobChanges(settings.git, job.worktree, job.baseHead ?? start.head, job.created ? null : start.at);
    outcome.diffstat = changes.diffstat;
    outcome.changed = changes.paths;
  } catch (error) {
    settings.log.warn("could not record the job's changes", { job: job.id, error });
  }
}

/** The work done elsewhere, committed there and fast-forwarded into the local worktree; when it cannot come back, the job fails saying where it is. */
async function bringBack(settings: AttemptSettings, job: AttemptJob, remote: RemoteJob, outcome: JobOutcome): Promise<void> {
  try {
    await remote.bringBack(`par: ${job.id} (run ${settings.runId}, ${outcome.state})`);
  } catch (error) {
    settings.log.warn("could not bring a job's work back", { job: job.id, error });
    outcome.state = 'failed';
    outcome.error = (error as Error).message;
  }
}

/**
 * One attempt of a job: the agent started in its worktree in its own
 * process group, writing straight to its log files (stdout and stderr); its
 * progress, timeouts and stops followed; its outcome read by its adapter;
 * its changes committed and counted.
 */
export async function runAttempt(settings: AttemptSettings, job: AttemptJob, attempt: number, control: AttemptControl): Promise<AttemptResult> {
  // A run directory removed under the run is not made again: the job has nowhere to write, and ends.
  if (!existsSync(settings.runDir)) throw new Error(`the run directory ${settings.runDir} is gone`);
  mkdirSync(runFiles.jobDir(settings.runDir, job.id), { recursive: true });
  const start = await startingPoint(settings.git, job.worktree).catch((): StartingPoint => ({ head: null, at: Date.now() }));
  // Elsewhere, the job's worktree is made there first; its agent gets only what its adapter sets (the host has its own environment).
  const remote: RemoteJob | null = settings.host ? await settings.host.prepare({ runId: settings.runId, id: job.id, worktree: job.worktree }) : null;
  const invocation = invocationFor(settings, job, attempt, control, remote?.cwd ?? job.worktree);
  const env: NodeJS.ProcessEnv = remote ? { ...invocation.env } : { ...settings.env, ...invocation.env };
  for (const name of invocation.unsetEnv) delete env[name];
  const [program = '', ...args] = invocation.argv;
  const argv = remote ? [remote.agentBinary(program), ...args] : invocation.argv;

  const logs = openLogs(settings.runDir, job, attempt);
  const errStart = fstatSync(logs.err).size;
  const outTail = new FileTail(logs.outPath, fstatSync(logs.out).size);
  const errTail = new FileTail(logs.errPath, errStart);
  let child: GroupProcess;
  try {
    const stdin = invocation.channel && settings.talk && settings.adapter.wire ? { hold: true as const } : invocation.stdin;
    child = await (remote?.spawner ?? settings.spawner).spawn({ argv, cwd: remote?.cwd ?? job.worktree, env, stdin, stdout: logs.out, stderr: logs.err, supervisorPid: settings.supervisorPid, ...(remote ? {} : { nice: settings.nice }) });
  } finally {
    // The agent holds its own copies of the descriptors.
    closeSync(logs.out);
    closeSync(logs.err);
  }
  settings.emit({ type: 'job/started', job: job.id, attempt, pid: child.pid, session_id: invocation.sessionId, head: start.head, ...(control.plan ? { phase: 'plan' as const } : {}), ...(settings.host ? { executor: settings.host.name } : {}) });
  const parser = settings.adapter.parser(remote?.cwd ?? job.worktree);
  const { exit, stopped, conversation } = await superviseAgent(settings, job, child, { parser, outTail, errTail, control, prompt: invocation.stdin });
  const stderrTail = tailText(errTail.tail(STDERR_TAIL_BYTES, errStart).toString('utf8'));
  outTail.close();
  errTail.close();

  const lost = stopped === null && !exit.spawnError ? (remote?.lost(exit.code) ?? null) : null;
  const result: AgentResult = exit.spawnError
    ? { ...emptyOutcome('failed', null, `the agent could not be started: ${exit.spawnError}`), retryable: false }
    : lost
      ? { ...emptyOutcome('failed', null, lost.why + (lost.output && stderrTail ? `: ${stderrTail}` : '')), retryable: lost.retryable }
      : parser.finish({ exitCode: exit.code, signal: exit.signal, stoppedByPar: stopped !== null, stderrTail });
  const outcome = attemptOutcome(result, stopped, invocation.sessionId);
  // What the agent refused on its own (its deny rules, its modes) is journaled as the CLI's decision.
  for (const call of result.deniedCalls ?? []) {
    if (conversation?.decided.has(call.toolUseId)) continue;
    settings.emit({ type: 'job/permission', job: job.id, request_id: call.toolUseId, tool: call.tool, input: inputSummary(call.input), decision: 'deny', by: 'cli', rule: null, message: null });
  }
  const limit = conversation?.limit ?? result.limit ?? null;
  // A plan changes nothing: there is nothing to commit or count.
  if (!control.plan) {
    // The agent is gone: the next job may start while this one's changes are counted.
    if (limit === null) control.agentGone?.(outcome.cost_usd);
    if (remote && !lost) await bringBack(settings, job, remote, outcome);
    await recordChanges(settings, job, outcome, start);
  }
  return { outcome, retryable: result.retryable && stopped === null && limit === null, retryAfterMs: result.retryAfterMs ?? null, plan: conversation?.plan ?? result.plan ?? null, limit };
}
