import { readdir } from 'node:fs/promises';
import { join, sep } from 'node:path';

/** Directories read at once: a worktree's node_modules can hold tens of thousands, and one at a time is slow. */
const READS_AT_ONCE = 16;

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
  const queue: string[] = [''];
  const readOne = async (relative: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(join(worktree, relative), { withFileTypes: true });
    } catch {
      // Unreadable: git cannot see into it either; the status check speaks for it.
      return;
    }
    if (relative !== '' && entries.some((entry) => entry.name === '.git')) found.push(relative);
    for (const entry of entries) {
      if (entry.name !== '.git' && entry.isDirectory()) queue.push(relative === '' ? entry.name : join(relative, entry.name));
    }
  };
  // A pool of reads, each starting the next as it ends, until the queue is done.
  await new Promise<void>((resolve) => {
    let next = 0;
    let active = 0;
    const pump = (): void => {
      while (active < READS_AT_ONCE && next < queue.length) {
        active++;
        void readOne(queue[next++] as string).finally(() => {
          active--;
          pump();
        });
      }
      if (active === 0 && next >= queue.length) resolve();
    };
    pump();
  });
  const depth = (path: string): number => path.split(sep).length;
  return found.sort((a, b) => depth(a) - depth(b) || a.localeCompare(b));
}
