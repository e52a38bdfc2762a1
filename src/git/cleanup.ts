import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { StoredRun } from '../engine/run-store.js';
import type { Git } from './git.js';
import type { WorktreeRecord } from './worktree-registry.js';

/** What `par clean` does with one par-made worktree. */
export type WorktreeAction =
  | { kind: 'remove'; record: WorktreeRecord; deleteBranch: boolean; branchNote: string }
  | { kind: 'forget'; record: WorktreeRecord; deleteBranch: boolean; branchNote: string }
  | { kind: 'keep'; record: WorktreeRecord; reason: string }
  | { kind: 'discard'; record: WorktreeRecord; salvageDir: string; changes: string };

/** One run's share of the plan. */
export interface RunCleanup {
  run: StoredRun | null;
  runId: string;
  actions: WorktreeAction[];
  /** The run directory goes only when none of its worktrees stays. */
  deleteRunData: boolean;
}

/** Which runs to clean (DESIGN §5.4). */
export interface CleanupOptions {
  git: Git;
  dataDir: string;
  runs: readonly StoredRun[];
  records: readonly WorktreeRecord[];
  keepDays: number;
  all: boolean;
  failedOnly: boolean;
  discard: boolean;
  now: Date;
}

const DAY_MS = 86_400_000;

function describeChanges(statusOutput: string): string | null {
  let modified = 0;
  let untracked = 0;
  for (const record of statusOutput.split('\0')) {
    if (record === '' || record.startsWith('#')) continue;
    if (record.startsWith('? ')) untracked++;
    else if (/^[12u] /.test(record)) modified++;
  }
  if (modified === 0 && untracked === 0) return null;
  const parts = [modified ? `${modified} changed` : '', untracked ? `${untracked} untracked` : ''].filter(Boolean);
  return `uncommitted changes: ${parts.join(', ')}`;
}

/** Commits on the branch that its base does not have; null when the branch is gone. */
async function unmergedCommits(git: Git, record: WorktreeRecord): Promise<number | null> {
  const cwd = record.repo;
  try {
    await git.run(cwd, ['rev-parse', '--verify', '--end-of-options', `refs/heads/${record.branch}`]);
  } catch {
    return null;
  }
  let base = record.base_commit;
  try {
    base = (await git.run(cwd, ['rev-parse', '--verify', '--end-of-options', `${record.base}^{commit}`])).trim();
  } catch {
    // The base branch is gone: measure against the commit the worktree started from.
  }
  // rev-list prints a count either way; exit-code-only checks would read as success through simple-git.
  const count = await git.run(cwd, ['rev-list', '--count', `${base}..refs/heads/${record.branch}`]);
  return Number(count.trim());
}

function isCandidate(run: StoredRun | null, record: WorktreeRecord | undefined, options: CleanupOptions): boolean {
  if (run?.phase === 'running') return false;
  if (options.failedOnly && run && run.phase === 'succeeded') return false;
  if (options.all) return true;
  const when = run ? (run.finishedAt ?? run.startedAt) : record ? new Date(record.created_at) : null;
  return when !== null && options.now.getTime() - when.getTime() > options.keepDays * DAY_MS;
}

async function planWorktree(options: CleanupOptions, record: WorktreeRecord, salvageRoot: string): Promise<WorktreeAction> {
  const unmerged = await unmergedCommits(options.git, record);
  const branchNote =
    unmerged === null
      ? 'branch already gone'
      : unmerged === 0
        ? `branch ${record.branch} merged: deleted`
        : `branch ${record.branch} kept: ${unmerged} commit${unmerged === 1 ? '' : 's'} not in ${record.base}`;
  const deleteBranch = unmerged === 0;
  if (!existsSync(record.path)) return { kind: 'forget', record, deleteBranch, branchNote };

  let changes: string | null;
  try {
    changes = describeChanges(await options.git.run(record.path, ['status', '--porcelain=v2', '-z', '--untracked-files=all']));
  } catch (error) {
    return { kind: 'keep', record, reason: `git cannot read it (${(error as Error).message})` };
  }
  if (options.discard && (changes !== null || (unmerged ?? 0) > 0)) {
    const what = [changes, unmerged ? `${unmerged} unmerged commit${unmerged === 1 ? '' : 's'}` : ''].filter(Boolean).join(', ');
    return { kind: 'discard', record, salvageDir: join(salvageRoot, record.run, record.job), changes: what };
  }
  if (changes !== null) return { kind: 'keep', record, reason: changes };
  return { kind: 'remove', record, deleteBranch, branchNote };
}

/** Works out what `par clean` would do; changes nothing. */
export async function planCleanup(options: CleanupOptions): Promise<RunCleanup[]> {
  const byId = new Map(options.runs.map((run) => [run.id, run]));
  const runIds = [...new Set([...options.runs.map((run) => run.id), ...options.records.map((record) => record.run)])].sort();
  const salvageRoot = join(options.dataDir, 'salvage');
  const plans: RunCleanup[] = [];
  for (const runId of runIds) {
    const run = byId.get(runId) ?? null;
    const records = options.records.filter((record) => record.run === runId);
    if (!isCandidate(run, records[0], options)) continue;
    const actions: WorktreeAction[] = [];
    for (const record of records) actions.push(await planWorktree(options, record, salvageRoot));
    const deleteRunData = run !== null && actions.every((action) => action.kind !== 'keep');
    plans.push({ run, runId, actions, deleteRunData });
  }
  return plans;
}

/** What happened to one worktree when the plan was carried out. */
export interface CleanupOutcome {
  action: WorktreeAction;
  ok: boolean;
  message: string;
}

async function deleteBranch(git: Git, record: WorktreeRecord): Promise<void> {
  await git.run(record.repo, ['branch', '-D', '--end-of-options', record.branch]);
}

/** Saves a worktree's unmerged commits (a bundle) and uncommitted work (a patch) before it is discarded. */
async function salvage(git: Git, record: WorktreeRecord, dir: string): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const saved: string[] = [];
  const unmerged = Number((await git.run(record.repo, ['rev-list', '--count', `${record.base_commit}..refs/heads/${record.branch}`])).trim());
  if (unmerged > 0) {
    const bundle = join(dir, 'branch.bundle');
    await git.run(record.repo, ['bundle', 'create', bundle, `refs/heads/${record.branch}`, `^${record.base_commit}`]);
    saved.push(bundle);
  }
  // The worktree is about to go, so staging everything in its own index harms nothing and catches untracked files.
  await git.run(record.path, ['add', '-A']);
  const patch = await git.run(record.path, ['diff', '--cached', '--binary', 'HEAD']);
  if (patch.trim() !== '') {
    const file = join(dir, 'changes.patch');
    await writeFile(file, patch);
    saved.push(file);
  }
  const restore = [
    `Saved by par clean --discard from ${record.path} (run ${record.run}, job ${record.job}).`,
    `Branch ${record.branch}, started from ${record.base} at ${record.base_commit}.`,
    '',
    'To restore, in the repository:',
    `  git worktree add -b ${record.branch} <dir> ${record.base_commit}`,
  ];
  if (unmerged > 0) restore.push(`  git -C <dir> pull --ff-only ${join(dir, 'branch.bundle')} refs/heads/${record.branch}`);
  if (patch.trim() !== '') restore.push(`  git -C <dir> apply --index ${join(dir, 'changes.patch')}`);
  await writeFile(join(dir, 'RESTORE.txt'), `${restore.join('\n')}\n`);
  await writeFile(join(dir, 'worktree.json'), `${JSON.stringify(record, null, 2)}\n`);
  return saved;
}

/**
 * Carries out a plan. Only worktrees in the plan (all par-made, from
 * worktrees.json) are touched; git's own safety checks stay on (`worktree
 * remove` without --force refuses a dirty worktree) except after a salvage.
 */
export async function runCleanup(
  git: Git,
  plans: readonly RunCleanup[],
  forget: (path: string) => Promise<void>,
): Promise<CleanupOutcome[]> {
  const outcomes: CleanupOutcome[] = [];
  const repos = new Set<string>();
  for (const plan of plans) {
    let kept = false;
    for (const action of plan.actions) {
      const { record } = action;
      repos.add(record.repo);
      try {
        if (action.kind === 'keep') {
          kept = true;
          outcomes.push({ action, ok: true, message: `kept ${record.path}: ${action.reason}` });
          continue;
        }
        if (action.kind === 'discard') {
          const saved = await salvage(git, record, action.salvageDir);
          await git.run(record.repo, ['worktree', 'remove', '--force', record.path]);
          await deleteBranch(git, record).catch(() => undefined);
          await forget(record.path);
          outcomes.push({ action, ok: true, message: `discarded ${record.path} (${action.changes}); saved ${saved.length ? saved.join(', ') : 'nothing to save'} in ${action.salvageDir}` });
          continue;
        }
        if (action.kind === 'remove') await git.run(record.repo, ['worktree', 'remove', record.path]);
        // A deleted directory still holds its branch until git forgets the worktree.
        else await git.run(record.repo, ['worktree', 'prune']);
        if (action.deleteBranch) await deleteBranch(git, record).catch(() => undefined);
        await forget(record.path);
        outcomes.push({ action, ok: true, message: `${action.kind === 'remove' ? 'removed' : 'forgot missing'} ${record.path} (${action.branchNote})` });
      } catch (error) {
        kept = true;
        outcomes.push({ action, ok: false, message: `kept ${record.path}: ${(error as Error).message}` });
      }
    }
    if (plan.deleteRunData && !kept && plan.run) await rm(plan.run.dir, { recursive: true, force: true });
  }
  for (const repo of repos) await git.run(repo, ['worktree', 'prune']).catch(() => undefined);
  return outcomes;
}
