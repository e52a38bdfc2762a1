import { open, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Diffstat } from '../core/events.js';
import type { Git } from './git.js';

/** Untracked files are counted line by line up to this size; a bigger one counts as one file. */
const MAX_COUNTED_BYTES = 8 * 1024 * 1024;

async function countLines(path: string): Promise<number> {
  const handle = await open(path, 'r').catch(() => undefined);
  if (!handle) return 0;
  try {
    const { size } = await handle.stat();
    if (size === 0 || size > MAX_COUNTED_BYTES) return 0;
    const buffer = Buffer.alloc(size);
    await handle.read(buffer, 0, size, 0);
    if (buffer.includes(0)) return 0;
    let lines = 0;
    for (let index = buffer.indexOf(10); index !== -1; index = buffer.indexOf(10, index + 1)) lines++;
    return buffer[size - 1] === 10 ? lines : lines + 1;
  } finally {
    await handle.close();
  }
}

/** Untracked files as a job found them: path → size and mtime, so a diffstat counts only what the job added or changed. */
export type UntrackedSnapshot = Map<string, string>;

async function untrackedFiles(git: Git, worktree: string): Promise<string[]> {
  return (await git.run(worktree, ['ls-files', '-z', '--others', '--exclude-standard'])).split('\0').filter(Boolean);
}

async function fingerprint(path: string): Promise<string> {
  const info = await stat(path).catch(() => undefined);
  return info ? `${info.size}:${info.mtimeMs}` : '';
}

/** Records the untracked files present before a job starts. */
export async function snapshotUntracked(git: Git, worktree: string): Promise<UntrackedSnapshot> {
  const snapshot: UntrackedSnapshot = new Map();
  for (const file of await untrackedFiles(git, worktree)) snapshot.set(file, await fingerprint(join(worktree, file)));
  return snapshot;
}

/** The HEAD a job starts from, or null (an unborn branch). */
export async function headOf(git: Git, worktree: string): Promise<string | null> {
  try {
    return (await git.run(worktree, ['rev-parse', '--verify', 'HEAD'])).trim() || null;
  } catch {
    return null;
  }
}

/**
 * `{files, insertions, deletions}` of the worktree against `base` (DESIGN
 * §4): tracked changes, committed or not, plus untracked files the job
 * added or changed.
 */
export async function diffstat(git: Git, worktree: string, base: string | null, before: UntrackedSnapshot = new Map()): Promise<Diffstat> {
  const totals: Diffstat = { files: 0, insertions: 0, deletions: 0 };
  if (base) {
    const numstat = await git.run(worktree, ['diff', '--numstat', '-z', base, '--']);
    // With -z: "added\tdeleted\tpath\0", or for a rename "added\tdeleted\t\0old\0new\0".
    const fields = numstat.split('\0');
    for (let index = 0; index < fields.length; index++) {
      const field = fields[index] ?? '';
      const match = /^(-|\d+)\t(-|\d+)\t(.*)$/s.exec(field);
      if (!match) continue;
      totals.files++;
      totals.insertions += match[1] === '-' ? 0 : Number(match[1]);
      totals.deletions += match[2] === '-' ? 0 : Number(match[2]);
      if (match[3] === '') index += 2;
    }
  }
  for (const file of await untrackedFiles(git, worktree)) {
    const path = join(worktree, file);
    // An untracked file the job found and left as it was is not the job's change.
    if (before.has(file) && before.get(file) === (await fingerprint(path))) continue;
    totals.files++;
    totals.insertions += await countLines(path);
  }
  return totals;
}

/**
 * Commits everything a job left in its par-made worktree to its branch, so
 * the work is safe in git. Uses the user's git identity, or par's when none
 * is set. Returns false when there was nothing to commit.
 */
export async function commitResults(git: Git, worktree: string, message: string): Promise<boolean> {
  const status = await git.run(worktree, ['status', '--porcelain', '-z', '--untracked-files=all']);
  if (status === '') return false;
  await git.run(worktree, ['add', '-A']);
  try {
    await git.run(worktree, ['commit', '-q', '--no-verify', '-m', message]);
  } catch (error) {
    if (!/tell me who you are|user\.email|user\.name|empty ident/i.test((error as Error).message)) throw error;
    await git.run(worktree, ['-c', 'user.name=par', '-c', 'user.email=par@localhost', 'commit', '-q', '--no-verify', '-m', message]);
  }
  return true;
}
