import { basename, dirname, resolve } from 'node:path';
import { UserError } from '../core/errors.js';
import type { Git } from './git.js';
import { repositoryFromFiles } from './git-files.js';

/** A repository as par sees it from one of its worktrees. */
export interface RepositoryFacts {
  /** The worktree asked about (new worktrees read its `.worktreeinclude`). */
  worktree: string;
  /** The main worktree (or bare repository) path. */
  repo: string;
  name: string;
  commonDir: string;
}

function factsOf(worktree: string, commonDir: string): RepositoryFacts {
  const repo = basename(commonDir) === '.git' ? dirname(commonDir) : commonDir;
  return { worktree, repo, name: basename(repo).replace(/\.git$/, ''), commonDir };
}

/** Facts about the repository around `dir` from git's files, or from git when they do not say; a UserError outside one. */
export async function repositoryFacts(git: Git | (() => Promise<Git>), dir: string): Promise<RepositoryFacts> {
  const outside = new UserError(`${dir} is not inside a git repository; cd into one, or pass worktrees that are.`);
  const known = repositoryFromFiles(dir);
  if (known === null) throw outside;
  if (known !== undefined) return factsOf(known.worktree, known.commonDir);
  let output: string;
  try {
    output = await (typeof git === 'function' ? await git() : git).run(dir, ['rev-parse', '--show-toplevel', '--git-common-dir']);
  } catch {
    throw outside;
  }
  const [worktree = '', common = ''] = output.split('\n');
  return factsOf(worktree, resolve(dir, common));
}

/**
 * The main worktree of the repository `dir` is in; null outside one. The one
 * lookup of "the current repository": from git's files when they say it
 * plainly (no git, and no git module, loaded), else from git.
 */
export function currentRepository(git: () => Promise<Git>, dir: string): Promise<string | null> {
  return repositoryFacts(git, dir).then(
    (facts) => facts.repo,
    () => null,
  );
}

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
export async function repositoryInfo(git: Git, dir: string): Promise<RepositoryInfo | undefined> {
  const facts = await repositoryFacts(git, dir).catch(() => undefined);
  if (!facts) return undefined;
  // symbolic-ref also names the branch of a repository with no commit yet; it fails when detached.
  const branch = (await git.run(dir, ['symbolic-ref', '--short', '-q', 'HEAD']).catch(() => '')).trim();
  return { name: facts.name, branch: branch === '' ? undefined : branch, worktree: facts.worktree };
}
