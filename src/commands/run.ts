import { ExitCode } from '../core/errors.js';
import { lazyGit } from '../git/git.js';
import type { CommandContext } from './context.js';
import { launchRun } from './launch-run.js';
import { shellQuote as quote } from '../core/shell-quote.js';
import { startRun } from './run-start.js';
import type { PreparedRun, RunOptions } from './run-setup.js';


/** The argv a job's attempt would run (with several agents, the named agent's): only a dry run loads the adapters before a run starts. */
async function argvMaker(ctx: CommandContext, plan: PreparedRun['plan']): Promise<(prompt: string, agent?: string) => string[]> {
  const { adapterFor } = await import('../agents/adapter-for.js');
  const adapters = new Map((plan.agents ?? [plan.agent]).map((choice) => [choice.name, adapterFor(choice, ctx.env as NodeJS.ProcessEnv)]));
  const chosen = adapters.get(plan.agent.name) as ReturnType<typeof adapterFor>;
  return (prompt, name) => (adapters.get(name ?? plan.agent.name) ?? chosen).invocation({ prompt, cwd: ctx.cwd, sessionId: '<a new session id per attempt>', model: plan.options.model, permissionMode: plan.options.permission_mode }).argv;
}

async function printDryRun(ctx: CommandContext, prepared: PreparedRun, options: RunOptions): Promise<void> {
  const { plan } = prepared;
  const argvFor = await argvMaker(ctx, plan);
  if (options.json) {
    const jobs = plan.jobs.map((job) => ({ id: job.id, worktree: job.worktree, branch: job.branch, created: job.created, ...(job.agent ? { agent: job.agent } : {}), argv: argvFor(prepared.prompts.get(job.id) ?? '', job.agent), prompt: prepared.prompts.get(job.id) }));
    const on = plan.options.executors?.map((place) => ({ executor: place.name, jobs: place.jobs }));
    ctx.stdout.write(`${JSON.stringify({ run: plan.id, dry_run: true, ...(on ? { on } : {}), jobs }, null, 2)}\n`);
    return;
  }
  ctx.stdout.write(`Dry run: ${plan.jobs.length} job${plan.jobs.length === 1 ? '' : 's'}, ${plan.options.jobs} at once, ${plan.agents ? 'agents' : 'agent'} ${(plan.agents ?? [plan.agent]).map((agent) => agent.name).join(', ')}${plan.options.executors ? `, on ${plan.options.executors.map((place) => `${place.name} (${place.jobs} at once)`).join(', ')} in turn` : ''}; nothing is started or written.\n`);
  for (const job of plan.jobs) {
    const prompt = prepared.prompts.get(job.id) ?? '';
    ctx.stdout.write(`\njob ${job.id}\n`);
    ctx.stdout.write(`  worktree  ${job.worktree ?? '(new) created from the base'}\n`);
    ctx.stdout.write(`  branch    ${job.branch ?? '(detached)'}\n`);
    if (job.agent) ctx.stdout.write(`  agent     ${job.agent}\n`);
    ctx.stdout.write(`  command   ${argvFor(prompt, job.agent).map(quote).join(' ')}\n`);
    ctx.stdout.write(`  stdin     the prompt (${Buffer.byteLength(prompt)} bytes):\n`);
    for (const line of prompt.replace(/\n$/, '').split('\n')) ctx.stdout.write(`    │ ${line}\n`);
  }
}

/** `par run` without a terminal UI: starts the run and follows it to its end. */
export async function runRun(ctx: CommandContext, positional: string[], options: RunOptions): Promise<number> {
  // On a terminal the run is shown in the TUI, unless asked for plain or machine output.
  const tui = ctx.stdin.isTTY === true && ctx.stdout.isTTY === true && options.tui !== false && !options.json && !options.detach && !options.dryRun;
  if (tui && !hasWhere(positional, options)) {
    // Nothing says where to run: the worktree picker asks.
    ctx.runStart?.early.dismiss();
    return (await (await import('./load-tui.js')).loadTui()).runTui(ctx, { runOptions: options, prompt: positional[0] ?? null });
  }
  // The supervisor started as par did (or starts now): it loads alongside the checks, and begins once the run is written.
  const { now, runId, early } = ctx.runStart ?? startRun(ctx.launcher, { dataDir: ctx.paths.dataDir, cwd: ctx.cwd });
  if (options.dryRun) early.dismiss();
  let prepared: PreparedRun;
  try {
    const [{ prepareRun }] = await Promise.all([import('./run-setup.js'), ctx.config()]);
    // Worktrees given by path are read from git's files: git loads only if something needs it.
    prepared = await prepareRun(ctx, lazyGit(ctx.git), positional, options, { now, runId });
  } catch (error) {
    early.dismiss();
    throw error;
  }
  if (options.dryRun) {
    await printDryRun(ctx, prepared, options);
    return ExitCode.ok;
  }
  const dir = launchRun(ctx, prepared, early);
  if (tui) return (await (await import('./load-tui.js')).loadTui()).runTui(ctx, { runOptions: options, attach: { runId, dir } });
  if (options.detach) {
    ctx.stdout.write(options.json ? `${JSON.stringify({ run: runId })}\n` : `${runId}\n`);
    return ExitCode.ok;
  }
  const [{ config }, { followRun }] = await Promise.all([ctx.config(), import('./follow-run.js')]);
  return followRun(ctx, dir, runId, { json: options.json ?? false, terminalOutput: options.terminalOutput ?? config.terminal.show_real_time_output, leaveWhenWaiting: options.plan === true && options.yes !== true });
}

/** Whether the command line says where to run: worktree paths (after a library prompt's name), --all, --new or --tasks. */
function hasWhere(positional: string[], options: RunOptions): boolean {
  const adHoc = options.message !== undefined || options.promptFile !== undefined;
  return positional.length > (adHoc ? 0 : 1) || options.all === true || options.new !== undefined || options.tasks !== undefined;
}
