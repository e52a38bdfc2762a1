import { FINAL_STATES } from '../core/events.js';
import { errorText as message } from '../core/errors.js';
import { selectedJob as selected } from '../core/ui-state.js';
import { attemptsByTarget } from '../core/attempts.js';
import type { TuiPorts } from './ports.js';
import type { UiStore } from './store.js';

/** What the job actions need of the controller. */
export interface JobActionContext {
  store: UiStore;
  ports: TuiPorts;
  say(text: string, tone?: 'info' | 'error'): void;
  /** Follows the run again (after a rerun gave an ended run a new supervisor). */
  attach(runId: string, dir: string): void;
}


/** `d`: the diff pane for the selected job, computed off the render path. */
export async function openDiff(ctx: JobActionContext): Promise<void> {
  const job = selected(ctx.store.getState());
  if (!job) return;
  ctx.store.dispatch({ type: 'pane/open', pane: 'diff' });
  ctx.store.dispatch({ type: 'diff/loading', job: job.id });
  try {
    ctx.store.dispatch({ type: 'diff/loaded', job: job.id, lines: await ctx.ports.diff(job) });
  } catch (error) {
    ctx.store.dispatch({ type: 'diff/loaded', job: job.id, lines: null, error: message(error) });
  }
}

/** `c`: the selected attempt beside its siblings, and the diff from it to the next one. */
export async function openCompare(ctx: JobActionContext): Promise<void> {
  const state = ctx.store.getState();
  const job = selected(state);
  if (!job || !state.run) return;
  if (job.target === null) return ctx.say(`${job.id} is not one of several attempts: compare works on runs with --variants N or several agents.`, 'error');
  const siblings = attemptsByTarget(state.run).get(job.target) ?? [];
  const other = siblings[(siblings.findIndex((sibling) => sibling.id === job.id) + 1) % siblings.length];
  if (!other || other.id === job.id) return ctx.say(`${job.target} has only one attempt: there is nothing to compare it with.`, 'error');
  await showAttempts(ctx, job.target, job.id, other.id);
}

/** In the compare pane: the next or previous attempt on the right, or the two sides swapped. */
export async function pickAttempt(ctx: JobActionContext, how: 'next' | 'previous' | 'swap'): Promise<void> {
  const state = ctx.store.getState();
  const { target, a, b } = state.compare;
  if (!state.run || target === null || a === null || b === null) return;
  if (how === 'swap') return showAttempts(ctx, target, b, a);
  const others = (attemptsByTarget(state.run).get(target) ?? []).filter((job) => job.id !== a);
  const at = others.findIndex((job) => job.id === b);
  const next = others[(at + (how === 'next' ? 1 : others.length - 1)) % others.length];
  if (next && next.id !== b) await showAttempts(ctx, target, a, next.id);
}

async function showAttempts(ctx: JobActionContext, target: string, a: string, b: string): Promise<void> {
  ctx.store.dispatch({ type: 'compare/open', target, a, b });
  const run = ctx.store.getState().run;
  const [left, right] = [run?.byId[a], run?.byId[b]];
  if (!left || !right) return;
  try {
    ctx.store.dispatch({ type: 'compare/loaded', a, b, lines: await ctx.ports.diffAttempts(left, right) });
  } catch (error) {
    ctx.store.dispatch({ type: 'compare/loaded', a, b, lines: null, error: message(error) });
  }
}

/** `o`: the job in a new terminal window, as `par open`. */
export async function openSelected(ctx: JobActionContext): Promise<void> {
  const state = ctx.store.getState();
  const job = selected(state);
  if (!job || !state.run) return;
  try {
    ctx.say(await ctx.ports.open(state.run.run, job.id));
  } catch (error) {
    ctx.say(message(error), 'error');
  }
}

/** `m`: merges a finished job's branch, as `par merge`. */
export async function mergeSelected(ctx: JobActionContext): Promise<void> {
  const state = ctx.store.getState();
  const job = selected(state);
  if (!job || !state.run) return;
  if (!FINAL_STATES.has(job.state)) return ctx.say(`${job.id} is still ${job.state}; merge it when it has ended.`, 'error');
  ctx.say(`Merging ${job.branch ?? job.id}…`);
  try {
    ctx.say(await ctx.ports.merge(state.run.run, job.id));
  } catch (error) {
    ctx.say(message(error), 'error');
  }
}

/** `L`: lands the run's succeeded jobs, as `par land` (disjoint first, each checked before the branch moves). */
export async function landRun(ctx: JobActionContext): Promise<void> {
  const state = ctx.store.getState();
  if (!state.run) return;
  ctx.say('Landing the succeeded jobs…');
  try {
    const landed = await ctx.ports.land(state.run.run);
    ctx.say(landed.said, landed.ok ? 'info' : 'error');
  } catch (error) {
    ctx.say(message(error), 'error');
  }
}

/** `p`, `e` and `n` on a job whose plan waits for review. */
export async function reviewPlan(ctx: JobActionContext, verdict: 'approve' | 'edit' | 'reject'): Promise<void> {
  const state = ctx.store.getState();
  const job = selected(state);
  const dir = state.runDir;
  if (!job || !dir) return;
  if (job.state !== 'awaiting-approval') return ctx.say(`${job.id} has no plan waiting for review (it is ${job.state}).`, 'error');
  if (verdict === 'reject') {
    ctx.ports.reject(dir, job.id);
    return ctx.say(`Rejected the plan of ${job.id}; the job is cancelled.`);
  }
  let plan: string | null = null;
  if (verdict === 'edit') {
    try {
      plan = await ctx.ports.editText(job.plan ?? '');
    } catch (error) {
      return ctx.say(message(error), 'error');
    }
    if (plan === null) return ctx.say(`The plan of ${job.id} was left as it was; p approves it, n rejects it.`);
  }
  ctx.ports.approve(dir, job.id, plan);
  ctx.say(`Approved the plan of ${job.id}${plan === null ? '' : ' as edited'}; it executes as a place frees up.`);
}

/** `r`: runs a finished job again, a fresh session in the same worktree, the next attempt of the same run. */
export async function rerunSelected(ctx: JobActionContext): Promise<void> {
  const state = ctx.store.getState();
  const job = selected(state);
  if (!job || !state.run || !state.runDir) return;
  if (!FINAL_STATES.has(job.state)) return ctx.say(`${job.id} is still ${job.state}; cancel it (x) or wait for it to end before rerunning.`, 'error');
  try {
    await ctx.ports.rerun(state.runDir, state.run.run, job.id);
    ctx.say(`Rerunning ${job.id} (a fresh session, attempt ${job.attempt + 1}).`);
    // A run that had ended gets a new supervisor: follow it again.
    if (state.run.state !== 'running') ctx.attach(state.run.run, state.runDir);
  } catch (error) {
    ctx.say(message(error), 'error');
  }
}
