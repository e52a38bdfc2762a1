// An ssh executor (DESIGN §18): one multiplexed OpenSSH connection per host,
// the base pushed to a mirror there, each job's worktree made there, its agent
// run there under a watchdog, its work committed there and fetched back.
import { createHash } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { SshExecutorConfig } from '../core/executor-config.js';
import type { JobHost, RemoteJob } from '../engine/hosts.js';
import type { Git } from '../git/git.js';
import { worktreeIncludes } from '../git/worktree-include.js';
import type { Logger } from '../logging/logger.js';
import type { CommandRunner } from '../os/command-runner.js';
import type { GroupProcess, ProcessSpawner } from '../os/process-group.js';
import { shellQuote } from '../core/shell-quote.js';

/** How long the connection may take to come up. */
const CONNECT_MS = 20_000;
/** A remote step (a push, a worktree, a fetch) longer than this has hung. */
const STEP_MS = 10 * 60_000;

/**
 * Runs the agent on the host: records its process group (its own, as sshd
 * starts each session in a new one), then watches the sshd process that
 * serves the connection. When that is gone — the connection dropped, the
 * machine that ran par died — the group gets TERM, then KILL 5 s later.
 * `$1` is the worktree, `$2` the file the group's id goes to, the rest the
 * agent's argv.
 */
export const REMOTE_WATCHDOG = [
  'cd "$1" || exit 97; f=$2; shift 2; echo $$ > "$f"; p=$PPID;',
  '(trap "" TERM; while kill -0 "$p" 2>/dev/null; do sleep 1; done; kill -TERM 0 2>/dev/null; sleep 5; kill -KILL 0 2>/dev/null) </dev/null >/dev/null 2>&1 &',
  'w=$!; "$@"; c=$?; kill -KILL "$w" 2>/dev/null; rm -f "$f"; exit $c',
].join(' ');

/** What an ssh host needs from the run. */
export interface SshHostDeps {
  spawner: ProcessSpawner;
  runner: CommandRunner;
  git: Git;
  supervisorPid: number;
  env: NodeJS.ProcessEnv;
  log: Logger;
  /** `worktrees.setup`: run in each job's worktree on the host. */
  setup: readonly (readonly string[])[];
}

/** `~/x` as this machine's path. */
function localPath(path: string, env: NodeJS.ProcessEnv): string {
  return path === '~' || path.startsWith('~/') ? join(env.HOME ?? '/', path.slice(1)) : path;
}

/** ssh's options for a host (the host comes after): never a prompt, the entry's port, key and options, and the connection's socket when there is one. */
export function sshOptions(config: SshExecutorConfig, env: NodeJS.ProcessEnv, controlPath: string | null): string[] {
  return [
    ...(controlPath === null ? [] : ['-o', `ControlPath=${controlPath}`]),
    '-o', 'BatchMode=yes',
    ...(config.port === null ? [] : ['-p', String(config.port)]),
    ...(config.identity === null ? [] : ['-i', localPath(config.identity, env)]),
    ...config.ssh_options,
  ];
}

/** The last line of a command's complaint, for a one-sentence error. */
export function lastLine(text: string): string {
  return text.trim().split('\n').filter(Boolean).at(-1) ?? '';
}

export class SshHost implements JobHost {
  readonly name: string;
  readonly #config: SshExecutorConfig;
  readonly #deps: SshHostDeps;
  #connected: Promise<{ home: string; dir: string }> | null = null;
  #master: GroupProcess | null = null;
  #socketDir: string | null = null;
  readonly #mirrors = new Map<string, Promise<string>>();

  constructor(name: string, config: SshExecutorConfig, deps: SshHostDeps) {
    this.name = name;
    this.#config = config;
    this.#deps = deps;
  }

  /** ssh's options for every use of the connection (the host comes after). */
  #options(): string[] {
    return sshOptions(this.#config, this.#deps.env, join(this.#socketDir ?? '', 'c'));
  }

  /** git here, talking to the host through the same connection; its stdout, or an error saying what failed. */
  async #gitHere(cwd: string, args: readonly string[], what: string): Promise<string> {
    const env = { ...this.#deps.env, GIT_SSH_COMMAND: ['ssh', ...this.#options()].map(shellQuote).join(' ') };
    const result = await this.#deps.runner.run(['git', ...args], { cwd, env, timeoutMs: STEP_MS, group: { supervisorPid: this.#deps.supervisorPid } });
    if (result.exitCode !== 0) throw new Error(`${this.name}: could not ${what}: ${lastLine(result.stderr) || `git exited ${result.exitCode ?? result.signal}`}`);
    return result.stdout;
  }

  /** Where the host's `dir` is: a mirror per repository and the worktrees under it. */
  async #where(): Promise<{ home: string; dir: string }> {
    this.#connected ??= this.#connect();
    return this.#connected;
  }

  async #connect(): Promise<{ home: string; dir: string }> {
    if (this.#socketDir) rmSync(this.#socketDir, { recursive: true, force: true });
    this.#socketDir = mkdtempSync(join(tmpdir(), 'par-ssh-'));
    const logPath = join(this.#socketDir, 'master.log');
    const log = openSync(logPath, 'w');
    try {
      this.#master = await this.#deps.spawner.spawn({
        argv: ['ssh', '-M', '-N', '-o', 'ControlMaster=yes', '-o', 'ControlPersist=no', '-o', 'ServerAliveInterval=5', '-o', 'ServerAliveCountMax=3', '-o', 'ConnectTimeout=15', ...this.#options(), this.#config.host],
        cwd: this.#socketDir,
        env: this.#deps.env,
        stdin: null,
        stdout: log,
        stderr: log,
        supervisorPid: this.#deps.supervisorPid,
      });
    } finally {
      closeSync(log);
    }
    let gone = false;
    const master = this.#master;
    void master.exited.then(() => {
      gone = true;
      // Its watchdog goes with it; the next job connects again (a dropped connection is not the host's end).
      master.signalGroup('SIGKILL');
      if (this.#master === master) {
        this.#connected = null;
        this.#master = null;
      }
    });
    const until = Date.now() + CONNECT_MS;
    for (;;) {
      const check = await this.#deps.runner.run(['ssh', ...this.#options(), '-O', 'check', this.#config.host], { cwd: this.#socketDir, env: this.#deps.env, timeoutMs: 5000 });
      if (check.exitCode === 0) break;
      if (gone || Date.now() > until) {
        const why = lastLine(readFileSync(logPath, 'utf8')) || lastLine(check.stderr) || 'no answer';
        throw new Error(`ssh to ${this.#config.host} (executor ${this.name}) failed: ${why}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const home = (await this.#sh('cd && pwd', 'find its home')).trim();
    const dir = this.#config.dir === '~' || this.#config.dir.startsWith('~/') ? home + this.#config.dir.slice(1) : this.#config.dir;
    return { home, dir };
  }

  /** Runs a POSIX shell script on the host (arguments as $1…); its stdout, or an error saying what failed. */
  async #sh(script: string, what: string, args: readonly string[] = []): Promise<string> {
    const command = ['sh', '-c', script, 'par', ...args].map(shellQuote).join(' ');
    const result = await this.#deps.runner.run(['ssh', ...this.#options(), '-T', this.#config.host, '--', command], { cwd: this.#socketDir ?? tmpdir(), env: this.#deps.env, timeoutMs: STEP_MS, group: { supervisorPid: this.#deps.supervisorPid } });
    if (result.exitCode !== 0) throw new Error(`${this.name}: could not ${what}: ${lastLine(result.stderr) || `ssh exited ${result.exitCode ?? result.signal}`}`);
    return result.stdout;
  }

  /** The bare mirror of the worktree's repository on the host, made once. */
  async #mirror(worktree: string, dir: string): Promise<string> {
    const common = (await this.#deps.git.run(worktree, ['rev-parse', '--path-format=absolute', '--git-common-dir'])).trim();
    const repo = common.endsWith('/.git') ? dirname(common) : common;
    const key = `${repo.split('/').at(-1) ?? 'repo'}-${createHash('sha256').update(repo).digest('hex').slice(0, 10)}`;
    let made = this.#mirrors.get(key);
    if (!made) {
      const path = `${dir}/repos/${key}.git`;
      made = this.#sh('mkdir -p "$(dirname "$1")" && { [ -d "$1" ] || git init -q --bare "$1"; }', 'make its mirror repository', [path]).then(() => path);
      this.#mirrors.set(key, made);
    }
    return made;
  }

  async prepare(job: { runId: string; id: string; worktree: string }): Promise<RemoteJob> {
    const { git } = this.#deps;
    const dirty = (await git.run(job.worktree, ['status', '--porcelain', '--untracked-files=all'])).trim();
    if (dirty !== '') throw new Error(`${job.worktree} has uncommitted changes, which cannot go to ${this.name}: commit or stash them, or run the job here (--on local)`);
    const { dir } = await this.#where();
    const head = (await git.run(job.worktree, ['rev-parse', 'HEAD'])).trim();
    const branch = (await git.run(job.worktree, ['symbolic-ref', '--short', '-q', 'HEAD']).catch(() => '')).trim() || `par/${job.runId}/${job.id}`;
    const mirror = await this.#mirror(job.worktree, dir);
    const base = `refs/par/${job.runId}/${job.id}`;
    await this.#gitHere(job.worktree, ['push', '-q', '--force', `${this.#config.host}:${mirror}`, `${head}:${base}`], `push the base to ${mirror}`);
    const cwd = `${dir}/worktrees/${job.runId}/${job.id}`;
    await this.#sh('if [ -d "$2" ]; then cd "$2" && git checkout -q -B "$3" "$4"; else mkdir -p "$(dirname "$2")" && git -C "$1" worktree add -q -f -B "$3" "$2" "$4"; fi', `make the worktree ${cwd}`, [mirror, cwd, branch, base]);
    await this.#copyIncludes(job.worktree, cwd);
    for (const argv of this.#deps.setup) await this.#sh('cd "$1" && shift && "$@"', `run the setup command '${argv.join(' ')}' in ${cwd}`, [cwd, ...argv]);
    return this.#remoteJob({ ...job, cwd, branch, mirror, pidFile: `${cwd}.pid` });
  }

  /** `.worktreeinclude`'s files (ignored ones a checkout lacks) copied into the worktree there, by tar over the connection. */
  async #copyIncludes(worktree: string, cwd: string): Promise<void> {
    const files = await worktreeIncludes(this.#deps.git, worktree);
    if (files.length === 0) return;
    const receive = ['ssh', ...this.#options(), '-T', this.#config.host, '--', `tar -C ${shellQuote(cwd)} -xf -`].map(shellQuote).join(' ');
    const result = await this.#deps.runner.run(['sh', '-c', `tar -cf - -- "$@" | ${receive}`, 'par', ...files], { cwd: worktree, env: this.#deps.env, timeoutMs: STEP_MS });
    if (result.exitCode !== 0) throw new Error(`${this.name}: could not copy the .worktreeinclude files to ${cwd}: ${lastLine(result.stderr)}`);
  }

  #remoteJob(job: { runId: string; id: string; worktree: string; cwd: string; branch: string; mirror: string; pidFile: string }): RemoteJob {
    let program = this.#config.agent_binary ?? '';
    return {
      cwd: job.cwd,
      agentBinary: (local) => (program = this.#config.agent_binary ?? local),
      spawner: { spawn: (options) => this.#spawnAgent(job, options) },
      bringBack: (message) => this.#bringBack(job, message),
      lost: (code) =>
        code === 255
          ? { why: `the connection to ${this.name} (${this.#config.host}) was lost`, retryable: true }
          : code === 127
            ? { why: `the agent '${program}' was not found on ${this.name}: install it there, or set executors.${this.name}.agent_binary to its path there`, retryable: false }
            : null,
    };
  }

  /** The agent started there, its stdio through ssh; a stop signals its process group there. */
  async #spawnAgent(job: { cwd: string; pidFile: string }, options: Parameters<ProcessSpawner['spawn']>[0]): Promise<GroupProcess> {
    const [program = '', ...args] = options.argv;
    // Only what the agent's adapter sets goes along: the host has its own environment (and its own login).
    const assignments = Object.entries(options.env).filter(([name]) => name !== 'PAR_SUPERVISOR_PID').map(([name, value]) => `${name}=${value ?? ''}`);
    const remote = ['exec', 'sh', '-c', REMOTE_WATCHDOG, 'par-agent', job.cwd, job.pidFile, 'env', ...assignments, program, ...args].map((word, index) => (index === 0 ? word : shellQuote(word))).join(' ');
    const child = await this.#deps.spawner.spawn({ ...options, argv: ['ssh', ...this.#options(), '-T', this.#config.host, '--', remote], cwd: this.#socketDir ?? tmpdir(), env: this.#deps.env });
    const signalThere = (signal: 'TERM' | 'KILL'): void => {
      void this.#sh(`p=$(cat "$1" 2>/dev/null) && kill -${signal} "-$p" 2>/dev/null; true`, 'signal the agent', [job.pidFile]).catch((error: Error) => this.#deps.log.warn('could not signal a remote agent', { host: this.name, error }));
    };
    return {
      ...child,
      signalGroup: (signal) => {
        signalThere(signal === 'SIGKILL' ? 'KILL' : 'TERM');
        // The local end goes only at the last: until then the agent's last words still come through.
        if (signal === 'SIGKILL') child.signalGroup('SIGKILL');
      },
    };
  }

  /** Commits there with the local identity, fetches the branch back and fast-forwards the local worktree to it. */
  async #bringBack(job: { runId: string; id: string; worktree: string; cwd: string; branch: string; mirror: string }, message: string): Promise<void> {
    const { git } = this.#deps;
    const identity = async (key: string): Promise<string> => (await git.run(job.worktree, ['config', key]).catch(() => '')).trim();
    const [name, email] = await Promise.all([identity('user.name'), identity('user.email')]);
    const who = name && email ? [`GIT_AUTHOR_NAME=${name}`, `GIT_AUTHOR_EMAIL=${email}`, `GIT_COMMITTER_NAME=${name}`, `GIT_COMMITTER_EMAIL=${email}`] : [];
    await this.#sh('cd "$1" && m=$2 && shift 2 && git add -A && { git diff --cached --quiet || env "$@" git commit -q --no-verify -m "$m"; }', `commit the work in ${job.cwd}`, [job.cwd, message, ...who]);
    const fetched = `refs/par/remote/${job.runId}/${job.id}`;
    await this.#gitHere(job.worktree, ['fetch', '-q', `${this.#config.host}:${job.mirror}`, `+refs/heads/${job.branch}:${fetched}`], `fetch ${job.branch} back (the work stays in ${job.cwd} there)`);
    await git.run(job.worktree, ['merge', '-q', '--ff-only', fetched]).catch((error: Error) => {
      throw new Error(`the work came back as ${fetched}, but ${job.worktree} moved meanwhile, so it was not fast-forwarded: merge it by hand (${lastLine(error.message)})`);
    });
  }

  async close(): Promise<void> {
    const master = this.#master;
    this.#master = null;
    master?.signalGroup('SIGTERM');
    await master?.exited;
    if (this.#socketDir) rmSync(this.#socketDir, { recursive: true, force: true });
  }
}
