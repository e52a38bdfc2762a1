import { launchSupervisor, type EarlySupervisor } from '../os/launch-detached.js';
import { createRunDirectory } from '../rundir/create.js';
import { writeRunPlan } from '../rundir/plan.js';
import type { CommandContext } from './context.js';
import type { PreparedRun, RunOptions } from './run-setup.js';

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

/** What a picker asked to run: a library prompt (or null with -m / a prompt file), worktrees, or fresh ones. */
export interface RunRequest {
  prompt: string | null;
  worktrees: readonly string[];
  newCount: number;
}

/** Checks and starts the run a picker (the TUI's, the web page's) asked for, with `par run`'s options `given`. */
export async function startRequestedRun(ctx: CommandContext, given: RunOptions, request: RunRequest): Promise<{ runId: string; dir: string }> {
  const [git, { prepareRun }] = await Promise.all([ctx.git(), import('./run-setup.js')]);
  // With -m or --prompt-file the prompt is not a library name.
  const adHoc = given.message !== undefined || given.promptFile !== undefined;
  const positional = [...(request.prompt === null || adHoc ? [] : [request.prompt]), ...request.worktrees];
  const runOptions: RunOptions = { ...given, ...(request.newCount > 0 ? { new: String(request.newCount) } : {}) };
  const prepared = await prepareRun(ctx, git, positional, runOptions, { now: new Date() });
  return { runId: prepared.plan.id, dir: launchRun(ctx, prepared) };
}
