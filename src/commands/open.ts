import { UserError } from '../core/errors.js';
import { FINAL_STATES } from '../core/events.js';
import { agentOf } from '../core/run-plan.js';
import { findRun, loadRunState, jobIn } from '../rundir/runs.js';
import { claudeLocation, jobWindow, parLocation } from '../terminal/job-window.js';
import { launchFor, openWindow } from '../terminal/open-window.js';
import type { CommandContext } from './context.js';

/** Opens a job in a new terminal window (DESIGN §7); resolves to a sentence saying what opened where. */
export async function openJob(ctx: CommandContext, runId: string, jobId: string): Promise<string> {
  const { state, plan } = loadRunState(ctx.paths.dataDir, runId);
  const job = jobIn(state, jobId);
  const agent = agentOf(plan, job.id);
  const { config } = await ctx.config();
  const request = jobWindow({
    runId,
    job,
    claudeBinary: agent.kind === 'claude' ? agent.binary : null,
    shell: ctx.env.SHELL || '/bin/sh',
    par: { node: ctx.launcher.node, script: ctx.launcher.script, env: parLocation(ctx.env) },
    // The run's agents ran with the launcher's environment: the resumed session is looked for there.
    agentEnv: claudeLocation(ctx.launcher.env),
    waitAfterCommand: config.terminal.wait_after_command,
  });
  if (typeof request === 'string') throw new UserError(request);
  const env = ctx.env as NodeJS.ProcessEnv;
  const launch = launchFor(request, config.terminal, env);
  await openWindow(launch, request, env);
  ctx.log.info('window opened', { run: runId, job: jobId, argv: launch.argv });
  const what = !FINAL_STATES.has(job.state) ? 'the live transcript' : request.argv.includes('--resume') ? 'the claude session' : 'a shell';
  return `Opened ${what} of job ${jobId} in ${launch.terminal === 'command' ? launch.argv[0] : launch.terminal.replace('-macos', '')}.`;
}

/** `par open <run> <job>`. */
export async function runOpen(ctx: CommandContext, query: string, jobId: string): Promise<number> {
  ctx.stdout.write(`${await openJob(ctx, findRun(ctx.paths.dataDir, query, null), jobId)}\n`);
  return 0;
}
