import { existsSync, realpathSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { StoredRun } from '../core/run-state.js';
import type { Git } from './git.js';
import { nestedRepositories } from './nested-repos.js';
import { parseWorktreeList } from './parse-worktrees.js';
import { salvage, type WorktreeRisks } from './salvage.js';
import type { WorktreeRecord } from './worktree-registry.js';

/** What `par clean` does with one par-made worktree. */
export type WorktreeAction =
  | { kind: 'remove'; record: WorktreeRecord; deleteBranch: boolean; branchNote: string }
  | { kind: 'forget'; record: WorktreeRecord; deleteBranch: boolean; branchNote: string }
  | { kind: 'keep'; record: WorktreeRecord; reason: string }
  | { kind: 'discard'; record: WorktreeRecord; salvageDir: string; changes: string; risks: WorktreeRisks };

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

/** Uncommitted changes and untracked files in words; a nested repository (git lists it as one untracked entry) is told of apart. */
function describeChanges(statusOutput: string, nested: readonly string[]): string | null {
  let modified = 0;
  let untracked = 0;
  for (const record of statusOutput.split('\0')) {
    if (record === '' || record.startsWith('#')) continue;
    if (record.startsWith('? ') && nested.includes(record.slice(2).replace(/\/$/, ''))) continue;
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

function realPath(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

/** Locked worktrees of a repository (path → why), from git's own list. */
async function lockedWorktrees(git: Git, repo: string): Promise<Map<string, string>> {
  const locked = new Map<string, string>();
  const output = await git.run(repo, ['worktree', 'list', '--porcelain', '-z']).catch(() => '');
  for (const entry of parseWorktreeList(output)) if (entry.locked) locked.set(entry.path, entry.lockedReason ?? '');
  return locked;
}

/** Commits the worktree's HEAD holds that no branch or tag does (a detached HEAD committed on): they would go with the worktree. */
async function strandedCommits(git: Git, path: string): Promise<{ head: string; count: number } | null> {
  const head = (await git.run(path, ['rev-parse', '--verify', 'HEAD']).catch(() => '')).trim();
  if (head === '') return null;
  const count = Number((await git.run(path, ['rev-list', '--count', 'HEAD', '--not', '--branches', '--tags'])).trim());
  return count > 0 ? { head, count } : null;
}

function describeRisks(risks: WorktreeRisks): string[] {
  const { nested, stranded } = risks;
  return [
    risks.changes ?? '',
    nested.length ? `nested repositor${nested.length === 1 ? 'y' : 'ies'} ${nested.join(', ')} with ${nested.length === 1 ? 'its' : 'their'} own history` : '',
    stranded ? `HEAD ${stranded.head.slice(0, 12)} holds ${stranded.count} commit${stranded.count === 1 ? '' : 's'} on no branch` : '',
  ].filter(Boolean);
}

async function planWorktree(options: CleanupOptions, record: WorktreeRecord, salvageRoot: string, locked: Map<string, string>): Promise<WorktreeAction> {
  // A locked worktree (on a removable disk, or locked by hand) is not par's to touch, not even to salvage.
  const lock = locked.get(record.path) ?? locked.get(realPath(record.path));
  if (lock !== undefined) return { kind: 'keep', record, reason: `locked${lock ? ` (${lock})` : ''}; git worktree unlock ${record.path} lets par clean it` };
  const unmerged = await unmergedCommits(options.git, record);
  const branchNote =
    unmerged === null
      ? 'branch already gone'
      : unmerged === 0
        ? `branch ${record.branch} merged: deleted`
        : `branch ${record.branch} kept: ${unmerged} commit${unmerged === 1 ? '' : 's'} not in ${record.base}`;
  const deleteBranch = unmerged === 0;
  if (!existsSync(record.path)) return { kind: 'forget', record, deleteBranch, branchNote };

  let risks: WorktreeRisks;
  try {
    const [status, nested, stranded] = await Promise.all([
      options.git.run(record.path, ['status', '--porcelain=v2', '-z', '--untracked-files=all']),
      nestedRepositories(record.path),
      strandedCommits(options.git, record.path),
    ]);
    risks = { changes: describeChanges(status, nested), nested, stranded };
  } catch (error) {
    return { kind: 'keep', record, reason: `git cannot read it (${(error as Error).message})` };
  }
  const atRisk = describeRisks(risks);
  if (options.discard && (atRisk.length > 0 || (unmerged ?? 0) > 0)) {
    const what = [...atRisk, unmerged ? `${unmerged} unmerged commit${unmerged === 1 ? '' : 's'}` : ''].filter(Boolean).join(', ');
    return { kind: 'discard', record, salvageDir: join(salvageRoot, record.run, record.job), changes: what, risks };
  }
  if (atRisk.length > 0) return { kind: 'keep', record, reason: atRisk.join('; ') };
  return { kind: 'remove', record, deleteBranch, branchNote };
}

/** Works out what `par clean` would do; changes nothing. */
export async function planCleanup(options: CleanupOptions): Promise<RunCleanup[]> {
  const byId = new Map(options.runs.map((run) => [run.id, run]));
  const runIds = [...new Set([...options.runs.map((run) => run.id), ...options.records.map((record) => record.run)])].sort();
  const salvageRoot = join(options.dataDir, 'salvage');
  const plans: RunCleanup[] = [];
  const locks = new Map<string, Map<string, string>>();
  for (const runId of runIds) {
    const run = byId.get(runId) ?? null;
    const records = options.records.filter((record) => record.run === runId);
    if (!isCandidate(run, records[0], options)) continue;
    const actions: WorktreeAction[] = [];
    for (const record of records) {
      if (!locks.has(record.repo)) locks.set(record.repo, await lockedWorktrees(options.git, record.repo));
      actions.push(await planWorktree(options, record, salvageRoot, locks.get(record.repo) as Map<string, string>));
    }
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

/** Deletes a job's branch; what happened, in words — a branch that could not be deleted is said so, never reported gone. */
async function deleteBranch(git: Git, record: WorktreeRecord, done: string): Promise<string> {
  try {
    await git.run(record.repo, ['branch', '-D', '--end-of-options', record.branch]);
    return done;
  } catch (error) {
    return `branch ${record.branch} kept: it could not be deleted (${(error as Error).message})`;
  }
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
          const saved = await salvage(git, record, action.salvageDir, action.risks);
          await git.run(record.repo, ['worktree', 'remove', '--force', record.path]);
          const branch = await deleteBranch(git, record, `branch ${record.branch} deleted`);
          await forget(record.path);
          outcomes.push({ action, ok: true, message: `discarded ${record.path} (${action.changes}; ${branch}); saved ${saved.length ? saved.join(', ') : 'nothing to save'} in ${action.salvageDir}` });
          continue;
        }
        if (action.kind === 'remove') await git.run(record.repo, ['worktree', 'remove', record.path]);
        // A deleted directory still holds its branch until git forgets the worktree.
        else await git.run(record.repo, ['worktree', 'prune']);
        const branch = action.deleteBranch ? await deleteBranch(git, record, action.branchNote) : action.branchNote;
        await forget(record.path);
        outcomes.push({ action, ok: true, message: `${action.kind === 'remove' ? 'removed' : 'forgot missing'} ${record.path} (${branch})` });
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

/**
 * The worktrees of `records` to go whatever they hold (`par keep`: the
 * variants not kept): each removed only after what it holds is salvaged
 * (DESIGN §5.4), a locked one kept. The run's data stays.
 */
export async function planDiscard(git: Git, dataDir: string, records: readonly WorktreeRecord[]): Promise<RunCleanup> {
  const options: CleanupOptions = { git, dataDir, runs: [], records, keepDays: 0, all: true, failedOnly: false, discard: true, now: new Date() };
  const locks = new Map<string, Map<string, string>>();
  const actions: WorktreeAction[] = [];
  for (const record of records) {
    if (!locks.has(record.repo)) locks.set(record.repo, await lockedWorktrees(git, record.repo));
    actions.push(await planWorktree(options, record, join(dataDir, 'salvage'), locks.get(record.repo) as Map<string, string>));
  }
  return { run: null, runId: records[0]?.run ?? '', actions, deleteRunData: false };
}
