import { existsSync } from 'node:fs';
import { simpleGit } from 'simple-git';

/** git failed: `message` is its stderr (first lines), `args` what was run. */
export class GitFailure extends Error {
  readonly args: readonly string[];
  readonly cwd: string;
  constructor(message: string, cwd: string, args: readonly string[]) {
    super(message);
    this.name = 'GitFailure';
    this.cwd = cwd;
    this.args = args;
  }
}

/** The git port: everything par asks of git goes through `run`. */
export interface Git {
  /** Runs `git ...args` in `cwd`; resolves its stdout, rejects with a GitFailure. */
  run(cwd: string, args: readonly string[]): Promise<string>;
}

/**
 * The real git, through simple-git's `raw()`. simple-git counts a command
 * as failed only when it exits non-zero *and* writes to stderr, so callers
 * use forms of commands that print on failure (never `--quiet` checks).
 */
export function createGit(): Git {
  return {
    async run(cwd, args) {
      if (!existsSync(cwd)) throw new GitFailure(`the directory ${cwd} does not exist`, cwd, args);
      try {
        return await simpleGit({ baseDir: cwd, trimmed: false, maxConcurrentProcesses: 64 }).raw([...args]);
      } catch (error) {
        const message = (error as Error).message.trim().split('\n').slice(0, 3).join(' ');
        throw new GitFailure(message.replace(/^fatal: /, ''), cwd, args);
      }
    },
  };
}
