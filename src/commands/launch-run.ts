import { launchSupervisor, type EarlySupervisor } from '../os/launch-detached.js';
import { createRunDirectory } from '../rundir/create.js';
import { writeRunPlan } from '../rundir/plan.js';
import type { CommandContext } from './context.js';
import type { PreparedRun } from './run-setup.js';

/**
 * Writes the run directory and starts its supervisor, detached, with this
 * process's environment: the one started early when it is still there.
 */
export function launchRun(ctx: CommandContext, prepared: PreparedRun, early?: EarlySupervisor): string {
  const { plan } = prepared;
  // Known from the start, so a run whose supervisor has not yet written its first event never reads as interrupted.
  let pid = early?.pid();
  const dir = createRunDirectory(ctx.paths.dataDir, pid === undefined ? plan : { ...plan, supervisor_pid: pid }, prepared.prompts);
  if (pid === undefined || early?.begin() !== true) {
    pid = launchSupervisor(ctx.launcher, { runDir: dir, cwd: ctx.cwd });
    if (pid !== undefined) writeRunPlan(dir, { ...plan, supervisor_pid: pid });
  }
  ctx.log.info('run started', { run: plan.id, supervisor: pid, jobs: plan.jobs.length });
  return dir;
}
