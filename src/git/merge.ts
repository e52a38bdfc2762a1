import { rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { UserError } from '../core/errors.js';
import { commitIdentity, type Git } from './git.js';

/** What `par merge` did. */
export type MergeOutcome =
  | { kind: 'merged'; target: string; files: number }
  | { kind: 'up-to-date'; target: string }
  /** A squash whose changes the target already holds: nothing to commit. */
  | { kind: 'already-applied'; target: string }
  | { kind: 'conflict'; target: string; files: string[] };

async function unmergedFiles(git: Git, worktree: string): Promise<string[]> {
  return (await git.run(worktree, ['diff', '--name-only', '--diff-filter=U', '-z'])).split('\0').filter(Boolean);
}

/** Puts the target back at `before`, out of any merge; a target that cannot be put back is said so, with what to run. */
async function putBack(git: Git, target: string, before: string): Promise<void> {
  await git.run(target, ['merge', '--abort']).catch(() => undefined);
  try {
    await git.run(target, ['reset', '--merge']);
    await git.run(target, ['reset', '--hard', '--quiet', before]);
  } catch (error) {
    throw new UserError(`The merge failed and ${target} could not be put back (${(error as Error).message}); run git merge --abort and git reset --hard ${before} there.`, 1);
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
  // Both may need an identity: a squash whose changes are already in merges with a base git writes itself.
  const identity = await commitIdentity(git, target);
  let failure: Error | undefined;
  try {
    await git.run(target, [...identity, ...args]);
  } catch (error) {
    failure = error as Error;
  }
  // A conflict is what git says of its index, not of its message.
  const conflicts = await unmergedFiles(git, target);
  if (conflicts.length > 0 || failure) {
    await putBack(git, target, before);
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
    await git.run(target, [...identity, 'commit', '-q', '--no-verify', '-m', options.message]);
  }
  const files = (await git.run(target, ['diff', '--name-only', '-z', before, 'HEAD'])).split('\0').filter(Boolean).length;
  return { kind: 'merged', target: current, files };
}
