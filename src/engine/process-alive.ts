import { readFileSync } from 'node:fs';

/**
 * Whether a process with this pid is alive (EPERM: it is, but is not ours
 * to signal). A zombie — dead, not yet reaped by its parent, as happens
 * under a container's init — counts as gone.
 */
export function processAlive(pid: unknown): boolean {
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
