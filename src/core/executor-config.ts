// Where jobs run (DESIGN §18): on this machine or on ssh hosts.

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

/** An entry under `executors:`: ssh hosts (containers are not built yet). */
export type ExecutorConfig = SshExecutorConfig;

/** The executor every run has, with the cap of `defaults.jobs`. */
export const LOCAL = 'local';

/** One executor a run places jobs on, its cap, and (when not local) its entry. */
export interface ExecutorPlace {
  name: string;
  jobs: number;
  config: ExecutorConfig | null;
}
