import { readdir } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * The repositories inside a worktree — any `.git` (a directory, or a file
 * as in submodules and linked worktrees) below its top — as paths relative
 * to it, outermost first, repositories inside those included. Their history
 * lives in them, not in the worktree's own repository, so removing the
 * worktree would take it along. Symbolic links are not followed (what they
 * point at is not removed with the worktree).
 */
export async function nestedRepositories(worktree: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (dir: string, relative: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      // Unreadable: git cannot see into it either; the status check speaks for it.
      return;
    }
    if (relative !== '' && entries.some((entry) => entry.name === '.git')) found.push(relative);
    for (const entry of entries) {
      if (entry.name === '.git' || !entry.isDirectory()) continue;
      await walk(join(dir, entry.name), relative === '' ? entry.name : join(relative, entry.name));
    }
  };
  await walk(worktree, '');
  return found;
}
