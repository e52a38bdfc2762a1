// One landing of `par land` (DESIGN §17), in git: prepared in a scratch
// worktree on the target's tip, and only then the target moved to it by a
// fast-forward — so the target is never mid-merge, and a conflict or a
// failing check leaves it exactly where it was.
import { rm } from 'node:fs/promises';
import { UserError } from '../core/errors.js';
import { commitIdentity, type Git } from './git.js';
import { mergeBranch } from './merge.js';
import { parseWorktreeList } from './parse-worktrees.js';

/** The branch a landing moves, and the worktree that has it checked out (updated with it), if any. */
export interface LandingTarget {
  /** The repository's main worktree: git runs here when the target has no worktree. */
  repo: string;
  branch: string;
  worktree: string | null;
}

/** A throwaway worktree on its own branch, where one landing is prepared. */
export interface Scratch {
  dir: string;
  branch: string;
}

export type Prepared = { kind: 'ready'; commit: string } | { kind: 'already' } | { kind: 'conflict'; files: string[] };

const rev = async (git: Git, cwd: string, ref: string): Promise<string> => (await git.run(cwd, ['rev-parse', '--verify', '--end-of-options', `${ref}^{commit}`])).trim();

/** The target branch's tip now. */
export function targetTip(git: Git, target: LandingTarget): Promise<string> {
  return rev(git, target.repo, `refs/heads/${target.branch}`);
}

/** The target for `branch` of the repository at `repo`: the worktree it is checked out in, if any. */
export async function landingTarget(git: Git, repo: string, branch: string): Promise<LandingTarget> {
  const exists = await git.run(repo, ['rev-parse', '--verify', '--end-of-options', `refs/heads/${branch}`]).then(() => true, () => false);
  if (!exists) throw new UserError(`There is no branch ${branch} in ${repo}; name one with --onto BRANCH.`);
  const entries = parseWorktreeList(await git.run(repo, ['worktree', 'list', '--porcelain', '-z']));
  const holder = entries.find((entry) => entry.branch === branch && !entry.prunable);
  return { repo, branch, worktree: holder?.path ?? null };
}

/** Refuses a target whose worktree has uncommitted changes to tracked files: a fast-forward could mix with them. */
export async function refuseDirtyTarget(git: Git, target: LandingTarget): Promise<void> {
  if (!target.worktree) return;
  const dirty = await git.run(target.worktree, ['status', '--porcelain', '--untracked-files=no']);
  if (dirty.trim() !== '') throw new UserError(`${target.worktree} (${target.branch}) has uncommitted changes; commit or stash them first, so landings cannot mix with them.`);
}

/** Makes a scratch worktree at `dir` on a new branch at `tip`. */
export async function openScratch(git: Git, repo: string, scratch: Scratch, tip: string): Promise<void> {
  await git.run(repo, ['worktree', 'add', '--quiet', '-B', scratch.branch, scratch.dir, tip]);
}

/** Removes a scratch worktree and its branch, whatever state it is in. */
export async function closeScratch(git: Git, repo: string, scratch: Scratch): Promise<void> {
  await git.run(repo, ['worktree', 'remove', '--force', scratch.dir]).catch(() => undefined);
  await rm(scratch.dir, { recursive: true, force: true });
  await git.run(repo, ['worktree', 'prune']).catch(() => undefined);
  await git.run(repo, ['branch', '-D', '--quiet', scratch.branch]).catch(() => undefined);
}

async function unmerged(git: Git, dir: string): Promise<string[]> {
  return (await git.run(dir, ['diff', '--name-only', '--diff-filter=U', '-z'])).split('\0').filter(Boolean);
}

/**
 * Brings the job's branch into the scratch worktree (on the target's tip):
 * a merge commit, one squashed commit, or the job's commits rebased on the
 * tip. `already` when the tip holds the job's work; on a conflict the
 * scratch is left to be thrown away and the files are named.
 */
export async function prepareLanding(git: Git, scratch: Scratch, options: { jobBranch: string; how: 'merge' | 'squash' | 'rebase'; message: string; tip: string }): Promise<Prepared> {
  const { jobBranch, how, tip } = options;
  if (how !== 'rebase') {
    const merged = await mergeBranch(git, { target: scratch.dir, branch: jobBranch, squash: how === 'squash', message: options.message });
    if (merged.kind === 'conflict') return { kind: 'conflict', files: merged.files };
    if (merged.kind !== 'merged') return { kind: 'already' };
    return { kind: 'ready', commit: await rev(git, scratch.dir, 'HEAD') };
  }
  // The job's commits replayed on the tip: the scratch branch starts at the job's tip.
  const jobTip = await rev(git, scratch.dir, `refs/heads/${jobBranch}`);
  const merged = await git.run(scratch.dir, ['merge-base', '--is-ancestor', jobTip, tip]).then(() => true, () => false);
  if (merged) return { kind: 'already' };
  await git.run(scratch.dir, ['checkout', '--quiet', '-B', scratch.branch, jobTip]);
  const identity = await commitIdentity(git, scratch.dir);
  try {
    await git.run(scratch.dir, [...identity, 'rebase', '--quiet', tip]);
  } catch (error) {
    const files = await unmerged(git, scratch.dir);
    await git.run(scratch.dir, ['rebase', '--abort']).catch(() => undefined);
    if (files.length > 0) return { kind: 'conflict', files };
    throw error;
  }
  const commit = await rev(git, scratch.dir, 'HEAD');
  return commit === tip ? { kind: 'already' } : { kind: 'ready', commit };
}

/**
 * Moves the target from `from` to `to`, a fast-forward only: in its
 * worktree when it has one (clean, or refused), else the branch alone,
 * and only if it is still at `from` (someone may have moved it meanwhile).
 */
export async function moveTarget(git: Git, target: LandingTarget, from: string, to: string): Promise<void> {
  if (target.worktree) {
    await refuseDirtyTarget(git, target);
    const at = await rev(git, target.worktree, 'HEAD');
    if (at !== from) throw new UserError(`${target.branch} moved while par land was preparing (now ${at.slice(0, 8)}); run par land again.`, 1);
    await git.run(target.worktree, ['merge', '--ff-only', '--quiet', to]);
    return;
  }
  await git.run(target.repo, ['update-ref', '-m', 'par land', `refs/heads/${target.branch}`, to, from]).catch(() => {
    throw new UserError(`${target.branch} moved while par land was preparing; run par land again.`, 1);
  });
}
