import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

/**
 * Whether a process with this pid is alive (EPERM: it is, but is not ours
 * to signal). A zombie — dead, not yet reaped by its parent, as happens
 * under a container's init — counts as gone.
 */
export function processAlive(pid: unknown): pid is number {
  if (typeof pid !== 'number' || !Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.charAt(stat.lastIndexOf(')') + 2) !== 'Z';
  } catch {
    // No /proc (macOS): the signal said it exists.
    return true;
  }
}

/** Whether a live process's command line is `… __supervise <run-dir> …`; null when it cannot be read. */
function runsAsSupervisorOf(pid: number, runDir: string): boolean | null {
  const run = basename(runDir);
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    const at = argv.indexOf('__supervise');
    return at >= 0 && basename(argv[at + 1] ?? '') === run;
  } catch {
    // No /proc (macOS): ps tells, as one line.
  }
  try {
    const command = execFileSync('ps', ['-o', 'command=', '-p', String(pid)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 2000 });
    return command.includes(' __supervise ') && command.includes(run);
  } catch {
    return null;
  }
}

/**
 * Whether `pid` is the live supervisor of the run in `runDir`: alive, and
 * its command line is `… __supervise <run-dir> …`. A pid alone is not
 * enough: after a crash or a reboot another process may hold it, and a run
 * read as "running" because of that would stay so forever. When the command
 * line cannot be read at all, being alive is all there is to go on.
 */
export function isRunSupervisor(pid: unknown, runDir: string): boolean {
  if (!processAlive(pid)) return false;
  return runsAsSupervisorOf(pid, runDir) ?? true;
}
