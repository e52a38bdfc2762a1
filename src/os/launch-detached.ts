import { spawn } from 'node:child_process';

/** How to start par again (a supervisor, a window following a job): its node, its script, the environment to give it. */
export interface ParLauncher {
  node: string;
  script: string;
  env: NodeJS.ProcessEnv;
  /** A run's supervisor's own entry (dist/supervise.js), started without the CLI's; else `script __supervise`. */
  supervisor?: string;
}

/** The run's environment is the caller's minus CLAUDECODE (DESIGN §9): claude refuses to start inside another claude. */
function supervisorEnv(launcher: ParLauncher): NodeJS.ProcessEnv {
  const env = { ...launcher.env };
  delete env.CLAUDECODE;
  return env;
}

/**
 * Starts a run's supervisor: `node <its entry> __supervise <run-dir> [args]`, detached
 * (its own session, so a terminal's Ctrl+C or hangup never reaches it), with
 * no stdio tied to the caller. Returns its pid.
 */
export function launchSupervisor(launcher: ParLauncher, options: { runDir: string; cwd: string; args?: string[] }): number | undefined {
  const child = spawn(launcher.node, [launcher.supervisor ?? launcher.script, '__supervise', options.runDir, ...(options.args ?? [])], {
    detached: true,
    stdio: 'ignore',
    env: supervisorEnv(launcher),
    cwd: options.cwd,
  });
  child.unref();
  return child.pid;
}

/** A supervisor started before its run directory is written: told to begin once it is, or dismissed. */
export interface EarlySupervisor {
  /** Its pid while it waits; undefined once it is gone (another must be launched). */
  pid(): number | undefined;
  /** Tells it to take the run over; false when it is gone and another must be launched. */
  begin(): boolean;
  /** The run will not start: it goes, having touched nothing (once told to begin, this does nothing). */
  dismiss(): void;
}

/**
 * Starts a run's supervisor while `par run` is still checking what to run,
 * so node's start-up and the engine's loading overlap those checks instead
 * of following them. It waits with `--when-told` until a line on its stdin
 * says begin; the end of its stdin (the caller gone, or dismissed) ends it.
 */
export function startSupervisorEarly(launcher: ParLauncher, options: { runDir: string; cwd: string }): EarlySupervisor {
  const child = spawn(launcher.node, [launcher.supervisor ?? launcher.script, '__supervise', options.runDir, '--when-told'], {
    detached: true,
    stdio: ['pipe', 'ignore', 'ignore'],
    env: supervisorEnv(launcher),
    cwd: options.cwd,
  });
  // A supervisor that died before being told breaks its pipe: the next begin() finds it gone.
  child.stdin?.on('error', () => undefined);
  child.unref();
  let begun = false;
  const alive = (): boolean => child.pid !== undefined && child.exitCode === null && child.signalCode === null && child.stdin?.writable === true;
  return {
    pid: () => (alive() ? child.pid : undefined),
    begin() {
      if (!alive()) return false;
      begun = true;
      child.stdin?.end('begin\n');
      (child.stdin as unknown as { unref?: () => void } | null)?.unref?.();
      return true;
    },
    dismiss() {
      if (begun) return;
      if (alive()) child.kill('SIGKILL');
      child.stdin?.destroy();
    },
  };
}
