import { join } from 'node:path';
import { UserError } from '../core/errors.js';
import { findRun } from '../rundir/runs.js';
import { currentRepository } from '../git/repository.js';
import type { CommandContext } from './context.js';
import { runsDir } from '../rundir/files.js';

/** `par attach [run]`: the live grid of a run, the latest in this repository when none is named. */
export async function runAttach(ctx: CommandContext, query: string | undefined): Promise<number> {
  if (!ctx.stdin.isTTY || !ctx.stdout.isTTY) {
    throw new UserError(`par attach shows a live screen and needs a terminal; off one, use par status ${query ?? ''} or par results RUN JOB --follow.`.replace('  ', ' '));
  }
  const repository = query === undefined ? await currentRepository(ctx.git, ctx.cwd) : null;
  const runId = findRun(ctx.paths.dataDir, query, repository);
  return (await (await import('./load-tui.js')).loadTui()).runTui(ctx, { attach: { runId, dir: join(runsDir(ctx.paths.dataDir), runId) } });
}
