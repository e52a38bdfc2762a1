import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

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

/**
 * A live process's command line: its arguments one by one where /proc
 * tells them, else (macOS) the one line `ps` prints, where arguments with
 * spaces cannot be told apart; null when neither can be read.
 */
export function processCommandLine(pid: number): { argv: string[] } | { line: string } | null {
  try {
    return { argv: readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0$/, '').split('\0') };
  } catch {
    // No /proc: ps tells, as one line.
  }
  try {
    return { line: execFileSync('ps', ['-o', 'command=', '-p', String(pid)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 2000 }).trim() };
  } catch {
    return null;
  }
}
