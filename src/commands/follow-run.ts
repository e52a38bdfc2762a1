import type { JobView, RunState } from '../core/run-state.js';
import { FINAL_STATES } from '../core/events.js';
import { ExitCode } from '../core/errors.js';
import { tilde } from '../core/table.js';
import { transcriptLines } from '../core/transcript.js';
import { sendCommand } from '../rundir/channel.js';
import { runFiles } from '../rundir/files.js';
import { LineFollower } from '../rundir/follow.js';
import { watchRun } from '../rundir/watch.js';
import type { CommandContext } from './context.js';
import { formatJobLine, formatRunTable } from './run-output.js';
import { jobJson } from '../core/run-state.js';
import { jobsJson } from '../core/forecast.js';

/** Job logs are read this often for --terminal-output. */
const FOLLOW_MS = 100;

/** True when some job's plan waits for review and no job is doing anything else. */
function waitsForReview(state: RunState): boolean {
  const jobs = state.order.map((id) => state.byId[id]?.state);
  return jobs.includes('awaiting-approval') && jobs.every((job) => job === 'awaiting-approval' || (job !== undefined && FINAL_STATES.has(job)));
}

/** One colour per job for --terminal-output (the 6 readable ANSI colours, in turn). */
const COLOURS = [36, 33, 35, 32, 34, 31];

/** Streams every job's readable output, each line prefixed with its job id. */
class TerminalOutput {
  readonly #followers = new Map<string, LineFollower>();
  readonly #ctx: CommandContext;
  readonly #dir: string;
  readonly #colour: boolean;
  #count = 0;

  constructor(ctx: CommandContext, dir: string) {
    this.#ctx = ctx;
    this.#dir = dir;
    this.#colour = !ctx.env.NO_COLOR && ctx.stdout.isTTY === true;
  }

  start(job: JobView): void {
    if (this.#followers.has(job.id)) return;
    const code = COLOURS[this.#count++ % COLOURS.length];
    const prefix = this.#colour ? `\x1b[${code}m${job.id}\x1b[0m │ ` : `${job.id} │ `;
    const follower = new LineFollower(runFiles.output(this.#dir, job.id), (line) => {
      for (const text of transcriptLines(line, job.worktree ?? '')) this.#ctx.stdout.write(`${prefix}${text}\n`);
    });
    follower.start(FOLLOW_MS * 2);
    this.#followers.set(job.id, follower);
  }

  stop(job: string): void {
    const follower = this.#followers.get(job);
    follower?.stop();
    follower?.poll();
  }

  stopAll(): void {
    for (const id of this.#followers.keys()) this.stop(id);
  }
}

/** Follows a run's journal, printing as it goes; resolves to the exit code. */
export function followRun(ctx: CommandContext, dir: string, runId: string, options: { json?: boolean; terminalOutput?: boolean; afterSeq?: number; leaveWhenWaiting?: boolean }): Promise<number> {
  return new Promise((resolve) => {
    const live = options.terminalOutput && !options.json ? new TerminalOutput(ctx, dir) : undefined;
    let interruptedBySignal = false;
    const json = options.json === true;
    const out = (text: string): void => void ctx.stdout.write(text);
    if (json) out(`${JSON.stringify({ type: 'run', run: runId, dir })}\n`);
    else out(`Run ${runId} in ${tilde(dir, ctx.paths.home)}\n`);

    const detachSignals = (): void => {
      process.off('SIGINT', onInterrupt);
      process.off('SIGTERM', onInterrupt);
      process.off('SIGHUP', onHangup);
    };
    const watcher = watchRun(dir, runId, {
      onEvent(event, state, before) {
        // A resumed run is followed from where it was taken over; what came before is history.
        if (event.seq <= (options.afterSeq ?? 0)) return;
        if (event.type === 'run/resumed') {
          for (const id of event.jobs) {
            const job = state.byId[id] as JobView;
            out(json ? `${JSON.stringify({ type: 'job', run: runId, ...jobJson(job) })}\n` : formatJobLine(job, event.at, ctx.paths.home));
          }
          return;
        }
        const jobId = 'job' in event && typeof event.job === 'string' && event.type !== 'job/progress' ? event.job : undefined;
        if (event.type === 'run/started' && json) {
          for (const id of state.order) out(`${JSON.stringify({ type: 'job', run: runId, ...jobJson(state.byId[id] as JobView) })}\n`);
        }
        if (jobId === undefined) return;
        if (live && event.type === 'job/started') live.start(state.byId[jobId] as JobView);
        if (live && event.type === 'job/finished') live.stop(jobId);
        const job = state.byId[jobId];
        if (job && (before.byId[jobId]?.state !== job.state || event.type === 'job/worktree-ready')) {
          out(json ? `${JSON.stringify({ type: 'job', run: runId, ...jobJson(job) })}\n` : formatJobLine(job, event.at, ctx.paths.home));
        }
        if (options.leaveWhenWaiting && waitsForReview(state)) leaveWaiting();
      },
      onEnd(state, how) {
        detachSignals();
        live?.stopAll();
        if (how === 'interrupted') ctx.stderr.write(`par: the supervisor of run ${runId} is gone; the run is interrupted.\n`);
        if (json) out(`${JSON.stringify({ type: 'summary', run: runId, state: state.state, jobs: jobsJson(state) })}\n`);
        else out(formatRunTable(state));
        resolve(interruptedBySignal ? ExitCode.interrupted : state.state === 'succeeded' ? ExitCode.ok : ExitCode.failed);
      },
    });

    const onInterrupt = (): void => {
      if (!interruptedBySignal) ctx.stderr.write(`par: cancelling run ${runId}…\n`);
      interruptedBySignal = true;
      sendCommand(dir, { type: 'cancel', job: null, reason: 'signal' });
    };
    // Every job has a plan waiting or has ended: say how to go on, and leave the run waiting.
    const leaveWaiting = (): void => {
      watcher.stop();
      live?.stopAll();
      detachSignals();
      const approve = `par approve ${runId} --all`;
      out(json ? `${JSON.stringify({ type: 'waiting', run: runId, approve })}\n` : `Run ${runId} waits for its plans to be reviewed: ${approve} approves them all, par approve ${runId} JOB one; par cancel ${runId} drops the run.\n`);
      resolve(ExitCode.ok);
    };
    // The terminal went away: stop following, the run goes on.
    const onHangup = (): void => {
      watcher.stop();
      live?.stopAll();
      detachSignals();
      resolve(ExitCode.ok);
    };
    process.on('SIGINT', onInterrupt);
    process.on('SIGTERM', onInterrupt);
    process.on('SIGHUP', onHangup);
  });
}
