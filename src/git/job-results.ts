import { existsSync } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Diffstat } from '../core/events.js';
import { commitWithIdentity, type Git } from './git.js';
import { headFromFiles } from './git-files.js';

/** File times come from the kernel's coarse clock, up to a tick (1–10 ms) behind the one Date.now() reads. */
const CLOCK_TICK_MS = 10;

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

async function untrackedFiles(git: Git, worktree: string): Promise<string[]> {
  return (await git.run(worktree, ['ls-files', '-z', '--others', '--exclude-standard'])).split('\0').filter(Boolean);
}

/** A worktree as one `git status` sees it: HEAD (null on an unborn branch), whether a tracked file changed, the untracked files. */
interface WorktreeStatus {
  head: string | null;
  trackedChanges: boolean;
  untracked: string[];
}

/**
 * One `git status`, which always prints (its branch headers): the one git a
 * job's start and end each cost when nothing changed.
 */
async function worktreeStatus(git: Git, worktree: string): Promise<WorktreeStatus> {
  const records = (await git.run(worktree, ['status', '--porcelain=v2', '--branch', '-z', '--untracked-files=all'])).split('\0');
  const status: WorktreeStatus = { head: null, trackedChanges: false, untracked: [] };
  for (let index = 0; index < records.length; index++) {
    const record = records[index] ?? '';
    if (record.startsWith('# branch.oid ')) {
      const oid = record.slice(13);
      status.head = /^[0-9a-f]{40,64}$/.test(oid) ? oid : null;
    } else if (record.startsWith('? ')) status.untracked.push(record.slice(2));
    else if (/^[12u] /.test(record)) {
      status.trackedChanges = true;
      // A rename or copy is followed by the path it came from.
      if (record.startsWith('2 ')) index++;
    }
  }
  return status;
}

/** What a job starts from: its worktree's HEAD commit (null on an unborn branch), and when (epoch ms). */
export interface StartingPoint {
  head: string | null;
  at: number;
}

/** The starting point of a job about to start: HEAD from git's files when they say it plainly, else from git. */
export async function startingPoint(git: Git, worktree: string): Promise<StartingPoint> {
  const at = Date.now();
  const head = headFromFiles(worktree);
  return { head: head === undefined ? (await worktreeStatus(git, worktree)).head : head, at };
}

/**
 * `{files, insertions, deletions}` of the worktree against `base` (DESIGN
 * §4), and the paths changed (for the conflict forecast): tracked changes, committed or not, plus untracked files the job
 * added or changed — with `since` (epoch ms), those whose inode changed
 * since then: a file the job found and left as it was is not its change.
 */
export async function jobChanges(git: Git, worktree: string, base: string | null, since: number | null = null): Promise<{ diffstat: Diffstat; paths: string[] }> {
  const totals: Diffstat = { files: 0, insertions: 0, deletions: 0 };
  const paths: string[] = [];
  const status = await worktreeStatus(git, worktree);
  // Tracked files differ from the base only if something changed since HEAD or HEAD moved: else no second git.
  const numstat = base && (status.trackedChanges || status.head !== base) ? await git.run(worktree, ['diff', '--numstat', '-z', base, '--']) : '';
  // With -z: "added\tdeleted\tpath\0", or for a rename "added\tdeleted\t\0old\0new\0".
  const fields = numstat.split('\0');
  for (let index = 0; index < fields.length; index++) {
    const field = fields[index] ?? '';
    const match = /^(-|\d+)\t(-|\d+)\t(.*)$/s.exec(field);
    if (!match) continue;
    totals.files++;
    totals.insertions += match[1] === '-' ? 0 : Number(match[1]);
    totals.deletions += match[2] === '-' ? 0 : Number(match[2]);
    // A rename changes both paths.
    if (match[3] === '') {
      paths.push(fields[index + 1] ?? '', fields[index + 2] ?? '');
      index += 2;
    } else paths.push(match[3] as string);
  }
  for (const file of status.untracked) {
    const path = join(worktree, file);
    // Any write, rename or chmod sets ctime, which no tool can set back (unlike mtime).
    if (since !== null && ((await stat(path).catch(() => undefined))?.ctimeMs ?? 0) < since - CLOCK_TICK_MS) continue;
    totals.files++;
    totals.insertions += await countLines(path);
    paths.push(file);
  }
  return { diffstat: totals, paths: paths.filter(Boolean) };
}

/**
 * Commits everything a job left in its par-made worktree to its branch, so
 * the work is safe in git. Uses the user's git identity, or par's when none
 * is set. Returns false when there was nothing to commit.
 */
export async function commitResults(git: Git, worktree: string, message: string): Promise<boolean> {
  const status = await worktreeStatus(git, worktree);
  if (!status.trackedChanges && status.untracked.length === 0) return false;
  await git.run(worktree, ['add', '-A']);
  // At the end of every job: the identity is asked of git only when the commit fails.
  await commitWithIdentity(git, worktree, ['commit', '-q', '--no-verify', '-m', message]);
  return true;
}

/** The diff pane holds at most this many lines: a screenful a thousand times over, a few MB at worst. */
const DIFF_LINES = 20_000;
/** An untracked file is shown up to this size; past it, only that it is there. */
const UNTRACKED_BYTES = 256 * 1024;

/**
 * What a job changed, for people: the diffstat, the diff of tracked files
 * against `base` (committed or not), then each untracked file as new.
 */
export async function jobDiff(git: Git, worktree: string, base: string | null): Promise<string[]> {
  const from = base ?? 'HEAD';
  const [summary, diff, untracked] = await Promise.all([
    git.run(worktree, ['diff', '--stat=200', from, '--']),
    git.run(worktree, ['diff', '--no-color', '--no-ext-diff', from, '--']),
    untrackedFiles(git, worktree),
  ]);
  const lines = [...summary.replace(/\n$/, '').split('\n').filter((line) => line !== '')];
  if (untracked.length > 0) lines.push(` ${untracked.length} untracked file${untracked.length === 1 ? '' : 's'}: ${untracked.slice(0, 5).join(', ')}${untracked.length > 5 ? ', …' : ''}`);
  if (diff !== '') lines.push('', ...diff.replace(/\n$/, '').split('\n'));
  for (const file of untracked) {
    if (lines.length >= DIFF_LINES) break;
    lines.push('', `diff (untracked) ${file}`, '--- /dev/null', `+++ b/${file}`);
    const path = join(worktree, file);
    const size = (await stat(path).catch(() => undefined))?.size ?? 0;
    if (size > UNTRACKED_BYTES) {
      lines.push(`(${(size / 1024).toFixed(0)} KB, not shown)`);
      continue;
    }
    const handle = await open(path, 'r').catch(() => undefined);
    if (!handle) continue;
    try {
      const content = (await handle.readFile()).toString('utf8');
      if (content.includes('\0')) lines.push('(binary file)');
      else lines.push(...content.replace(/\n$/, '').split('\n').map((line) => `+${line}`));
    } finally {
      await handle.close();
    }
  }
  if (lines.length > DIFF_LINES) return [...lines.slice(0, DIFF_LINES), `… ${lines.length - DIFF_LINES} more lines (git diff ${from} in ${worktree})`];
  return lines;
}


/** An attempt as the compare pane diffs it: its id, worktree and branch. */
export interface AttemptRef {
  id: string;
  worktree: string | null;
  branch: string | null;
}

/**
 * The diff from one attempt's result to another's (best-of-N): what B does
 * differently from A, as committed on their branches (the results par
 * commits, which `par keep` would land). Changes left uncommitted in a
 * worktree are named on a line of their own, not shown.
 */
export async function attemptsDiff(git: Git, a: AttemptRef, b: AttemptRef): Promise<string[]> {
  const present = (attempt: AttemptRef): attempt is AttemptRef & { worktree: string } => attempt.worktree !== null && existsSync(attempt.worktree);
  const worktree = [a, b].find(present)?.worktree;
  if (!worktree) throw new Error(`neither ${a.id} nor ${b.id} has a worktree any more`);
  const refOf = (attempt: AttemptRef): string => {
    if (attempt.branch) return attempt.branch;
    throw new Error(`${attempt.id} has no branch to compare`);
  };
  const [from, to] = [refOf(a), refOf(b)];
  const [summary, diff, ...dirty] = await Promise.all([
    git.run(worktree, ['diff', '--stat=200', from, to, '--']),
    git.run(worktree, ['diff', '--no-color', '--no-ext-diff', from, to, '--']),
    ...[a, b].map(async (attempt) => (present(attempt) ? (await git.run(attempt.worktree, ['status', '--porcelain', '--untracked-files=normal'])).trim() !== '' : false)),
  ]);
  const lines = [`${a.id} → ${b.id}: git diff ${from} ${to}`];
  [a, b].forEach((attempt, index) => {
    if (dirty[index]) lines.push(`(${attempt.id} has uncommitted changes in ${attempt.worktree}: not in this diff)`);
  });
  lines.push(...summary.replace(/\n$/, '').split('\n').filter((line) => line !== ''));
  if (diff === '') lines.push('The two attempts committed the same content.');
  else lines.push('', ...diff.replace(/\n$/, '').split('\n'));
  if (lines.length > DIFF_LINES) return [...lines.slice(0, DIFF_LINES), `… ${lines.length - DIFF_LINES} more lines (git diff ${from} ${to})`];
  return lines;
}
