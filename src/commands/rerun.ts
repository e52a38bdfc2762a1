import { UserError } from '../core/errors.js';
import { FINAL_STATES } from '../core/events.js';
import type { RunState } from '../core/run-state.js';
import { commandsWritten, sendCommand } from '../rundir/channel.js';
import { launchSupervisor } from '../os/launch-detached.js';
import { processAlive } from '../os/process-alive.js';
import { loadRunState, jobIn } from '../rundir/runs.js';
import { waitFor } from '../rundir/watch.js';
import type { CommandContext } from './context.js';

/** A supervisor writes its first event within a second or so; past this, it did not start. */
const START_WAIT_MS = 10_000;
/** A live supervisor reads commands every 100 ms; past this, it ended before reading ours. */
const REQUEUE_WAIT_MS = 2_000;

/**
 * Runs jobs of a run again as new attempts in the same run: through the
 * run's live supervisor when it is still going, else by starting a new
 * supervisor on the run. Resolves once the journal shows them queued.
 */
export async function rerunJobs(ctx: CommandContext, options: { dir: string; runId: string; jobs: string[]; continueSessions: boolean; messageFile?: string }): Promise<void> {
  const { dir, runId, jobs } = options;
  const { state } = loadRunState(ctx.paths.dataDir, runId);
  for (const id of jobs) {
    const job = jobIn(state, id);
    if (!FINAL_STATES.has(job.state)) throw new UserError(`Job ${id} is still ${job.state}; it can run again once it has ended.`);
  }
  const attempts = new Map(jobs.map((id) => [id, state.byId[id]?.attempt ?? 0]));
  const queued = (now: RunState): boolean => jobs.every((id) => {
    const job = now.byId[id];
    return job !== undefined && (!FINAL_STATES.has(job.state) || job.attempt > (attempts.get(id) ?? 0));
  });
  if (state.state === 'running' && !options.continueSessions) {
    for (const id of jobs) sendCommand(dir, { type: 'rerun', job: id });
    if (await waitFor(dir, runId, queued, { timeoutMs: REQUEUE_WAIT_MS, pastTheEnd: true })) return;
    // The supervisor was ending as the command came: a new one takes the run over.
  }
  // Commands sent before now (the cancel that ended the run, reruns the last supervisor missed) are not for the new one.
  const from = commandsWritten(dir);
  const args = ['--rerun', jobs.join(','), ...(options.continueSessions ? ['--continue'] : []), ...(options.messageFile ? ['--message-file', options.messageFile] : []), '--commands-from', String(from)];
  const pid = launchSupervisor(ctx.launcher, { runDir: dir, cwd: ctx.cwd, args });
  ctx.log.info('run resumed', { run: runId, jobs, supervisor: pid });
  const resumed = await waitFor(dir, runId, (now) => now.supervisor_pid === pid || (pid !== undefined && !processAlive(pid)), { timeoutMs: START_WAIT_MS, pastTheEnd: true });
  if (!resumed || resumed.supervisor_pid !== pid) {
    throw new UserError(`Run ${runId} could not be taken over: another par is running it, or its supervisor failed to start (see the log).`);
  }
}
