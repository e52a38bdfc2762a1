import { UserError } from '../core/errors.js';
import { sendCommand } from '../rundir/channel.js';
import { findRun, loadRunState, jobIn } from '../rundir/runs.js';
import type { CommandContext } from './context.js';

/** `par approve <run> [job|--all]`: lets plans waiting for review go ahead. */
export async function runApprove(ctx: CommandContext, query: string, jobId: string | undefined, options: { all?: boolean; always?: boolean; save?: boolean }): Promise<number> {
  const runId = findRun(ctx.paths.dataDir, query, null);
  const { state, dir, plan } = loadRunState(ctx.paths.dataDir, runId);
  // A named job waiting on a permission request, or of a run that plans nothing: approving allows its pending
  // request (DESIGN §14), or says why there is none (answered meanwhile, and by whom). --all never answers requests.
  const job = jobId === undefined ? undefined : state.byId[jobId];
  if (jobId !== undefined && !options.all && job && (job.state === 'needs-input' || options.always || (plan.options.plan !== true && job.state !== 'awaiting-approval'))) {
    return (await import('./talk.js')).approvePermission(ctx, runId, jobId, options);
  }
  const waiting = state.order.filter((id) => state.byId[id]?.state === 'awaiting-approval');
  if (jobId !== undefined && options.all) throw new UserError('Name one job or pass --all, not both.');
  if (jobId === undefined && !options.all) {
    throw new UserError(`Say which plans to approve: par approve ${runId} JOB, or --all${waiting.length ? ` (waiting: ${waiting.join(', ')})` : ''}.`);
  }
  if (state.state !== 'running') throw new UserError(`Run ${runId} has ended (${state.state}); there is no plan waiting in it.`);
  let jobs = waiting;
  if (jobId !== undefined) {
    const job = jobIn(state, jobId);
    if (job.state !== 'awaiting-approval') {
      throw new UserError(`Job ${jobId} is ${job.state}, not awaiting approval${waiting.length ? `; waiting: ${waiting.join(', ')}` : ''}.`);
    }
    jobs = [jobId];
  }
  if (jobs.length === 0) throw new UserError(`No plan of run ${runId} is waiting for approval yet; par status ${runId} shows where its jobs are.`);
  for (const id of jobs) sendCommand(dir, { type: 'approve', job: id });
  ctx.log.info('plans approved', { run: runId, jobs });
  ctx.stdout.write(`Approved ${jobs.join(', ')}; ${jobs.length === 1 ? 'it executes' : 'they execute'} as places free up (par status ${runId}).\n`);
  return 0;
}
