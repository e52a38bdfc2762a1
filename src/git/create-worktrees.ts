import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { withFileLock } from '../os/file-lock.js';
import { DEFAULT_CHECKOUTS, type CreationPlan, type CreationResult } from './plan-worktrees.js';
import { copyWorktreeIncludes } from './worktree-include.js';
import { WorktreeRegistry, type WorktreeRecord } from './worktree-registry.js';


function tail(text: string, lines = 5): string {
  return text.trim().split('\n').slice(-lines).join(' | ');
}

/**
 * A pool of checkouts, fed in registration order as each registration
 * completes. The first checkout runs alone, so the first job starts as soon
 * as one checkout allows; after it, `concurrency` at once.
 */
class CheckoutPool {
  #active = 0;
  #limit = 1;
  readonly #waiting: (() => void)[] = [];
  readonly #concurrency: number;

  constructor(concurrency: number) {
    this.#concurrency = concurrency;
  }

  async slot(): Promise<void> {
    if (this.#active < this.#limit) {
      this.#active++;
      return;
    }
    await new Promise<void>((resolve) => this.#waiting.push(resolve));
  }

  release(): void {
    this.#active--;
    this.#limit = this.#concurrency;
    while (this.#active < this.#limit && this.#waiting.length > 0) {
      this.#active++;
      this.#waiting.shift()?.();
    }
  }
}

/**
 * Creates the planned worktrees, yielding each as soon as it is ready (so
 * its job can start while others are still checked out). Registration —
 * `git worktree add --no-checkout`, milliseconds — is serialized per
 * repository by a lock in its common git dir that holds across processes,
 * since concurrent `worktree add`s fail at random; checkouts then run
 * outside the lock — except the first, which `worktree add` checks out at
 * once, since it runs alone anyway. A worktree that fails half-way is
 * rolled back.
 */
export async function* createWorktrees(plan: CreationPlan): AsyncGenerator<CreationResult> {
  const registry = new WorktreeRegistry(plan.dataDir);
  const lockPath = join(plan.repository.commonDir, 'par-worktree.lock');
  const concurrency = Math.max(1, plan.checkoutConcurrency ?? DEFAULT_CHECKOUTS);
  const results: CreationResult[] = [];
  let wake: (() => void) | undefined;
  let pending = plan.targets.length;
  const settle = (result: CreationResult): void => {
    results.push(result);
    pending--;
    wake?.();
  };

  const pool = new CheckoutPool(concurrency);

  const checkouts: Promise<void>[] = [];
  const registrations = (async () => {
    for (const [index, target] of plan.targets.entries()) {
      if (plan.signal?.aborted) {
        settle({ job: target.job, ok: false, error: CANCELLED });
        continue;
      }
      // The first worktree is checked out by `worktree add` itself, as the one-off command would:
      // its checkout runs alone anyway, and one git process fewer starts its job sooner.
      const checkoutNow = index === 0;
      const record: WorktreeRecord = {
        path: target.path,
        repo: plan.repository.repo,
        branch: target.branch,
        base: target.base.name,
        base_commit: target.base.commit,
        run: plan.runId,
        job: target.job,
        created_at: (plan.now?.() ?? new Date()).toISOString(),
      };
      try {
        await withFileLock(lockPath, () => register(plan, target, checkoutNow));
      } catch (error) {
        const message = (error as Error).message;
        settle({ job: target.job, ok: false, error: error instanceof ForeignConflict ? message : `git worktree add failed for ${target.path}: ${message}` });
        continue;
      }
      try {
        await registry.add(record);
      } catch (error) {
        await rollback(plan, target, lockPath, registry);
        settle({ job: target.job, ok: false, error: `recording ${target.path} in worktrees.json failed: ${(error as Error).message}` });
        continue;
      }
      checkouts.push(
        (async () => {
          await pool.slot();
          try {
            settle(await finish(plan, target, { record, lockPath, registry, checkedOut: checkoutNow }));
          } finally {
            pool.release();
          }
        })(),
      );
    }
  })();

  while (pending > 0 || results.length > 0) {
    const next = results.shift();
    if (next) {
      yield next;
      continue;
    }
    await new Promise<void>((resolve) => (wake = resolve));
    wake = undefined;
  }
  await registrations;
  await Promise.all(checkouts);
}

/**
 * Registers one worktree; call under the repository lock. A branch or path
 * that appeared since planning is reported and left alone; anything else
 * git leaves half-made is undone.
 */
async function register(plan: CreationPlan, target: { path: string; branch: string; base: { commit: string } }, checkout: boolean): Promise<void> {
  const cwd = plan.repository.worktree;
  // Checked here, under the lock, rather than read from git's message: what stands in the way is not ours to undo.
  if (existsSync(target.path)) throw new ForeignConflict(`${target.path} appeared in the meantime`);
  const taken = await plan.git.run(cwd, ['rev-parse', '--verify', '--end-of-options', `refs/heads/${target.branch}`]).then(() => true, () => false);
  if (taken) throw new ForeignConflict(`branch '${target.branch}' appeared in the meantime`);
  try {
    // A commit, not a remote-tracking ref, as the start point: no upstream config is written (git's config.lock race).
    await plan.git.run(cwd, ['worktree', 'add', ...(checkout ? ['--quiet'] : ['--no-checkout']), '-b', target.branch, target.path, target.base.commit]);
  } catch (error) {
    // Neither path nor branch was there before: whatever git made of them is ours, and undone.
    await undo(plan, target);
    throw error;
  }
}

/** Why a job whose worktree was not made, or not set up, when its run was cancelled has none. */
export const CANCELLED = 'the run was cancelled before its worktree was ready';

/** Something par did not make stands in the way: it is reported, never touched. */
class ForeignConflict extends Error {}

async function finish(
  plan: CreationPlan,
  target: { job: string; path: string; branch: string },
  options: { record: WorktreeRecord; lockPath: string; registry: WorktreeRegistry; checkedOut: boolean },
): Promise<CreationResult> {
  const { record, lockPath, registry } = options;
  try {
    if (!options.checkedOut) await plan.git.run(target.path, ['reset', '--hard', '--quiet']);
  } catch (error) {
    await rollback(plan, target, lockPath, registry);
    return { job: target.job, ok: false, error: `checking out ${target.path} failed: ${(error as Error).message}` };
  }
  try {
    await copyWorktreeIncludes(plan.git, plan.repository.worktree, target.path);
  } catch (error) {
    return { job: target.job, ok: false, error: `copying .worktreeinclude files into ${target.path} failed: ${(error as Error).message}` };
  }
  for (const argv of plan.setup) {
    if (plan.signal?.aborted) return { job: target.job, ok: false, error: CANCELLED };
    const outcome = await plan.runner.run(argv, {
      cwd: target.path,
      ...(plan.supervisorPid === undefined ? {} : { group: { supervisorPid: plan.supervisorPid, ...(plan.nice ? { nice: plan.nice } : {}) } }),
      ...(plan.signal ? { signal: plan.signal } : {}),
    });
    if (outcome.aborted) return { job: target.job, ok: false, error: CANCELLED };
    if (outcome.failedToStart || outcome.exitCode !== 0) {
      const why = outcome.failedToStart ?? `exit ${outcome.exitCode ?? outcome.signal}`;
      const output = tail(outcome.stderr || outcome.stdout);
      return {
        job: target.job,
        ok: false,
        error: `setup command '${argv.join(' ')}' failed in ${target.path} (${why})${output ? `: ${output}` : ''}`,
      };
    }
  }
  return { job: target.job, ok: true, record };
}

/** Removes what registration made: the worktree's registration, its directory and its branch. */
async function undo(plan: CreationPlan, target: { path: string; branch: string }): Promise<void> {
  const cwd = plan.repository.worktree;
  await plan.git.run(cwd, ['worktree', 'remove', '--force', '--force', target.path]).catch(() => undefined);
  // It did not exist before registration; if it cannot be removed (a parent is a file), there is nothing there.
  await rm(target.path, { recursive: true, force: true }).catch(() => undefined);
  await plan.git.run(cwd, ['worktree', 'prune']).catch(() => undefined);
  await plan.git.run(cwd, ['branch', '-D', target.branch]).catch(() => undefined);
}

/** Undoes a worktree that was registered but could not be checked out. */
async function rollback(
  plan: CreationPlan,
  target: { path: string; branch: string },
  lockPath: string,
  registry: WorktreeRegistry,
): Promise<void> {
  await withFileLock(lockPath, () => undo(plan, target));
  // A record that could not be written (the reason for many a rollback) cannot be mended here either: the worktree is gone anyway.
  await registry.remove(target.path).catch(() => undefined);
}
