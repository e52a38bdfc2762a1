import { rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { UserError } from '../core/errors.js';
import type { Git } from './git.js';

/** What `par merge` did. */
export type MergeOutcome =
  | { kind: 'merged'; target: string; files: number }
  | { kind: 'up-to-date'; target: string }
  /** A squash whose changes the target already holds: nothing to commit. */
  | { kind: 'already-applied'; target: string }
  | { kind: 'conflict'; target: string; files: string[] };

const IDENTITY = ['-c', 'user.name=par', '-c', 'user.email=par@localhost'];

async function unmergedFiles(git: Git, worktree: string): Promise<string[]> {
  return (await git.run(worktree, ['diff', '--name-only', '--diff-filter=U', '-z'])).split('\0').filter(Boolean);
}

async function commitWith(git: Git, worktree: string, args: string[]): Promise<void> {
  try {
    await git.run(worktree, args);
  } catch (error) {
    if (!/tell me who you are|user\.email|empty ident/i.test((error as Error).message)) throw error;
    await git.run(worktree, [...IDENTITY, ...args]);
  }
}

/**
 * Brings `branch` into the branch checked out in `target` (a merge commit,
 * or one squashed commit). The target must have no uncommitted changes; on
 * a conflict everything is put back as it was and the files are named.
 */
export async function mergeBranch(git: Git, options: { target: string; branch: string; squash: boolean; message: string }): Promise<MergeOutcome> {
  const { target, branch } = options;
  const current = (await git.run(target, ['symbolic-ref', '--short', '-q', 'HEAD']).catch(() => '')).trim();
  if (current === '') throw new UserError(`${target} has no branch checked out (detached HEAD); check out the branch to merge into first.`);
  if (current === branch) throw new UserError(`${target} is on ${branch} itself; run par merge from the worktree whose branch should receive the work.`);
  const dirty = await git.run(target, ['status', '--porcelain', '--untracked-files=no']);
  if (dirty.trim() !== '') {
    throw new UserError(`${target} (${current}) has uncommitted changes; commit or stash them first, so a merge cannot mix with them.`);
  }
  const ahead = Number((await git.run(target, ['rev-list', '--count', `HEAD..refs/heads/${branch}`])).trim());
  if (ahead === 0) return { kind: 'up-to-date', target: current };
  const before = (await git.run(target, ['rev-parse', 'HEAD'])).trim();
  const args = options.squash ? ['merge', '--squash', `refs/heads/${branch}`] : ['merge', '--no-ff', '--no-edit', '-m', options.message, `refs/heads/${branch}`];
  let failure: Error | undefined;
  try {
    // Both may need an identity: a squash whose changes are already in merges with a base git writes itself.
    await commitWith(git, target, args);
  } catch (error) {
    failure = error as Error;
  }
  // simple-git reports a conflict as success when git wrote nothing to stderr: ask git itself.
  const conflicts = await unmergedFiles(git, target);
  if (conflicts.length > 0 || failure) {
    await git.run(target, ['merge', '--abort']).catch(() => undefined);
    await git.run(target, ['reset', '--merge']).catch(() => undefined);
    await git.run(target, ['reset', '--hard', '--quiet', before]).catch(() => undefined);
    if (conflicts.length > 0) return { kind: 'conflict', target: current, files: conflicts };
    throw new UserError(`Merging ${branch} into ${current} failed (${failure?.message ?? 'unknown'}); nothing was changed.`);
  }
  if (options.squash) {
    // A squash leaves no trace in the history, so a second one of the same branch finds nothing left to bring.
    const staged = await git.run(target, ['diff', '--cached', '--name-only', '-z']);
    if (staged === '') {
      await rm(resolve(target, (await git.run(target, ['rev-parse', '--git-path', 'SQUASH_MSG'])).trim()), { force: true });
      return { kind: 'already-applied', target: current };
    }
    await commitWith(git, target, ['commit', '-q', '--no-verify', '-m', options.message]);
  }
  const files = (await git.run(target, ['diff', '--name-only', '-z', before, 'HEAD'])).split('\0').filter(Boolean).length;
  return { kind: 'merged', target: current, files };
}
