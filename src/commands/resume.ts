import { ExitCode, UserError } from '../core/errors.js';
import { readEvents } from '../rundir/journal.js';
import { findRun, loadRunState } from '../rundir/runs.js';
import type { CommandContext } from './context.js';
import { rerunJobs } from './rerun.js';
import { runFiles } from '../rundir/files.js';

/** Options of `par resume`: the output modes of `par run`. */
export interface ResumeOptions {
  detach?: boolean;
  json?: boolean;
  tui?: boolean;
  terminalOutput?: boolean;
}

/**
 * `par resume <run>` (DESIGN §9): runs the jobs that did not succeed again
 * in their worktrees, as new attempts of the same run, continuing each
 * agent session where one was started.
 */
export async function runResume(ctx: CommandContext, query: string, options: ResumeOptions): Promise<number> {
  const runId = findRun(ctx.paths.dataDir, query, null);
  const { state, plan, dir } = loadRunState(ctx.paths.dataDir, runId);
  if (state.state === 'running') {
    throw new UserError(`Run ${runId} is still going (supervisor pid ${state.supervisor_pid ?? '?'}); let it end, or stop it with par cancel ${runId}, then resume it.`);
  }
  const jobs = state.order.filter((id) => state.byId[id]?.state !== 'succeeded');
  if (jobs.length === 0) {
    ctx.stdout.write(options.json ? `${JSON.stringify({ run: runId, resumed: [] })}\n` : `Every job of run ${runId} succeeded; there is nothing to resume.\n`);
    return ExitCode.ok;
  }
  // What the journal held before: following from there shows only the resumed part.
  const afterSeq = readEvents(runFiles.events(dir)).at(-1)?.seq ?? 0;
  await rerunJobs(ctx, { dir, runId, jobs, continueSessions: true });
  ctx.log.info('run resumed', { run: runId, jobs });
  if (options.detach) {
    ctx.stdout.write(options.json ? `${JSON.stringify({ run: runId })}\n` : `${runId}\n`);
    return ExitCode.ok;
  }
  const tui = ctx.stdin.isTTY === true && ctx.stdout.isTTY === true && options.tui !== false && !options.json;
  if (tui) return (await (await import('./load-tui.js')).loadTui()).runTui(ctx, { attach: { runId, dir } });
  const { config } = await ctx.config();
  return (await import('./follow-run.js')).followRun(ctx, dir, runId, {
    json: options.json ?? false,
    terminalOutput: options.terminalOutput ?? config.terminal.show_real_time_output,
    afterSeq,
    // As par run does: off a terminal, plans waiting for review are printed with the approve command, and the run waits.
    leaveWhenWaiting: plan.options.plan === true && plan.options.auto_approve !== true,
  });
}
