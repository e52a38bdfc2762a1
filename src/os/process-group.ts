import { spawn } from 'node:child_process';
/** A job's process, leader of its own process group. */
export interface GroupProcess {
  pid: number | null;
  /** Resolves when the group's leader (the agent) has exited; others in its group may live on. */
  exited: Promise<{ code: number | null; signal: string | null; spawnError?: string }>;
  /** Signals every process of the group; a group already gone is fine. */
  signalGroup(signal: NodeJS.Signals): void;
  /** The agent's stdin, when it was held open for the two-way channel. */
  input: AgentInput | null;
}

/** The write end of a held stdin: lines go in whole, in order; `end` closes it. */
export interface AgentInput {
  write(text: string): void;
  end(): void;
}

/** Starts processes for jobs. */
export interface ProcessSpawner {
  /** `stdout` and `stderr` are file descriptors the agent writes to directly. */
  /** `stdin`: text written then closed, `null` for none, or `hold` to keep it open (the channel). */
  spawn(options: { argv: readonly string[]; cwd: string; env: NodeJS.ProcessEnv; stdin: string | null | { hold: true }; stdout: number; stderr: number; supervisorPid: number }): GroupProcess;
}

/**
 * The job runs under `sh`, which starts a watchdog in the job's process group and
 * then execs the agent (argv passed as "$@", never parsed by the shell). The
 * watchdog ignores TERM, and when the supervisor is gone it ends the whole group:
 * TERM, then KILL 5 s later. So a job never outlives a supervisor that died. A
 * zombie supervisor (dead, unreaped, as under a container init that does not
 * reap) counts as gone, and so does a pid that another process took over
 * (its start time in /proc changed): both read with shell built-ins only.
 * Setup commands in new worktrees run under it too.
 */
export const WATCHDOG = [
  '(trap "" TERM; p=$PAR_SUPERVISOR_PID; b=; while kill -0 "$p" 2>/dev/null; do',
  's=R; t=; if [ -r "/proc/$p/stat" ]; then read -r l < "/proc/$p/stat"; set -- ${l##*) }; s=$1; t=${20}; fi;',
  '[ "$s" = Z ] && break; [ -z "$b" ] && b=$t; [ "$t" != "$b" ] && break; sleep 1; done;',
  'kill -TERM 0 2>/dev/null; sleep 5; kill -KILL 0 2>/dev/null) </dev/null >/dev/null 2>&1 &',
  'exec "$@"',
].join(' ');

/** The real spawner: node's child_process, `detached` so the job leads its own process group. */
export function createProcessSpawner(): ProcessSpawner {
  return {
    spawn({ argv, cwd, env, stdin, stdout, stderr, supervisorPid }) {
      const child = spawn('/bin/sh', ['-c', WATCHDOG, 'par-job', ...argv], {
        cwd,
        env: { ...env, PAR_SUPERVISOR_PID: String(supervisorPid) },
        detached: true,
        stdio: [stdin === null ? 'ignore' : 'pipe', stdout, stderr],
      });
      let input: AgentInput | null = null;
      if (child.stdin) {
        const pipe = child.stdin;
        // An agent may exit without reading its prompt; that is its result to report, not a crash here.
        pipe.on('error', () => undefined);
        if (typeof stdin === 'string') pipe.end(stdin);
        else
          input = {
            write: (text) => {
              if (!pipe.writableEnded && !pipe.destroyed) pipe.write(text);
            },
            end: () => {
              if (!pipe.writableEnded) pipe.end();
            },
          };
      }
      const pid = child.pid ?? null;
      const exited = new Promise<{ code: number | null; signal: string | null; spawnError?: string }>((resolve) => {
        child.once('error', (error) => resolve({ code: null, signal: null, spawnError: error.message }));
        child.once('exit', (code, signal) => resolve({ code, signal }));
      });
      return {
        pid,
        exited,
        input,
        signalGroup(signal) {
          if (pid === null) return;
          try {
            process.kill(-pid, signal);
          } catch {
            // The group is gone already.
          }
        },
      };
    },
  };
}
