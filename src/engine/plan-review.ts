// `--plan` (DESIGN §14): a job plans first, changing nothing, and its plan
// waits for a person's review — approved as written or edited, or rejected —
// before it is carried out.
import type { JobOutcome } from '../core/events.js';
import type { Git } from '../git/git.js';
import type { StopReason } from './attempt-outcome.js';

/** What the review of a plan decided. */
export type Decision = { kind: 'approve'; plan: string } | { kind: 'stop'; stop: StopReason };

/** What an approved job is told when it continues its planning session. */
export function approvedPrompt(plan: string): string {
  return `Your plan is approved. Carry it out now, as planned:\n\n${plan.trim()}\n`;
}

/** The plans waiting for review, by job: each resolved once, by a person, auto-approval or a stop. */
export class PlanReviews {
  readonly #waiting = new Map<string, { plan: string; decide: (decision: Decision) => void }>();

  /** Waits for the decision on `job`'s plan; `announce` runs once the plan can be decided (it may decide it at once). */
  async wait(job: string, plan: string, announce: () => void): Promise<Decision> {
    try {
      return await new Promise<Decision>((resolve) => {
        this.#waiting.set(job, { plan, decide: resolve });
        announce();
      });
    } finally {
      this.#waiting.delete(job);
    }
  }

  has(job: string): boolean {
    return this.#waiting.has(job);
  }

  /** Approves a job's plan, as written or as edited; false when the job is not waiting for review. */
  approve(job: string, plan?: string | null): boolean {
    const review = this.#waiting.get(job);
    review?.decide({ kind: 'approve', plan: plan ?? review.plan });
    return review !== undefined;
  }

  /** Ends a review with a stop: a rejection, a cancel. `job` null: every review. */
  stop(job: string | null, stop: StopReason): boolean {
    const reviews = job === null ? [...this.#waiting.values()] : [this.#waiting.get(job)];
    for (const review of reviews) review?.decide({ kind: 'stop', stop });
    return reviews.some((review) => review !== undefined);
  }
}

/**
 * A plan may change nothing: `git status` of the worktree before planning
 * and after must be the same. Returns how the job ends when it is not (or
 * when git cannot tell, which is no proof), else null.
 */
export async function planChangedSomething(git: Git, worktree: string, before: string, planned: JobOutcome): Promise<JobOutcome | null> {
  const after = await planStatus(git, worktree).catch((error: Error) => error);
  if (after instanceof Error) {
    return { ...planned, state: 'failed', result: null, error: `git could not check that planning changed nothing (${after.message}); nothing was executed` };
  }
  if (after !== before) return { ...planned, state: 'failed', result: null, error: 'the agent changed files while planning; nothing was executed (see git status in its worktree)' };
  return null;
}

/** What planning is checked against: every change in the worktree, untracked files included. */
export function planStatus(git: Git, worktree: string): Promise<string> {
  return git.run(worktree, ['status', '--porcelain', '-z', '--untracked-files=all']);
}
