import { findRun, loadRunState } from '../rundir/runs.js';
import { currentRepository } from '../git/repository.js';
import { terminalWidth, type CommandContext } from './context.js';
import { formatRunTable } from './run-output.js';
import { jobsJson } from '../core/forecast.js';
import { tilde } from '../core/table.js';

/** `par status [run] [--json]`: a run and its jobs; the latest run when none is named. */
export async function runStatus(ctx: CommandContext, query: string | undefined, options: { json?: boolean }): Promise<number> {
  // A run named needs no git: the latest run of the repository here does.
  const repository = query === undefined ? await currentRepository(ctx.git, ctx.cwd) : null;
  const id = findRun(ctx.paths.dataDir, query, repository);
  const { state, plan, dir } = loadRunState(ctx.paths.dataDir, id);
  if (options.json) {
    const jobs = jobsJson(state);
    ctx.stdout.write(`${JSON.stringify({ run: id, state: state.state, started_at: state.started_at ?? plan.started_at, finished_at: state.finished_at, dir, jobs }, null, 2)}\n`);
    return 0;
  }
  ctx.stdout.write(`Run ${id} (${state.state}), started ${plan.started_at.replace('T', ' ').slice(0, 19)} UTC, in ${tilde(dir, ctx.paths.home)}\n`);
  ctx.stdout.write(formatRunTable(state, terminalWidth(ctx.stdout)));
  return 0;
}
