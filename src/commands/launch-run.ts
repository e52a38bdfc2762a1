import { launchSupervisor } from '../os/launch-detached.js';
import { createRunDirectory } from '../rundir/create.js';
import { writeRunPlan } from '../rundir/plan.js';
import type { CommandContext } from './context.js';
import type { PreparedRun } from './run-setup.js';

/** Writes the run directory and starts its supervisor, detached, with this process's environment. */
export function launchRun(ctx: CommandContext, prepared: PreparedRun): string {
  const { plan } = prepared;
  const dir = createRunDirectory(ctx.paths.dataDir, plan, prepared.prompts);
  const pid = launchSupervisor(ctx.launcher, { runDir: dir, cwd: ctx.cwd });
  // Known from now on, so a run whose supervisor has not yet written its first event never reads as interrupted.
  if (pid !== undefined) writeRunPlan(dir, { ...plan, supervisor_pid: pid });
  ctx.log.info('run started', { run: plan.id, supervisor: pid, jobs: plan.jobs.length });
  return dir;
}
