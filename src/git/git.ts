import { existsSync } from 'node:fs';
import { simpleGit } from 'simple-git';

/** git failed: its exit code and stderr, typed (as execa's errors are); `message` is the stderr's first lines. */
export class GitFailure extends Error {
  readonly args: readonly string[];
  readonly cwd: string;
  /** null when git could not be run at all. */
  readonly exitCode: number | null;
  readonly stderr: string;
  constructor(message: string, cwd: string, args: readonly string[], failure: { exitCode: number | null; stderr: string } = { exitCode: null, stderr: '' }) {
    super(message);
    this.name = 'GitFailure';
    this.cwd = cwd;
    this.args = args;
    this.exitCode = failure.exitCode;
    this.stderr = failure.stderr;
  }
}

/** What git printed on a failure, as simple-git hands it over. */
class ExitFailure extends Error {
  constructor(
    readonly exitCode: number,
    readonly stderr: string,
  ) {
    super(stderr.trim() || `git exited with code ${exitCode}`);
  }
}

/** par's own identity for commits where the user has none configured. */
const FALLBACK_IDENTITY = ['-c', 'user.name=par', '-c', 'user.email=par@localhost'];

/** The `-c` arguments a commit in `cwd` needs: none when git knows who the user is, else par's own identity. */
export async function commitIdentity(git: Git, cwd: string): Promise<string[]> {
  const known = await Promise.all(['GIT_AUTHOR_IDENT', 'GIT_COMMITTER_IDENT'].map((name) => git.run(cwd, ['var', name]).then(() => true, () => false)));
  return known.every(Boolean) ? [] : FALLBACK_IDENTITY;
}

/**
 * Runs a `git commit …` in `cwd`; when it fails and git knows no identity
 * there, once more with par's own. A commit checks its identity before it
 * writes anything, so the retry is safe, and the common case costs one git.
 */
export async function commitWithIdentity(git: Git, cwd: string, args: readonly string[]): Promise<void> {
  try {
    await git.run(cwd, args);
  } catch (error) {
    if ((await commitIdentity(git, cwd)).length === 0) throw error;
    await git.run(cwd, [...FALLBACK_IDENTITY, ...args]);
  }
}

/** The git port: everything par asks of git goes through `run`. */
export interface Git {
  /** Runs `git ...args` in `cwd`; resolves its stdout, rejects with a GitFailure. */
  run(cwd: string, args: readonly string[]): Promise<string>;
}

/**
 * The real git, through simple-git's `raw()`. Every non-zero exit is a
 * failure — simple-git's own rule counts one only when git also wrote to
 * stderr, so a quiet `commit` with nothing to commit would read as done —
 * and it carries git's exit code and stderr.
 */
export function createGit(): Git {
  return {
    async run(cwd, args) {
      if (!existsSync(cwd)) throw new GitFailure(`the directory ${cwd} does not exist`, cwd, args);
      try {
        return await simpleGit({
          baseDir: cwd,
          trimmed: false,
          maxConcurrentProcesses: 64,
          errors: (error, result) => error ?? (result.exitCode === 0 ? undefined : new ExitFailure(result.exitCode, Buffer.concat(result.stdErr).toString('utf8'))),
        }).raw([...args]);
      } catch (error) {
        const cause = error instanceof ExitFailure ? error : (error as { task?: unknown; message: string });
        const message = cause.message.trim().split('\n').slice(0, 3).join(' ').replace(/^fatal: /, '');
        throw new GitFailure(message, cwd, args, cause instanceof ExitFailure ? { exitCode: cause.exitCode, stderr: cause.stderr } : { exitCode: null, stderr: cause.message });
      }
    },
  };
}
