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
    const output = await simpleGit({ baseDir: dir }).raw(['rev-parse', '--show-toplevel', '--git-common-dir', '--abbrev-ref', 'HEAD']);
    const [top = '', common = '', branch = ''] = output.split('\n');
    if (top === '') return undefined;
    const commonDir = resolve(dir, common);
    const name = basename(commonDir) === '.git' ? basename(dirname(commonDir)) : basename(commonDir).replace(/\.git$/, '');
    return { name, branch: branch === 'HEAD' || branch === '' ? undefined : branch, worktree: top };
  } catch {
    return undefined;
  }
}
