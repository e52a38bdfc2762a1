// A container executor (DESIGN §18): a fresh container per job, from the
// entry's image, with the job's worktree and the repository's git directory
// mounted at the same paths, so the work is already here when the agent ends.
import { randomBytes } from 'node:crypto';
import { basename } from 'node:path';
import type { ContainerExecutorConfig } from '../core/executor-config.js';
import type { JobHost, RemoteJob } from '../engine/hosts.js';
import type { GroupProcess, ProcessSpawner } from '../os/process-group.js';
import type { SshHostDeps } from './ssh-host.js';

/**
 * Runs the engine's client in the background and waits for it, so that a
 * stop (TERM to the job's group, from a cancel, a timeout or the job's
 * watchdog when the supervisor dies) reaches the trap at once: the container
 * is stopped (TERM, KILL 4 s later) and removed, whatever the client does.
 * `$1` the engine, `$2` the container's name, the rest `run`'s arguments;
 * the job's stdin goes to the client by descriptor 4.
 */
export const CONTAINER_WATCH = [
  'e=$1; n=$2; shift 2;',
  'trap \'"$e" stop -t 4 "$n" >/dev/null 2>&1; "$e" rm -f "$n" >/dev/null 2>&1; exit 143\' TERM INT HUP;',
  'exec 4<&0; "$e" "$@" <&4 4<&- & c=$!; exec 4<&-; wait "$c"',
].join(' ');

/** The engine's status when it could not run the container at all; the agent not found; not runnable. */
const ENGINE_FAILED = 125;
const NOT_RUNNABLE = 126;
const NOT_FOUND = 127;

export class ContainerHost implements JobHost {
  readonly name: string;
  readonly #config: ContainerExecutorConfig;
  readonly #deps: SshHostDeps;

  constructor(name: string, config: ContainerExecutorConfig, deps: SshHostDeps) {
    this.name = name;
    this.#config = config;
    this.#deps = deps;
  }

  /** Nothing to connect to: the engine is here. */
  warm(): void {}

  async prepare(job: { runId: string; id: string; worktree: string }): Promise<RemoteJob> {
    const common = (await this.#deps.git.run(job.worktree, ['rev-parse', '--path-format=absolute', '--git-common-dir'])).trim();
    let program = '';
    return {
      cwd: job.worktree,
      agentBinary: (local) => (program = this.#config.agent_binary ?? basename(local)),
      spawner: { spawn: (options) => this.#run(job, common, options) },
      // The worktree is mounted: the work is here, committed as any job's.
      bringBack: () => Promise.resolve(),
      lost: (code) => {
        const { engine, image } = this.#config;
        if (code === ENGINE_FAILED) return { why: `${engine} could not run the container from ${image}`, retryable: false, output: true };
        if (code === NOT_FOUND || code === NOT_RUNNABLE) return { why: `the agent '${program}' ${code === NOT_FOUND ? 'was not found' : 'could not be run'} in the image ${image}: add it to the image, or set executors.${this.name}.agent_binary to its path there`, retryable: false, output: true };
        return null;
      },
    };
  }

  /** `run`'s arguments: the mounts, the user, the environment, the image and the agent. */
  #runArgs(job: { runId: string; id: string; worktree: string }, common: string, name: string, options: Parameters<ProcessSpawner['spawn']>[0]): string[] {
    const config = this.#config;
    const mounts = [job.worktree, ...(common.startsWith(`${job.worktree}/`) ? [] : [common])].flatMap((path) => ['-v', `${path}:${path}`]);
    // Files the agent writes belong to the user here: root stays root, others are themselves in the container.
    const uid = process.getuid?.() ?? 0;
    const user = uid === 0 ? [] : config.engine === 'podman' ? ['--userns=keep-id'] : ['--user', `${uid}:${process.getgid?.() ?? 0}`];
    const passed = config.env.map((entry) => (entry.includes('=') ? entry : `${entry}=${this.#deps.env[entry] ?? ''}`));
    const env = [...Object.entries(options.env).map(([key, value]) => `${key}=${value ?? ''}`), ...passed].flatMap((assignment) => ['-e', assignment]);
    return ['run', '--rm', '-i', '--name', name, '--label', `par.run=${job.runId}`, '--label', `par.job=${job.id}`, ...mounts, ...config.mounts.flatMap((mount) => ['-v', mount]), '-w', options.cwd, ...user, ...env, config.image, ...options.argv];
  }

  async #run(job: { runId: string; id: string; worktree: string }, common: string, options: Parameters<ProcessSpawner['spawn']>[0]): Promise<GroupProcess> {
    const name = `par-${job.runId}-${job.id}-${randomBytes(3).toString('hex')}`.replace(/[^A-Za-z0-9_.-]/g, '-');
    const argv = ['/bin/sh', '-c', CONTAINER_WATCH, 'par-container', this.#config.engine, name, ...this.#runArgs(job, common, name, options)];
    return this.#deps.spawner.spawn({ ...options, argv, cwd: job.worktree, env: this.#deps.env });
  }

  async close(): Promise<void> {}
}
