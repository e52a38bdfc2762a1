// The executors a run's `--on` names, made from their entries (DESIGN §18).
import type { SshExecutorConfig } from '../core/executor-config.js';
import type { JobHost } from '../engine/hosts.js';
import { SshHost, type SshHostDeps } from './ssh-host.js';

export function hostFor(name: string, config: SshExecutorConfig, deps: SshHostDeps): JobHost {
  return new SshHost(name, config, deps);
}
