// The executors a run's `--on` names, made from their entries (DESIGN §18).
import type { ExecutorConfig } from '../core/executor-config.js';
import type { JobHost } from '../engine/hosts.js';
import { ContainerHost } from './container-host.js';
import { SshHost, type SshHostDeps } from './ssh-host.js';

export function hostFor(name: string, config: ExecutorConfig, deps: SshHostDeps): JobHost {
  return config.type === 'ssh' ? new SshHost(name, config, deps) : new ContainerHost(name, config, deps);
}
