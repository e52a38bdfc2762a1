import { existsSync } from 'node:fs';
import { simpleGit } from 'simple-git';
import { GitFailure, type Git } from './git.js';

/** What git printed on a failure, as simple-git hands it over. */
class ExitFailure extends Error {
  constructor(
    readonly exitCode: number,
    readonly stderr: string,
  ) {
    super(stderr.trim() || `git exited with code ${exitCode}`);
  }
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
