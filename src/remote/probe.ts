// What `par doctor` asks of each executor (DESIGN §18): that ssh reaches the
// host, and which git and agent answer there.
import type { ContainerExecutorConfig, SshExecutorConfig } from '../core/executor-config.js';
import { shellQuote } from '../core/shell-quote.js';
import type { CommandRunner } from '../os/command-runner.js';
import { lastLine, sshOptions } from './ssh-host.js';

/** How long a host may take to answer the doctor. */
const PROBE_MS = 20_000;

export type Probe = { ok: true; git: string; agent: string } | { ok: false; what: 'ssh' | 'git' | 'agent'; detail: string };

/** One ssh command: the versions of git and of the agent there. */
export async function probeSshHost(config: SshExecutorConfig, agent: string, runner: CommandRunner, env: NodeJS.ProcessEnv, cwd: string): Promise<Probe> {
  const script = 'g=$(git --version 2>/dev/null) || { echo "par-git-missing"; exit 0; }; echo "$g"; command -v "$1" >/dev/null 2>&1 || { echo "par-agent-missing"; exit 0; }; "$1" --version 2>&1 | head -n 1';
  const command = ['sh', '-c', script, 'par', agent].map(shellQuote).join(' ');
  const result = await runner.run(['ssh', ...sshOptions(config, env, null), '-o', 'ConnectTimeout=10', '-T', config.host, '--', command], { cwd, env, timeoutMs: PROBE_MS });
  if (result.exitCode !== 0) return { ok: false, what: 'ssh', detail: lastLine(result.stderr) || `ssh exited ${result.exitCode ?? result.signal ?? ''}` };
  const [git = '', agentLine = ''] = result.stdout.trim().split('\n');
  if (git === 'par-git-missing') return { ok: false, what: 'git', detail: 'git is not installed there' };
  if (agentLine === 'par-agent-missing' || agentLine === '') return { ok: false, what: 'agent', detail: `'${agent}' was not found there` };
  return { ok: true, git: git.replace(/^git version /, 'git '), agent: agentLine.trim() };
}

export type ContainerProbe = { ok: true; engine: string; agent: string } | { ok: false; what: 'engine' | 'image' | 'agent'; detail: string };

/** The engine's version, the image here, and the agent's version in a container of it. */
export async function probeContainer(config: ContainerExecutorConfig, agent: string, runner: CommandRunner, env: NodeJS.ProcessEnv, cwd: string): Promise<ContainerProbe> {
  const run = (args: string[], timeoutMs = PROBE_MS) => runner.run([config.engine, ...args], { cwd, env, timeoutMs });
  const version = await run(['--version']);
  if (version.failedToStart || version.exitCode !== 0) return { ok: false, what: 'engine', detail: `${config.engine} ${version.failedToStart ? 'is not installed' : `did not answer: ${lastLine(version.stderr)}`}` };
  const image = await run(config.engine === 'podman' ? ['image', 'exists', config.image] : ['image', 'inspect', config.image]);
  if (image.exitCode !== 0) return { ok: false, what: 'image', detail: `the image ${config.image} is not here` };
  const answer = await run(['run', '--rm', ...config.mounts.flatMap((mount) => ['-v', mount]), config.image, agent, '--version'], 60_000);
  if (answer.exitCode !== 0) return { ok: false, what: 'agent', detail: `'${agent} --version' failed in ${config.image}: ${lastLine(answer.stderr) || `exit ${answer.exitCode ?? answer.signal ?? ''}`}` };
  return { ok: true, engine: version.stdout.trim().split('\n')[0] ?? config.engine, agent: answer.stdout.trim().split('\n')[0] ?? '' };
}
