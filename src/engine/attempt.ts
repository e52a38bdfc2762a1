import { randomUUID } from 'node:crypto';
import { closeSync, existsSync, fstatSync, mkdirSync, openSync } from 'node:fs';
import type { AgentAdapter, AgentInvocation, AgentResult, OutputParser } from '../agents/agent.js';
import { tailText } from '../agents/agent.js';
import type { JobOutcome, JobProgress, NewRunEvent } from '../core/events.js';
import type { Git } from '../git/git.js';
import { commitResults, diffstat, startingPoint } from '../git/job-results.js';
import type { Logger } from '../logging/logger.js';
import type { GroupProcess, ProcessSpawner } from '../os/process-group.js';
import { runFiles } from '../rundir/files.js';
import { attemptOutcome, emptyOutcome, type StopReason } from './attempt-outcome.js';
import { FileTail } from './file-tail.js';
import { LineSplitter } from './line-splitter.js';

/** After SIGTERM, a job's group gets SIGKILL this much later (DESIGN §4). */
export const KILL_GRACE_MS = 5000;
/** Progress reaches the journal at most this often per job; state changes go at once. */
const PROGRESS_INTERVAL_MS = 250;
/** stderr kept in memory for the error text; the whole goes to stderr.log. */
const STDERR_TAIL_BYTES = 8192;
/** How often a running job's output file is read for progress: often enough to feel live. */
const READ_MS = 100;

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
}

/** This attempt's share of the run: its budget, and how it is stopped from outside. */
export interface AttemptControl {
  maxBudgetUsd: number | null;
  /** Plan only (`--plan`). */
  plan?: boolean;
  /** Called as the agent starts with the way to stop it; `release` when it has ended. */
  started(stop: (why: StopReason) => void): void;
  ended(): void;
  /** A stop asked for before the agent started (a cancel that came meanwhile). */
  pendingStop(): StopReason | undefined;
}

/** How an attempt ended, with what the retry policy needs. */
export interface AttemptResult {
  outcome: JobOutcome;
  retryable: boolean;
  retryAfterMs: number | null;
  plan: string | null;
}

/** The agent's log files for this attempt, opened for it to write to (later attempts append). */
function openLogs(runDir: string, job: AttemptJob, attempt: number): { out: number; err: number; outPath: string; errPath: string } {
  const flags = attempt === 1 && !job.appendOutput ? 'w' : 'a';
  const outPath = runFiles.output(runDir, job.id);
  const errPath = runFiles.stderr(runDir, job.id);
  return { out: openSync(outPath, flags), err: openSync(errPath, flags), outPath, errPath };
}

function invocationFor(settings: AttemptSettings, job: AttemptJob, attempt: number, control: AttemptControl): AgentInvocation {
  const resume = attempt === (job.attempts ?? 0) + 1 && job.resumeSessionId ? { resumeSessionId: job.resumeSessionId } : {};
  return settings.adapter.invocation({
    prompt: job.prompt,
    cwd: job.worktree,
    sessionId: randomUUID(),
    ...resume,
    model: settings.model,
    permissionMode: settings.permissionMode,
    maxBudgetUsd: control.maxBudgetUsd,
    ...(control.plan ? { plan: true } : {}),
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
  io: { parser: OutputParser; outTail: FileTail; errTail: FileTail; control: AttemptControl },
): Promise<{ exit: Awaited<GroupProcess['exited']>; stopped: StopReason | null }> {
  let pending: JobProgress = {};
  let flushTimer: NodeJS.Timeout | undefined;
  const flush = (): void => {
    if (flushTimer) clearTimeout(flushTimer);
    flushTimer = undefined;
    if (Object.keys(pending).length === 0) return;
    settings.emit({ type: 'job/progress', job: job.id, progress: pending });
    pending = {};
  };
  const { parser } = io;
  const splitter = new LineSplitter((bytes) => {
    if (parser.skip?.(bytes)) return;
    const progress = parser.line(bytes.toString('utf8'));
    if (!progress) return;
    pending = { ...pending, ...progress };
    flushTimer ??= setTimeout(flush, PROGRESS_INTERVAL_MS);
  }, parser.skipRegion?.bind(parser));

  let stopped: StopReason | null = null;
  let killTimer: NodeJS.Timeout | undefined;
  const stop = (why: StopReason): void => {
    if (stopped) return;
    stopped = why;
    child.signalGroup('SIGTERM');
    killTimer = setTimeout(() => child.signalGroup('SIGKILL'), KILL_GRACE_MS);
  };
  io.control.started(stop);
  const late = io.control.pendingStop();
  if (late) stop(late);
  const timeout = settings.timeoutMs > 0 ? setTimeout(() => stop({ state: 'timed-out', reason: 'timeout' }), settings.timeoutMs) : undefined;
  let idle: NodeJS.Timeout | undefined;
  const resetIdle = (): void => {
    if (settings.idleTimeoutMs <= 0) return;
    if (idle) clearTimeout(idle);
    idle = setTimeout(() => stop({ state: 'timed-out', reason: 'idle' }), settings.idleTimeoutMs);
  };
  resetIdle();
  const feed = (chunk: Buffer): void => splitter.push(chunk);
  const reader = setInterval(() => {
    // Output on either stream counts as a sign of life.
    const wrote = io.outTail.read(feed);
    const complained = io.errTail.grew();
    if (wrote || complained) resetIdle();
  }, READ_MS);

  const exit = await child.exited;
  clearInterval(reader);
  // The agent is gone: whatever it started in its group goes with it.
  child.signalGroup('SIGKILL');
  for (const timer of [timeout, idle, killTimer]) if (timer) clearTimeout(timer);
  io.control.ended();
  io.outTail.read(feed, Number.POSITIVE_INFINITY);
  splitter.end();
  flush();
  return { exit, stopped };
}

/** Commits a par-made worktree's results and counts the job's changes; a failure here is logged, never the job's. */
async function recordChanges(settings: AttemptSettings, job: AttemptJob, outcome: JobOutcome, start: { head: string | null; untracked: Map<string, string> }): Promise<void> {
  try {
    if (job.created && settings.commitResults) {
      await commitResults(settings.git, job.worktree, `par: ${job.id} (run ${settings.runId}, ${outcome.state})`);
    }
    outcome.diffstat = await diffstat(settings.git, job.worktree, job.baseHead ?? start.head, job.created ? new Map() : start.untracked);
  } catch (error) {
    settings.log.warn("could not record the job's changes", { job: job.id, error });
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
  const start = await startingPoint(settings.git, job.worktree).catch(() => ({ head: null, untracked: new Map<string, string>() }));
  const invocation = invocationFor(settings, job, attempt, control);
  const env: NodeJS.ProcessEnv = { ...settings.env, ...invocation.env };
  for (const name of invocation.unsetEnv) delete env[name];

  const logs = openLogs(settings.runDir, job, attempt);
  const errStart = fstatSync(logs.err).size;
  const outTail = new FileTail(logs.outPath, fstatSync(logs.out).size);
  const errTail = new FileTail(logs.errPath, errStart);
  let child: GroupProcess;
  try {
    child = settings.spawner.spawn({ argv: invocation.argv, cwd: job.worktree, env, stdin: invocation.stdin, stdout: logs.out, stderr: logs.err, supervisorPid: settings.supervisorPid });
  } finally {
    // The agent holds its own copies of the descriptors.
    closeSync(logs.out);
    closeSync(logs.err);
  }
  settings.emit({ type: 'job/started', job: job.id, attempt, pid: child.pid, session_id: invocation.sessionId, head: start.head, ...(control.plan ? { phase: 'plan' as const } : {}) });
  const parser = settings.adapter.parser(job.worktree);
  const { exit, stopped } = await superviseAgent(settings, job, child, { parser, outTail, errTail, control });
  const stderrTail = tailText(errTail.tail(STDERR_TAIL_BYTES, errStart).toString('utf8'));
  outTail.close();
  errTail.close();

  const result: AgentResult = exit.spawnError
    ? { ...emptyOutcome('failed', null, `the agent could not be started: ${exit.spawnError}`), retryable: false }
    : parser.finish({ exitCode: exit.code, signal: exit.signal, stoppedByPar: stopped !== null, stderrTail });
  const outcome = attemptOutcome(result, stopped, invocation.sessionId);
  // A plan changes nothing: there is nothing to commit or count.
  if (!control.plan) await recordChanges(settings, job, outcome, start);
  return { outcome, retryable: result.retryable && stopped === null, retryAfterMs: result.retryAfterMs ?? null, plan: result.plan ?? null };
}
