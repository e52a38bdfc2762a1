import { isUserError } from '../core/errors.js';
import type { CommandContext } from './context.js';
import { terminalWidth } from './context.js';

/**
 * `par list [prompts|worktrees|runs] [--json]`; with no argument, prompts and
 * worktrees. Each kind loads only its own code: listing runs needs no YAML.
 */
export async function runList(ctx: CommandContext, what: string | undefined, options: { json?: boolean }): Promise<number> {
  if (what === 'runs') return (await import('./runs.js')).runListRuns(ctx, options);
  const [{ listPrompts, runListPrompts }, { formatWorktreeTable, listWorktrees, runListWorktrees }] = await Promise.all([import('./prompts.js'), import('./worktrees.js')]);
  if (what === 'prompts') return runListPrompts(ctx, options);
  if (what === 'worktrees') return runListWorktrees(ctx, await ctx.git(), options);

  const prompts = await listPrompts(ctx);
  let worktrees: Awaited<ReturnType<typeof listWorktrees>> | undefined;
  let note: string | undefined;
  try {
    worktrees = await listWorktrees(ctx, await ctx.git());
  } catch (error) {
    // Outside a repository the prompts are still worth showing.
    if (!isUserError(error)) throw error;
    note = error.message;
  }
  for (const warning of worktrees?.warnings ?? []) ctx.stderr.write(`par: warning: ${warning}\n`);
  if (options.json) {
    ctx.stdout.write(`${JSON.stringify({ prompts, worktrees: worktrees?.listings ?? [] }, null, 2)}\n`);
    return 0;
  }
  ctx.stdout.write('Prompts\n');
  await runListPrompts(ctx, options, prompts);
  ctx.stdout.write('\nWorktrees\n');
  if (note !== undefined) ctx.stdout.write(`${note}\n`);
  else if (!worktrees || worktrees.listings.length === 0) ctx.stdout.write('No worktrees found.\n');
  else ctx.stdout.write(formatWorktreeTable(worktrees.listings, ctx.paths.home, terminalWidth(ctx.stdout)));
  return 0;
}
