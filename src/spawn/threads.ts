// The spawn threads of a supervisor (and the TUI's git thread): jobs'
// processes and git start there, off the event loop (see spawn-thread.ts).
import { existsSync } from 'node:fs';
import type { Worker } from 'node:worker_threads';
import { GitFailure, type Git } from '../git/git.js';
import { createStarter } from './starter.js';
import { lowerPriority } from '../os/priority.js';
import { JOB_WATCHDOG, type AgentInput, type GroupProcess, type ProcessSpawner } from '../os/process-group.js';

/** How many spawn threads a supervisor keeps: starts in flight at once. */
const SPAWN_THREADS = 4;

type Exit = Awaited<GroupProcess['exited']>;

/** What the supervisor asks of a spawn thread. */
export type ToSpawnThread =
  | { type: 'spawn'; id: number; watchdog: string; argv: string[]; cwd: string; env: NodeJS.ProcessEnv; stdin: string | null | { hold: true }; stdout: number; stderr: number }
  | { type: 'write'; id: number; text: string }
  | { type: 'end'; id: number }
  | { type: 'git'; id: number; cwd: string; args: string[] };

/** What a spawn thread answers. */
export type FromSpawnThread =
  | { type: 'spawned'; id: number; pid: number | null }
  | ({ type: 'exit'; id: number } & Exit)
  | { type: 'git'; id: number; stdout?: string; failure?: { message: string; exitCode: number | null; stderr: string } };

/** The spawn thread's code: beside the bundle's entry (dist/), or beside this file when it is one. */
function spawnThreadFile(): URL {
  const candidates = [new URL('../spawn-thread.js', import.meta.url), new URL('./spawn-thread.js', import.meta.url)];
  return candidates.find((candidate) => existsSync(candidate)) ?? (candidates[0] as URL);
}

/**
 * One spawn thread and the jobs it started that are still going: a worker
 * thread, or — `here` — the supervisor's own thread, for a run's first job,
 * which then waits for no thread to start.
 */
class SpawnThread {
  readonly #send: (message: ToSpawnThread) => void;
  readonly #waiting = new Map<number, (message: FromSpawnThread) => void>();
  readonly #exits = new Map<number, (exit: Exit) => void>();
  #next = 0;

  constructor(where: 'worker' | 'here') {
    if (where === 'here') {
      this.#send = createStarter((message) => this.#receive(message));
      return;
    }
    // node:worker_threads loads with the first thread: a run of one job never needs it.
    const queued: ToSpawnThread[] = [];
    let worker: Worker | undefined;
    this.#send = (message) => (worker ? worker.postMessage(message) : queued.push(message));
    // A thread that fails leaves its jobs without a way to report: each ends, saying why.
    const failed = (error: unknown): void => {
      const why = `the process spawner failed: ${error instanceof Error ? error.message : String(error)}`;
      for (const [id, answer] of this.#waiting) answer({ type: 'git', id, failure: { message: why, exitCode: null, stderr: '' } });
      for (const resolve of this.#exits.values()) resolve({ code: null, signal: null, spawnError: why });
      this.#waiting.clear();
      this.#exits.clear();
    };
    import('node:worker_threads').then(({ Worker }) => {
      worker = new Worker(spawnThreadFile());
      // The thread lives as long as the jobs it holds: it keeps no supervisor alive by itself.
      worker.unref();
      worker.on('message', (message: FromSpawnThread) => this.#receive(message));
      worker.on('error', failed);
      worker.on('exit', (code) => failed(new Error(`its thread exited (${code})`)));
      for (const message of queued.splice(0)) worker.postMessage(message);
    }, failed);
  }

  #receive(message: FromSpawnThread): void {
    if (message.type === 'exit') {
      const { type: _type, id, ...exit } = message;
      this.#exits.get(id)?.(exit);
      this.#exits.delete(id);
      return;
    }
    this.#waiting.get(message.id)?.(message);
    this.#waiting.delete(message.id);
  }

  /** Jobs and git still going on this thread. */
  get load(): number {
    return this.#exits.size + this.#waiting.size;
  }

  #ask(message: ToSpawnThread): Promise<FromSpawnThread> {
    return new Promise((resolve) => {
      this.#waiting.set(message.id, resolve);
      this.#send(message);
    });
  }

  async spawn(request: Omit<Extract<ToSpawnThread, { type: 'spawn' }>, 'type' | 'id' | 'watchdog'>): Promise<{ pid: number | null; exited: Promise<Exit>; input: AgentInput | null }> {
    const id = this.#next++;
    const exited = new Promise<Exit>((resolve) => this.#exits.set(id, resolve));
    const answer = await this.#ask({ type: 'spawn', id, watchdog: JOB_WATCHDOG, ...request });
    const pid = answer.type === 'spawned' ? answer.pid : null;
    const input: AgentInput | null =
      typeof request.stdin === 'object' && request.stdin !== null
        ? { write: (text) => this.#send({ type: 'write', id, text }), end: () => this.#send({ type: 'end', id }) }
        : null;
    return { pid, exited, input };
  }

  async git(cwd: string, args: readonly string[]): Promise<string> {
    const answer = await this.#ask({ type: 'git', id: this.#next++, cwd, args: [...args] });
    if (answer.type === 'git' && answer.stdout !== undefined) return answer.stdout;
    const failure = answer.type === 'git' ? answer.failure : undefined;
    throw new GitFailure(failure?.message ?? 'git gave no answer', cwd, args, { exitCode: failure?.exitCode ?? null, stderr: failure?.stderr ?? '' });
  }
}

/**
 * The real spawner: each job's process started on one of a few spawn
 * threads, `detached` so it leads its own process group; and git, run there
 * too (the supervisor's git port), so no start blocks the supervisor.
 */
export function createProcessSpawner(): ProcessSpawner & { git: Git } {
  // A run of one job never waits for a thread to start (a worker costs a
  // node start-up of its own): its work stays here while nothing else is
  // going. Once two things go at once, they go to the threads, and from then on all do.
  const here = new SpawnThread('here');
  const threads: SpawnThread[] = [];
  const pick = (): SpawnThread => {
    if (threads.length === 0 && here.load === 0) return here;
    // An idle thread, else a new one while there are fewer than SPAWN_THREADS, else the least busy.
    const idle = threads.find((thread) => thread.load === 0);
    if (idle) return idle;
    if (threads.length < SPAWN_THREADS) return threads[threads.push(new SpawnThread('worker')) - 1] as SpawnThread;
    return threads.reduce((a, b) => (b.load < a.load ? b : a));
  };
  return {
    async spawn({ argv, cwd, env, stdin, stdout, stderr, supervisorPid, nice }) {
      const started = await pick().spawn({ argv: [...argv], cwd, env: { ...env, PAR_SUPERVISOR_PID: String(supervisorPid) }, stdin, stdout, stderr });
      const pid = started.pid;
      if (pid !== null && nice) void lowerPriority(pid, nice);
      return {
        ...started,
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
    git: { run: (cwd, args) => pick().git(cwd, args) },
  };
}

/** git on a spawn thread of its own, started at the first call: for the TUI, whose frames must not wait on a spawn. */
export function createThreadedGit(): Git {
  let thread: SpawnThread | undefined;
  return { run: (cwd, args) => (thread ??= new SpawnThread('worker')).git(cwd, args) };
}
