import { createInterface } from 'node:readline/promises';
import { UserError } from '../core/errors.js';
import { listStoredRuns } from '../rundir/stored-runs.js';
import { planCleanup, runCleanup, type RunCleanup, type WorktreeAction } from '../git/cleanup.js';
import { WorktreeRegistry } from '../git/worktree-registry.js';
import type { CommandContext } from './context.js';
import type { ParConfig } from '../config/settings.js';

/** Options of `par clean`. */
export interface CleanOptions {
  all?: boolean;
  failed?: boolean;
  force?: boolean;
  dryRun?: boolean;
  discard?: boolean;
}

function describeAction(action: WorktreeAction): string {
  const path = action.record.path;
  switch (action.kind) {
    case 'remove':
      return `  remove   ${path}  (${action.branchNote})`;
    case 'forget':
      return `  forget   ${path}  (already deleted; ${action.branchNote})`;
    case 'keep':
      return `  keep     ${path}  (${action.reason})`;
    case 'discard':
      return `  discard  ${path}  (${action.changes}; saved first to ${action.salvageDir})`;
  }
}

function describePlan(plans: readonly RunCleanup[]): string {
  const lines: string[] = [];
  for (const plan of plans) {
    const phase = plan.run ? plan.run.phase : 'no run data';
    lines.push(`Run ${plan.runId} (${phase})`);
    for (const action of plan.actions) lines.push(describeAction(action));
    if (plan.run) lines.push(plan.deleteRunData ? `  delete   run data ${plan.run.dir}` : '  keep     run data (a worktree of it stays)');
  }
  return `${lines.join('\n')}\n`;
}

async function confirm(ctx: CommandContext, question: string): Promise<boolean> {
  const rl = createInterface({ input: ctx.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}

/** What clean does on the hosts for these runs: the lines of its plan and how to carry it out; null when no job of them ran elsewhere. */
async function remoteCleanup(ctx: CommandContext, runDirs: readonly string[], executors: ParConfig['executors']): Promise<{ lines: string; kept: Set<string>; run: () => Promise<string[]> } | null> {
  const { planRemoteCleanup, runRemoteCleanup, describeRemote } = await import('../remote/clean-remote.js');
  const { createCommandRunner } = await import('../os/command-runner.js');
  const deps = { runner: createCommandRunner(), git: await ctx.git(), env: ctx.env as NodeJS.ProcessEnv, cwd: ctx.cwd };
  const actions = await planRemoteCleanup(runDirs, executors, deps);
  if (actions.length === 0) return null;
  const kept = new Set(actions.filter((action) => action.kind === 'keep').map((action) => action.run));
  return { lines: `On hosts:\n${actions.map(describeRemote).join('\n')}\n`, kept, run: () => runRemoteCleanup(actions, executors, deps) };
}

/** `par clean`: removes old run data and par-made worktrees, never losing work (DESIGN §5.4). */
export async function runClean(ctx: CommandContext, options: CleanOptions): Promise<number> {
  const { config } = await ctx.config();
  const git = await ctx.git();
  const registry = new WorktreeRegistry(ctx.paths.dataDir);
  const plans = await planCleanup({
    git,
    dataDir: ctx.paths.dataDir,
    runs: listStoredRuns(ctx.paths.dataDir),
    records: registry.read(),
    keepDays: config.defaults.keep_days,
    all: options.all ?? false,
    failedOnly: options.failed ?? false,
    discard: options.discard ?? false,
    now: new Date(),
  });
  if (plans.length === 0) {
    ctx.stdout.write(options.all ? 'Nothing to clean.\n' : `Nothing older than ${config.defaults.keep_days} days to clean (--all cleans every finished run).\n`);
    return 0;
  }
  // Worktrees the cleaned runs made on ssh hosts: read before the run data goes, which stays while one of them does.
  const runDirs = plans.flatMap((plan) => (plan.run ? [plan.run.dir] : []));
  const remote = await remoteCleanup(ctx, runDirs, config.executors);
  for (const plan of plans) if (remote?.kept.has(plan.runId)) plan.deleteRunData = false;
  ctx.stdout.write(describePlan(plans));
  if (remote) ctx.stdout.write(remote.lines);
  if (options.dryRun) return 0;
  if (!options.force) {
    const interactive = Boolean(ctx.stdin.isTTY && ctx.stdout.isTTY);
    if (!interactive) throw new UserError('par clean asks before removing anything; pass -f to go ahead, or --dry-run to only list.');
    if (!(await confirm(ctx, 'Go ahead? [y/N] '))) {
      ctx.stdout.write('Nothing was changed.\n');
      return 0;
    }
  }
  const outcomes = await runCleanup(git, plans, (path) => registry.remove(path));
  for (const outcome of outcomes) ctx.stdout.write(`${outcome.message}\n`);
  for (const line of (await remote?.run()) ?? []) ctx.stdout.write(`${line}\n`);
  ctx.log.info('clean', { outcomes: outcomes.map((outcome) => outcome.message) });
  return 0;
}
