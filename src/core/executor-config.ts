// Where jobs run (DESIGN §18): on this machine, on ssh hosts, in containers.

/** An ssh host under `executors:`. */
export interface SshExecutorConfig {
  type: 'ssh';
  /** `user@host` or a name from ~/.ssh/config. */
  host: string;
  port: number | null;
  identity: string | null;
  jobs: number;
  /** Where par keeps its mirror and worktrees on the host (`~` is the remote home). */
  dir: string;
  /** The agent's path there; null: the local claude.binary_path's name. */
  agent_binary: string | null;
  /** Passed to ssh as given (a known-hosts file, a jump host). */
  ssh_options: string[];
}

/** A container engine under `executors:`: a fresh container per job. */
export interface ContainerExecutorConfig {
  type: 'container';
  engine: 'podman' | 'docker';
  image: string;
  jobs: number;
  /** The agent's path in the image; null: the local one's name (found on the image's PATH). */
  agent_binary: string | null;
  /** More mounts, as the engine's -v takes them (`/src:/dst[:ro]`). */
  mounts: string[];
  /** Environment passed in: `NAME` (its value here) or `NAME=VALUE`. */
  env: string[];
}

/** An entry under `executors:`. */
export type ExecutorConfig = SshExecutorConfig | ContainerExecutorConfig;

/** The executor every run has, with the cap of `defaults.jobs`. */
export const LOCAL = 'local';

/** One executor a run places jobs on, its cap, and (when not local) its entry. */
export interface ExecutorPlace {
  name: string;
  jobs: number;
  config: ExecutorConfig | null;
}
