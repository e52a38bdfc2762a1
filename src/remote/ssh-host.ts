// An ssh executor (DESIGN §18): one multiplexed OpenSSH connection per host,
// the base pushed to a mirror there, each job's worktree made there, its agent
// run there under a watchdog, its work committed there and fetched back.
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { SshExecutorConfig } from '../core/executor-config.js';
import type { JobHost, RemoteJob } from '../engine/hosts.js';
import type { Git } from '../git/git.js';
import { headFromFiles, repositoryFromFiles } from '../git/git-files.js';
import { worktreeIncludes } from '../git/worktree-include.js';
import type { Logger } from '../logging/logger.js';
import type { CommandRunner } from '../os/command-runner.js';
import type { GroupProcess, ProcessSpawner } from '../os/process-group.js';
import { shellQuote } from '../core/shell-quote.js';

/** How long the connection may take to come up. */
const CONNECT_MS = 20_000;
/** A remote step (a push, a worktree, a fetch) longer than this has hung. */
const STEP_MS = 10 * 60_000;

/** Makes (or, for a later attempt, checks out again) a job's worktree there: $1 the mirror, $2 the worktree, $3 its branch, $4 the commit. */
const MAKE_WORKTREE = 'if [ -d "$2" ]; then cd "$2" && git checkout -q -B "$3" "$4"; else mkdir -p "$(dirname "$2")" && git -C "$1" worktree add -q -f -B "$3" "$2" "$4"; fi';
/** The agent's session ends with this when its worktree could not be made. */
const MAKE_FAILED = 96;

/**
 * Runs the agent on the host: records its process group (its own, as sshd
 * starts each session in a new one), then watches the sshd process that
 * serves the connection. When that is gone — the connection dropped, the
 * machine that ran par died — the group gets TERM, then KILL 5 s later.
 * `$1` is the worktree, `$2` the file the group's id goes to, `$3`–`$5` the
 * mirror, branch and commit to make the worktree from (empty when it is made
 * already), the rest the agent's argv.
 */
export const REMOTE_WATCHDOG = [
  // With a mirror named, the worktree is made first (in the same session: no round trip of its own).
  `if [ -n "$3" ]; then (set -- "$3" "$1" "$4" "$5"; ${MAKE_WORKTREE}) >&2 || exit ${MAKE_FAILED}; fi;`,
  'cd "$1" || exit 97; f=$2; shift 5; echo $$ > "$f"; p=$PPID;',
  '(trap "" TERM; while kill -0 "$p" 2>/dev/null; do sleep 1; done; kill -TERM 0 2>/dev/null; sleep 5; kill -KILL 0 2>/dev/null) </dev/null >/dev/null 2>&1 &',
  // Once the agent has exited, whatever it left running in its group goes too (the wrapper itself ignores that TERM).
  'w=$!; "$@"; c=$?; kill -KILL "$w" 2>/dev/null; trap "" TERM; kill -TERM 0 2>/dev/null; rm -f "$f"; exit $c',
].join(' ');

/** The command git runs there to fetch a job's branch: commit what the agent left, then serve the fetch. */
const COMMIT_THEN_SERVE = 'cd "$PAR_WORKTREE" && git add -A && { git diff --cached --quiet || git commit -q --no-verify -m "$PAR_MESSAGE"; } >&2 && exec git-upload-pack "$1"';

/** What a job there is: where, on which branch, in which mirror, and who commits its work. */
interface RemoteJobFacts {
  runId: string;
  id: string;
  worktree: string;
  cwd: string;
  branch: string;
  mirror: string;
  pidFile: string;
  who: Record<string, string>;
  /** The commit the agent's session makes the worktree from; null: made already. */
  make: string | null;
}

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
  /** The run's repository here, whose mirror is made as the host connects; null: at the first job. */
  repository?: string | null;
}

/** `~/x` as this machine's path. */
function localPath(path: string, env: NodeJS.ProcessEnv): string {
  return path === '~' || path.startsWith('~/') ? join(env.HOME ?? '/', path.slice(1)) : path;
}

/** A host's `dir` as a command there reads it: ssh starts in the home, so `~/x` is `x`. */
export function fromHome(dir: string): string {
  return dir === '~' ? '.' : dir.startsWith('~/') ? dir.slice(2) : dir;
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

/** A worktree's commit and its repository's git directory: from git's files when they say it plainly, else from git. */
async function whereIs(git: Git, worktree: string): Promise<{ head: string; common: string }> {
  const head = headFromFiles(worktree);
  const common = repositoryFromFiles(worktree)?.commonDir;
  if (head && common) return { head, common };
  const [asked = '', commonAsked = ''] = (await git.run(worktree, ['rev-parse', 'HEAD', '--path-format=absolute', '--git-common-dir'])).trim().split('\n');
  return { head: asked, common: commonAsked };
}

/** The name of a repository's mirror on a host: its folder's name and a hash of where it is here. */
function mirrorKey(common: string): string {
  const repo = common.endsWith('/.git') ? dirname(common) : common;
  return `${repo.split('/').at(-1) ?? 'repo'}-${createHash('sha256').update(repo).digest('hex').slice(0, 10)}`;
}

/** What a command's complaint comes to, for a one-sentence error: its first `fatal:` or `error:` line (git's own reason, before its hints), else its last line. */
export function lastLine(text: string): string {
  const lines = text.trim().split('\n').filter(Boolean);
  const reason = lines.find((line) => /^(fatal|error): /.test(line) && !/Could not read from remote repository/.test(line));
  return reason ?? lines.at(-1) ?? '';
}

export class SshHost implements JobHost {
  readonly name: string;
  readonly #config: SshExecutorConfig;
  readonly #deps: SshHostDeps;
  #connected: Promise<{ home: string; dir: string }> | null = null;
  #master: { ended: Promise<unknown>; stop: () => void } | null = null;
  #socketDir: string | null = null;
  readonly #mirrors = new Map<string, Promise<string>>();
  /** The git directory of the run's repository, whose mirror is made as the host connects. */
  readonly #runCommon: Promise<string | null>;
  /** Commits pushed to a mirror by this run: jobs from the same base push it once. */
  readonly #pushed = new Map<string, Promise<string>>();
  /** Who commits in each repository (by its git directory), asked of git once a run. */
  readonly #identities = new Map<string, Promise<Record<string, string>>>();

  constructor(name: string, config: SshExecutorConfig, deps: SshHostDeps) {
    this.name = name;
    this.#config = config;
    this.#deps = deps;
    const repository = deps.repository;
    this.#runCommon = repository ? whereIs(deps.git, repository).then(({ common }) => common, () => null) : Promise.resolve(null);
  }

  /** ssh's options for every use of the connection (the host comes after). */
  #options(): string[] {
    return sshOptions(this.#config, this.#deps.env, join(this.#socketDir ?? '', 'c'));
  }

  /** git here, talking to the host through the same connection; its stdout, or an error saying what failed. */
  async #gitHere(cwd: string, args: readonly string[], what: string): Promise<string> {
    const env = { ...this.#deps.env, GIT_SSH_COMMAND: ['ssh', ...this.#options()].map(shellQuote).join(' ') };
    const started = performance.now();
    const result = await this.#deps.runner.run(['git', ...args], { cwd, env, timeoutMs: STEP_MS, group: { supervisorPid: this.#deps.supervisorPid } });
    this.#deps.log.debug('git with the host', { host: this.name, what, ms: Math.round(performance.now() - started) });
    if (result.exitCode !== 0) throw new Error(`${this.name}: could not ${what}: ${lastLine(result.stderr) || `git exited ${result.exitCode ?? result.signal}`}`);
    return result.stdout;
  }

  /** Where the host's `dir` is: a mirror per repository and the worktrees under it. */
  async #where(): Promise<{ home: string; dir: string }> {
    if (!this.#connected) {
      const connecting = this.#connect();
      this.#connected = connecting;
      // A connection that failed is tried again by the next job.
      connecting.catch(() => {
        if (this.#connected === connecting) this.#connected = null;
      });
    }
    return this.#connected;
  }

  /** Connects ahead of the first job (while worktrees are made), making the run's mirror as it does; a failure is the first job's to report. */
  warm(): void {
    this.#where().catch(() => undefined);
  }

  async #connect(): Promise<{ home: string; dir: string }> {
    if (this.#socketDir) rmSync(this.#socketDir, { recursive: true, force: true });
    const started = performance.now();
    this.#socketDir = mkdtempSync(join(tmpdir(), 'par-ssh-'));
    // Started at once from this thread (a connection is one process for the run), in a group of its own
    // under the watchdog: it ends with the supervisor, and with `stop`.
    const stop = new AbortController();
    const ended = this.#deps.runner.run(
      ['ssh', '-M', '-N', '-o', 'ControlMaster=yes', '-o', 'ControlPersist=no', '-o', 'ServerAliveInterval=5', '-o', 'ServerAliveCountMax=3', '-o', 'ConnectTimeout=15', ...this.#options(), this.#config.host],
      { cwd: this.#socketDir, env: this.#deps.env, group: { supervisorPid: this.#deps.supervisorPid }, signal: stop.signal },
    );
    const master = { ended, stop: () => stop.abort() };
    this.#master = master;
    let gone: string | null = null;
    void ended.then((outcome) => {
      gone = lastLine(outcome.stderr) || outcome.failedToStart || 'ssh exited';
      // The next job connects again (a dropped connection is not the host's end).
      if (this.#master === master) {
        this.#connected = null;
        this.#master = null;
      }
    });
    // The master makes its socket once it has logged in: watched for, bounded, or the master's last words said.
    const socket = join(this.#socketDir, 'c');
    const until = Date.now() + CONNECT_MS;
    while (!existsSync(socket)) {
      if (gone !== null || Date.now() > until) {
        if (gone === null) master.stop();
        throw new Error(`ssh to ${this.#config.host} (executor ${this.name}) failed: ${gone ?? `no answer in ${CONNECT_MS / 1000} s`}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    this.#deps.log.debug('ssh connected', { host: this.name, ms: Math.round(performance.now() - started) });
    // Its home, and the run's mirror made there, in one go (ssh starts in the home: `~/x` is `x`).
    const common = await this.#runCommon;
    const relative = fromHome(this.#config.dir);
    const key = common ? mirrorKey(common) : '';
    const script = 'pwd && { [ -z "$1" ] || { mkdir -p "$(dirname "$1")" && { [ -d "$1" ] || git init -q --bare "$1"; }; }; }';
    const home = (await this.#sh(script, 'find its home and make its mirror repository', [key ? `${relative}/repos/${key}.git` : ''])).trim();
    const dir = this.#config.dir === '~' || this.#config.dir.startsWith('~/') ? home + this.#config.dir.slice(1) : this.#config.dir;
    if (key) this.#mirrors.set(key, Promise.resolve(`${dir}/repos/${key}.git`));
    return { home, dir };
  }

  /** Runs a POSIX shell script on the host (arguments as $1…); its stdout, or an error saying what failed. */
  async #sh(script: string, what: string, args: readonly string[] = []): Promise<string> {
    const command = ['sh', '-c', script, 'par', ...args].map(shellQuote).join(' ');
    const started = performance.now();
    const result = await this.#deps.runner.run(['ssh', ...this.#options(), '-T', this.#config.host, '--', command], { cwd: this.#socketDir ?? tmpdir(), env: this.#deps.env, timeoutMs: STEP_MS, group: { supervisorPid: this.#deps.supervisorPid } });
    this.#deps.log.debug('ssh step', { host: this.name, what, ms: Math.round(performance.now() - started) });
    if (result.exitCode !== 0) throw new Error(`${this.name}: could not ${what}: ${lastLine(result.stderr) || `ssh exited ${result.exitCode ?? result.signal}`}`);
    return result.stdout;
  }

  /** The bare mirror on the host of the repository whose git directory is `common`, made once. */
  async #mirror(common: string, dir: string): Promise<string> {
    const key = mirrorKey(common);
    let made = this.#mirrors.get(key);
    if (!made) {
      const path = `${dir}/repos/${key}.git`;
      made = this.#sh('mkdir -p "$(dirname "$1")" && { [ -d "$1" ] || git init -q --bare "$1"; }', 'make its mirror repository', [path]).then(() => path);
      this.#mirrors.set(key, made);
      made.catch(() => this.#mirrors.delete(key));
    }
    return made;
  }

  async prepare(job: { runId: string; id: string; worktree: string }): Promise<RemoteJob> {
    const { git } = this.#deps;
    // What is asked here and there at once: the worktree's state, its commit and git directory, and the connection.
    // Between two jobs this is the path's whole wait here: git's files say the commit, and one git process the state.
    const [dirty, { head, common }, { dir }] = await Promise.all([git.run(job.worktree, ['status', '--porcelain', '--untracked-files=all']).then((out) => out.trim()), whereIs(git, job.worktree), this.#where()]);
    if (dirty !== '') throw new Error(`${job.worktree} has uncommitted changes, which cannot go to ${this.name}: commit or stash them, or run the job here (--on local)`);
    // The job's own branch there, whatever the branch here: another run on the same worktree has its own.
    const branch = `par/${job.runId}/${job.id}`;
    const mirror = await this.#mirror(common, dir);
    await this.#push(job, mirror, head);
    const cwd = `${dir}/worktrees/${job.runId}/${job.id}`;
    const includes = await worktreeIncludes(git, job.worktree);
    // Made now when files go in or setup runs there first; else by the agent's own session.
    const early = includes.length > 0 || this.#deps.setup.length > 0;
    if (early) {
      await this.#sh(MAKE_WORKTREE, `make the worktree ${cwd}`, [mirror, cwd, branch, head]);
      await this.#copyIncludes(job.worktree, cwd, includes);
      for (const argv of this.#deps.setup) await this.#sh('cd "$1" && shift && "$@"', `run the setup command '${argv.join(' ')}' in ${cwd}`, [cwd, ...argv]);
    }
    const who = await this.#identity(job.worktree, common);
    return this.#remoteJob({ ...job, cwd, branch, mirror, pidFile: `${cwd}.pid`, who, make: early ? null : head });
  }

  /** Who commits there is who commits here: the user's identity, or par's own where git knows none (as for a job here). */
  #identity(worktree: string, common: string): Promise<Record<string, string>> {
    let known = this.#identities.get(common);
    if (!known) {
      const as = (user: string, address: string): Record<string, string> => ({ GIT_AUTHOR_NAME: user, GIT_AUTHOR_EMAIL: address, GIT_COMMITTER_NAME: user, GIT_COMMITTER_EMAIL: address });
      known = this.#deps.git.run(worktree, ['var', 'GIT_COMMITTER_IDENT']).then(
        (ident) => {
          const [, name, email] = /^(.*) <(.*)> \d+ [+-]\d{4}$/.exec(ident.trim()) ?? [];
          return name !== undefined && email !== undefined ? as(name, email) : as('par', 'par@localhost');
        },
        () => as('par', 'par@localhost'),
      );
      this.#identities.set(common, known);
    }
    return known;
  }

  /** The job's base pushed to the mirror (under a ref of its own, so the mirror keeps it), once per commit. */
  async #push(job: { runId: string; id: string; worktree: string }, mirror: string, head: string): Promise<void> {
    const key = `${mirror}\n${head}`;
    let pushed = this.#pushed.get(key);
    if (!pushed) {
      pushed = this.#gitHere(job.worktree, ['push', '-q', '--force', `${this.#config.host}:${mirror}`, `${head}:refs/par/${job.runId}/${job.id}`], `push the base to ${mirror}`);
      this.#pushed.set(key, pushed);
      // A push that failed is tried again by the next job.
      pushed.catch(() => this.#pushed.delete(key));
    }
    await pushed;
  }

  /** `.worktreeinclude`'s files (ignored ones a checkout lacks) copied into the worktree there, by tar over the connection. */
  async #copyIncludes(worktree: string, cwd: string, files: readonly string[]): Promise<void> {
    if (files.length === 0) return;
    const receive = ['ssh', ...this.#options(), '-T', this.#config.host, '--', `tar -C ${shellQuote(cwd)} -xf -`].map(shellQuote).join(' ');
    const result = await this.#deps.runner.run(['sh', '-c', `tar -cf - -- "$@" | ${receive}`, 'par', ...files], { cwd: worktree, env: this.#deps.env, timeoutMs: STEP_MS });
    if (result.exitCode !== 0) throw new Error(`${this.name}: could not copy the .worktreeinclude files to ${cwd}: ${lastLine(result.stderr)}`);
  }

  #remoteJob(job: RemoteJobFacts): RemoteJob {
    let program = this.#config.agent_binary ?? '';
    return {
      cwd: job.cwd,
      agentBinary: (local) => (program = this.#config.agent_binary ?? local),
      spawner: { spawn: (options) => this.#spawnAgent(job, options) },
      bringBack: (message) => this.#bringBack(job, message),
      lost: (code) =>
        code === 255
          ? { why: `the connection to ${this.name} (${this.#config.host}) was lost`, retryable: true, output: true }
          : code === 127
            ? { why: `the agent '${program}' was not found on ${this.name}: install it there, or set executors.${this.name}.agent_binary to its path there`, retryable: false, output: false }
            : code === MAKE_FAILED && job.make !== null
              ? { why: `${this.name}: could not make the worktree ${job.cwd}`, retryable: false, output: true }
              : null,
    };
  }

  /** The agent started there, its stdio through ssh; a stop signals its process group there. */
  async #spawnAgent(job: RemoteJobFacts, options: Parameters<ProcessSpawner['spawn']>[0]): Promise<GroupProcess> {
    const [program = '', ...args] = options.argv;
    // Only what the agent's adapter sets goes along: the host has its own environment (and its own login).
    const assignments = Object.entries(options.env).filter(([name]) => name !== 'PAR_SUPERVISOR_PID').map(([name, value]) => `${name}=${value ?? ''}`);
    const make = job.make === null ? ['', '', ''] : [job.mirror, job.branch, job.make];
    const remote = ['exec', 'sh', '-c', REMOTE_WATCHDOG, 'par-agent', job.cwd, job.pidFile, ...make, 'env', ...assignments, program, ...args].map((word, index) => (index === 0 ? word : shellQuote(word))).join(' ');
    const child = await this.#deps.spawner.spawn({ ...options, argv: ['ssh', ...this.#options(), '-T', this.#config.host, '--', remote], cwd: this.#socketDir ?? tmpdir(), env: this.#deps.env });
    // Once ssh has returned, the agent's wrapper there has ended its group itself (or the connection is gone, and its watchdog does).
    let ended = false;
    void child.exited.then(() => (ended = true));
    const signalThere = (signal: 'TERM' | 'KILL'): void => {
      if (ended) return;
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

  /**
   * Commits there with the local identity, fetches the branch back and
   * fast-forwards the local worktree to it. The commit rides on the fetch:
   * the command git runs there for it commits first, then serves the fetch —
   * one round trip.
   */
  async #bringBack(job: RemoteJobFacts, message: string): Promise<void> {
    const { git } = this.#deps;
    const assignments = Object.entries({ ...job.who, PAR_WORKTREE: job.cwd, PAR_MESSAGE: message }).map(([name, value]) => `${name}=${shellQuote(value)}`);
    // git adds the repository's path as the last word: $1 of the script.
    const uploadPack = `${assignments.join(' ')} sh -c ${shellQuote(COMMIT_THEN_SERVE)} par-commit`;
    const fetched = `refs/par/remote/${job.runId}/${job.id}`;
    await this.#gitHere(job.worktree, ['fetch', '-q', `--upload-pack=${uploadPack}`, `${this.#config.host}:${job.mirror}`, `+refs/heads/${job.branch}:${fetched}`], `commit the work in ${job.cwd} and fetch it back (it stays there meanwhile)`);
    await git.run(job.worktree, ['merge', '-q', '--ff-only', fetched]).catch((error: Error) => {
      throw new Error(`the work came back as ${fetched}, but ${job.worktree} moved meanwhile, so it was not fast-forwarded: merge it by hand (${lastLine(error.message)})`);
    });
  }

  async close(): Promise<void> {
    const master = this.#master;
    this.#master = null;
    master?.stop();
    await master?.ended;
    if (this.#socketDir) rmSync(this.#socketDir, { recursive: true, force: true });
  }
}
