import { existsSync } from 'node:fs';
import type { Git } from './git.js';
import type { WorktreeEntry } from './parse-worktrees.js';

/** What `git status` says of a worktree. */
export interface WorktreeStatus {
  /** Uncommitted changes or untracked files. */
  dirty: boolean;
  /** Commits ahead of / behind the upstream; null without an upstream. */
  ahead: number | null;
  behind: number | null;
}

/** Parses `git status --porcelain=v2 --branch -z`. */
export function parseStatus(output: string): WorktreeStatus {
  let ahead: number | null = null;
  let behind: number | null = null;
  let dirty = false;
  for (const record of output.split('\0')) {
    if (record === '') continue;
    if (record.startsWith('# branch.ab ')) {
      const match = /^# branch\.ab \+(\d+) -(\d+)/.exec(record);
      if (match) {
        ahead = Number(match[1]);
        behind = Number(match[2]);
      }
    } else if (!record.startsWith('#')) {
      dirty = true;
    }
  }
  return { dirty, ahead, behind };
}

/** Runs `git status` in a worktree (~50–80 ms on a large repository: keep it off hot paths). */
export async function worktreeStatus(git: Git, path: string): Promise<WorktreeStatus> {
  return parseStatus(await git.run(path, ['status', '--porcelain=v2', '--branch', '-z', '--untracked-files=normal']));
}

/** Whether par may run a job in a worktree (DESIGN §5.2), and if not, why. */
export function worktreeValidity(entry: WorktreeEntry): { valid: boolean; reason: string | null } {
  if (entry.bare) return { valid: false, reason: 'bare repository (no work tree)' };
  if (entry.prunable) return { valid: false, reason: `prunable: ${entry.prunableReason ?? 'its directory is gone'}` };
  if (!existsSync(entry.path)) return { valid: false, reason: 'its directory does not exist' };
  if (entry.locked) return { valid: false, reason: `locked${entry.lockedReason ? `: ${entry.lockedReason}` : ''}` };
  return { valid: true, reason: null };
}
