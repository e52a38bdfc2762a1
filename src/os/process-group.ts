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
  /** `stdout` and `stderr` are file descriptors the agent writes to directly (closable once this resolves). */
  /** `stdin`: text written then closed, `null` for none, or `hold` to keep it open (the channel). */
  /** `nice`: how far below par the job's CPU priority goes (`defaults.nice`); absent or 0: the same. */
  spawn(options: { argv: readonly string[]; cwd: string; env: NodeJS.ProcessEnv; stdin: string | null | { hold: true }; stdout: number; stderr: number; supervisorPid: number; nice?: number }): Promise<GroupProcess>;
}

/**
 * A setup command in a new worktree runs under `sh`, which starts a watchdog in
 * the command's process group and then execs it (argv passed as "$@", never
 * parsed by the shell). The watchdog ignores TERM, and when the supervisor is
 * gone it ends the whole group: TERM, then KILL 5 s later. A zombie
 * supervisor (dead, unreaped, as under a container init that does not reap)
 * counts as gone, and so does a pid that another process took over (its start
 * time in /proc changed): both read with shell built-ins only, once a second.
 */
export const WATCHDOG = [
  '(trap "" TERM; p=$PAR_SUPERVISOR_PID; b=; while kill -0 "$p" 2>/dev/null; do',
  's=R; t=; if [ -r "/proc/$p/stat" ]; then read -r l < "/proc/$p/stat"; set -- ${l##*) }; s=$1; t=${20}; fi;',
  '[ "$s" = Z ] && break; [ -z "$b" ] && b=$t; [ "$t" != "$b" ] && break; sleep 1; done;',
  'kill -TERM 0 2>/dev/null; sleep 5; kill -KILL 0 2>/dev/null) </dev/null >/dev/null 2>&1 &',
  'exec "$@"',
].join(' ');

/**
 * A job's watchdog: the same, but told by its descriptor 3 — a socket whose
 * other end the supervisor holds — instead of asking once a second. The
 * watchdog blocks reading it, costing nothing while the job runs; the kernel
 * closes the supervisor's end the moment the supervisor dies, however it
 * dies, and the read returns. The agent itself never has descriptor 3.
 */
export const JOB_WATCHDOG = [
  '(trap "" TERM; exec 0<&3 3<&-; read -r _; kill -TERM 0 2>/dev/null; sleep 5; kill -KILL 0 2>/dev/null) >/dev/null 2>&1 &',
  'exec 3<&-;',
  'exec "$@"',
].join(' ');
