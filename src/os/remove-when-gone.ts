import { spawn } from 'node:child_process';

/**
 * Removes `path` once process `pid` has ended, from a small detached shell
 * that outlives the caller: for a folder a dying process, or a git it
 * started, may still write to. It removes it again a moment later, for a
 * straggler's last write. Arguments reach the shell as "$1" and "$2", never
 * as code.
 */
export function removeWhenGone(pid: number, path: string): void {
  const script = 'while kill -0 "$1" 2>/dev/null; do sleep 0.2; done; sleep 1; rm -rf -- "$2"; sleep 2; rm -rf -- "$2"';
  const child = spawn('sh', ['-c', script, 'sh', String(pid), path], { detached: true, stdio: 'ignore' });
  child.unref();
}
