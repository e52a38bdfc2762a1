import { spawn } from 'node:child_process';

/**
 * Starts a run's supervisor: `node <par> __supervise <run-dir> [args]`, detached
 * (its own session, so a terminal's Ctrl+C or hangup never reaches it), with
 * no stdio tied to the caller. Returns its pid.
 */
export function launchSupervisor(options: { script: string; runDir: string; env: NodeJS.ProcessEnv; cwd: string; args?: string[] }): number | undefined {
  // The run's environment is the caller's minus CLAUDECODE (DESIGN §9): claude refuses to start inside another claude.
  const env = { ...options.env };
  delete env.CLAUDECODE;
  const child = spawn(process.execPath, [options.script, '__supervise', options.runDir, ...(options.args ?? [])], {
    detached: true,
    stdio: 'ignore',
    env,
    cwd: options.cwd,
  });
  child.unref();
  return child.pid;
}
