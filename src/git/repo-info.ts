import { basename, dirname, resolve } from 'node:path';
import { simpleGit } from 'simple-git';

/** The repository a directory is in, as the template built-ins see it. */
export interface RepositoryInfo {
  /** The repository's name: its main worktree's directory name. */
  name: string;
  /** The current branch, undefined when HEAD is detached. */
  branch: string | undefined;
  /** The top of the worktree `dir` is in. */
  worktree: string;
}

/** Describes the repository around `dir`, or undefined outside one. */
export async function repositoryInfo(dir: string): Promise<RepositoryInfo | undefined> {
  try {
    const git = simpleGit({ baseDir: dir });
    const output = await git.raw(['rev-parse', '--show-toplevel', '--git-common-dir']);
    const [top = '', common = ''] = output.split('\n');
    if (top === '') return undefined;
    // symbolic-ref also names the branch of a repository with no commit yet; it fails when detached.
    const branch = (await git.raw(['symbolic-ref', '--short', '-q', 'HEAD']).catch(() => '')).trim();
    const commonDir = resolve(dir, common);
    const name = basename(commonDir) === '.git' ? basename(dirname(commonDir)) : basename(commonDir).replace(/\.git$/, '');
    return { name, branch: branch === '' ? undefined : branch, worktree: top };
  } catch {
    return undefined;
  }
}
