import { spawn } from 'node:child_process';

/** How to start par again (a supervisor, a window following a job): its node, its script, the environment to give it. */
export interface ParLauncher {
  node: string;
  script: string;
  env: NodeJS.ProcessEnv;
}

/**
 * Starts a run's supervisor: `node <par> __supervise <run-dir> [args]`, detached
 * (its own session, so a terminal's Ctrl+C or hangup never reaches it), with
 * no stdio tied to the caller. Returns its pid.
 */
export function launchSupervisor(launcher: ParLauncher, options: { runDir: string; cwd: string; args?: string[] }): number | undefined {
  // The run's environment is the caller's minus CLAUDECODE (DESIGN §9): claude refuses to start inside another claude.
  const env = { ...launcher.env };
  delete env.CLAUDECODE;
  const child = spawn(launcher.node, [launcher.script, '__supervise', options.runDir, ...(options.args ?? [])], {
    detached: true,
    stdio: 'ignore',
    env,
    cwd: options.cwd,
  });
  child.unref();
  return child.pid;
}
