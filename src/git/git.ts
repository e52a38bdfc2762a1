// The git port and what goes with it; the real git is in real-git.ts, so
// code that only passes a port around never loads simple-git.

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

/** A git port that loads the real one at its first call: a command that turns out to need no git loads none. */
export function lazyGit(load: () => Promise<Git>): Git {
  let git: Promise<Git> | undefined;
  return { run: async (cwd, args) => (await (git ??= load())).run(cwd, args) };
}
