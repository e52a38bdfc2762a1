import type { NewRunEvent } from '../core/events.js';
import type { RunPlan } from '../core/run-plan.js';
import type { Logger } from '../logging/logger.js';
import type { ParLauncher } from '../os/launch-detached.js';
import { followWindow, parLocation } from '../terminal/job-window.js';
import { launchFor, openWindow } from '../terminal/open-window.js';

/**
 * `--term`: a window following each job's transcript, opened as the job
 * first starts. The job itself stays headless; a window that cannot open is
 * logged, never a failure of the job.
 */
export function followWindows(plan: RunPlan, deps: { launcher: ParLauncher; log: Logger }): ((event: NewRunEvent) => void) | undefined {
  const term = plan.options.term;
  if (!term) return undefined;
  const worktrees = new Map(plan.jobs.map((job) => [job.id, job.worktree]));
  const opened = new Set<string>();
  return (event) => {
    if (event.type === 'job/worktree-ready') worktrees.set(event.job, event.worktree);
    if (event.type !== 'job/started' || opened.has(event.job)) return;
    const worktree = worktrees.get(event.job);
    if (!worktree) return;
    opened.add(event.job);
    const request = followWindow({ node: deps.launcher.node, script: deps.launcher.script, env: parLocation(deps.launcher.env) }, plan.id, { id: event.job, worktree }, term.wait_after_command);
    void (async () => {
      try {
        await openWindow(launchFor(request, term, deps.launcher.env), request, deps.launcher.env);
      } catch (error) {
        deps.log.warn('could not open a window for the job', { job: event.job, error });
      }
    })();
  };
}
