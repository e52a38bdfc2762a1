import { execa } from 'execa';
import { lowerPriority } from './priority.js';
import { WATCHDOG } from './process-group.js';

/** What a finished command did. */
export interface CommandOutcome {
  exitCode: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  /** Set when the program could not be started at all. */
  failedToStart?: string;
  /** Set when `signal` stopped it. */
  aborted?: boolean;
}

/** How a command runs. */
export interface CommandRunOptions {
  cwd: string;
  timeoutMs?: number;
  /** The whole environment of the command (default: this process's). */
  env?: NodeJS.ProcessEnv;
  /**
   * Run it as a job's process group with the watchdog (setup commands of a
   * run): its whole group ends when this supervisor dies or `signal` fires.
   */
  group?: { supervisorPid: number; nice?: number };
  /** Stops the command (its whole group with `group`): SIGTERM, then SIGKILL after the grace period. */
  signal?: AbortSignal;
}

/** The port for running short commands (setup steps, version checks): argv arrays, never a shell. */
export interface CommandRunner {
  run(argv: readonly string[], options: CommandRunOptions): Promise<CommandOutcome>;
}

/** What a stopped command gets between SIGTERM and SIGKILL, as agents do (DESIGN §4). */
const KILL_GRACE_MS = 5000;

/** The exit status of `sh` whose `exec` found no such program. */
const NOT_FOUND = 127;

/** The real runner, through execa. */
export function createCommandRunner(): CommandRunner {
  return {
    async run(argv, options) {
      const [program = '', ...rest] = argv;
      const grouped = options.group !== undefined;
      const [file, args] = grouped ? ['/bin/sh', ['-c', WATCHDOG, 'par-setup', ...argv]] : [program, rest];
      const subprocess = execa(file, args, {
        cwd: options.cwd,
        reject: false,
        stdin: 'ignore',
        // A group's time is kept below, so the whole group ends with it (execa would signal its leader alone).
        timeout: grouped ? 0 : (options.timeoutMs ?? 0),
        maxBuffer: 10_000_000,
        ...(options.env ? { env: options.env, extendEnv: false } : {}),
        ...(grouped ? { detached: true, env: { ...(options.env ?? {}), PAR_SUPERVISOR_PID: String(options.group?.supervisorPid) } } : {}),
      });
      if (grouped && options.group?.nice && subprocess.pid !== undefined) void lowerPriority(subprocess.pid, options.group.nice);
      let aborted = false;
      let killer: NodeJS.Timeout | undefined;
      const signalGroup = (signal: NodeJS.Signals): void => {
        try {
          if (grouped && subprocess.pid !== undefined) process.kill(-subprocess.pid, signal);
          else subprocess.kill(signal);
        } catch {
          // Gone already.
        }
      };
      const stop = (): void => {
        aborted = true;
        signalGroup('SIGTERM');
        killer = setTimeout(() => signalGroup('SIGKILL'), KILL_GRACE_MS);
        killer.unref();
      };
      if (options.signal?.aborted) stop();
      options.signal?.addEventListener('abort', stop, { once: true });
      const timer = grouped && options.timeoutMs ? setTimeout(stop, options.timeoutMs) : undefined;
      const result = await subprocess;
      options.signal?.removeEventListener('abort', stop);
      clearTimeout(timer);
      clearTimeout(killer);
      // The group's other members (the watchdog, anything the command left behind) go with it.
      if (grouped) signalGroup('SIGKILL');
      const stderr = String(result.stderr ?? '');
      const notStarted =
        (result.failed && result.exitCode === undefined && !result.signal && !result.timedOut) ||
        (grouped && result.exitCode === NOT_FOUND && /not found|No such file|Permission denied/.test(stderr));
      return {
        exitCode: result.exitCode ?? null,
        signal: result.signal ?? null,
        stdout: String(result.stdout ?? ''),
        stderr,
        ...(notStarted ? { failedToStart: grouped ? stderr.trim().split('\n').at(-1) ?? 'not found' : result.shortMessage } : {}),
        ...(aborted ? { aborted: true } : {}),
      };
    },
  };
}
