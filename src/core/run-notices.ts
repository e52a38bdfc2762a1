import { pendingSummary } from './grid-layout.js';
import { runTotals, type RunState } from './run-state.js';

/** Something the terminal is told (bell and desktop notification), and what the status line says with it. */
export interface RunNotice {
  title: string;
  body: string;
  /** Said in the TUI's status line too. */
  say?: string;
  /** The job it asks a person about (a request, a plan): once the job has moved on, what was said is stale. */
  asks?: string;
}

/** What changed between two states of a run that a person wants to hear of: a job failing or needing approval, and the run's end. */
export function runNotices(before: RunState, after: RunState): RunNotice[] {
  const notices: RunNotice[] = [];
  for (const id of after.order) {
    const job = after.byId[id];
    if (!job || before.byId[id]?.state === job.state) continue;
    if (job.state === 'failed' || job.state === 'timed-out') notices.push({ title: `par: ${job.id} ${job.state}`, body: job.error ?? job.reason ?? '' });
    if (job.state === 'needs-input' && job.pending) {
      const what = pendingSummary(job.pending, job.worktree ?? '');
      const keys = job.pending.kind === 'permission' ? 'y allows, n denies, A allows always' : job.pending.kind === 'question' ? '1…9 chooses an option' : 's sends instructions';
      notices.push({ title: `par: ${job.id} needs you`, body: what, say: `${job.id} ${what}: ${keys}.`, asks: job.id });
    }
    if (job.state === 'awaiting-approval') {
      notices.push({ title: `par: ${job.id} needs approval`, body: 'Its plan is waiting for review.', say: `The plan of ${job.id} is ready: enter shows it, y (or p) approves, e edits then approves, n rejects.`, asks: job.id });
    }
  }
  if (before.state === 'running' && after.state !== 'running') {
    const totals = runTotals(after);
    notices.push({ title: `par: run ${after.state}`, body: `${totals.succeeded}/${totals.total} succeeded${totals.failed ? `, ${totals.failed} failed` : ''}` });
  }
  return notices;
}
