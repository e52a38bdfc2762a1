import { newRunId } from '../core/ids.js';
import { startSupervisorEarly, type ParLauncher } from '../os/launch-detached.js';
import { runDirOf } from '../rundir/files.js';
import type { RunStart } from './context.js';

/**
 * A new run's id, and its supervisor started before the run is checked and
 * written (see startSupervisorEarly): par's bin calls this before loading
 * anything else of par, so the two node start-ups go side by side.
 */
export function startRun(launcher: ParLauncher, where: { dataDir: string; cwd: string }): RunStart {
  const now = new Date();
  const runId = newRunId(now);
  return { now, runId, early: startSupervisorEarly(launcher, { runDir: runDirOf(where.dataDir, runId), cwd: where.cwd }) };
}
