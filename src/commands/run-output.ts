import { answerCommand, pendingSummary } from '../core/grid-layout.js';
import { formatSpan } from '../core/duration.js';
import type { RunState, JobView } from '../core/run-state.js';
import { needYou, runTotals } from '../core/run-state.js';
import { formatTable, tilde } from '../core/table.js';
import { forecastOverlaps, overlapMark } from '../core/forecast.js';

function seconds(from: string | null, to: string | null): string {
  if (!from) return '';
  const ms = (to ? Date.parse(to) : Date.now()) - Date.parse(from);
  return ms < 0 || Number.isNaN(ms) ? '' : formatSpan(ms);
}

/** `$0.0123`, or '' when unknown. */
export function formatCost(cost: number | null): string {
  return cost === null ? '' : `$${cost.toFixed(4)}`;
}

/** `3 files +10 -2`, or '' when unknown. */
export function formatDiffstat(job: JobView): string {
  const stat = job.diffstat;
  if (!stat) return '';
  return `${stat.files} file${stat.files === 1 ? '' : 's'} +${stat.insertions} -${stat.deletions}`;
}

function stateWord(job: JobView): string {
  return job.reason && job.state !== 'succeeded' ? `${job.state} (${job.reason})` : job.state;
}

/** One line per job state change, for `par run` off a terminal. */
export function formatJobLine(job: JobView, at: string, home = ''): string {
  const where = (path: string): string => (home ? tilde(path, home) : path);
  const time = at.slice(11, 19);
  const details: string[] = [];
  if (job.state === 'running') {
    if (job.pid !== null) details.push(`pid ${job.pid}`);
    if (job.executor !== 'local') details.push(`on ${job.executor}`);
    if (job.worktree) details.push(where(job.worktree));
  } else if (job.state === 'retrying') {
    details.push(`${job.retry ?? 'retrying'}, ${job.activity ?? ''}`.replace(/, $/, ''));
    if (job.error) details.push(`after: ${job.error.split('\n')[0]}`);
  } else if (job.state === 'awaiting-approval') {
    details.push(`plan ready for review${job.cost_usd === null ? '' : ` (${formatCost(job.cost_usd)})`}:`);
    const plan = (job.plan ?? '').trim().split('\n').map((line) => `    │ ${line}`).join('\n');
    return `${time}  ${job.id}  ${stateWord(job)}  ${details.join('  ')}\n${plan}\n`;
  } else if (job.state === 'needs-input' && job.pending) {
    details.push(pendingSummary(job.pending, job.worktree ?? ''));
    details.push(`(par inbox; ${job.pending.kind === 'question' ? 'par answer' : job.pending.kind === 'instructions' ? 'par send' : 'par approve / par deny'})`);
  } else if (job.state === 'paused') {
    details.push(job.activity ?? 'paused by a usage limit');
  } else if (job.state === 'planning') {
    if (job.pid !== null) details.push(`pid ${job.pid}`);
    details.push('read-only, writing a plan');
  } else if (job.state === 'queued' && job.plan !== null && job.activity === 'plan approved') {
    details.push('plan approved, waiting for a place to execute it');
  } else if (job.state === 'queued' && job.attempt > 0) {
    details.push(`again, attempt ${job.attempt + 1}`);
  } else if (job.state === 'queued' && job.worktree) {
    details.push(`worktree ready: ${where(job.worktree)}`);
  } else {
    if (job.turns) details.push(`${job.turns} turn${job.turns === 1 ? '' : 's'}`);
    if (job.cost_usd !== null) details.push(formatCost(job.cost_usd));
    const diff = formatDiffstat(job);
    if (diff) details.push(diff);
    if (job.denials.length > 0) details.push(`⚠ ${job.denials.length} denied (${[...new Set(job.denials)].join(', ')})`);
    if (job.error) details.push(`error: ${job.error.split('\n')[0]}`);
  }
  return `${time}  ${job.id}  ${stateWord(job)}${details.length ? `  ${details.join('  ')}` : ''}\n`;
}

/** Where a job's work went (`par land`, `par merge`), for the NOTE column, or ''. */
function landingNote(job: JobView): string {
  const landing = job.landing;
  if (!landing) return '';
  if (landing.outcome === 'landed') return `landed on ${landing.onto}`;
  if (landing.outcome === 'conflict') return `not landed: conflict in ${landing.files.join(', ')}`;
  return landing.outcome === 'check' ? 'not landed: the check failed' : `not landed: ${landing.detail ?? 'skipped'}`;
}

/** The NOTE of a job: what it waits on you for, its error, its denials, where its work went and the files it shares with others, its result, or what it does. */
function noteOf(runId: string, job: JobView, mark: string): string {
  if (job.state === 'needs-input' && job.pending) return `${pendingSummary(job.pending, job.worktree ?? '')} — ${answerCommand(runId, job.id, job.pending)}`;
  const said = job.error ?? (job.denials.length ? `⚠ ${job.denials.length} denied` : (job.result ?? job.activity ?? ''));
  return [job.executor !== 'local' ? `@${job.executor}` : '', landingNote(job), job.landing?.outcome === 'landed' ? '' : mark, said].filter(Boolean).join(' · ');
}

/** The final table of a run, with totals. */
export function formatRunTable(state: RunState, width?: number): string {
  const jobs = state.order.map((id) => state.byId[id]).filter((job): job is JobView => job !== undefined);
  const overlaps = forecastOverlaps(jobs, 1);
  const table = formatTable(
    jobs,
    [
      { header: 'JOB', value: (job) => job.id },
      { header: 'STATE', value: stateWord },
      { header: 'TIME', value: (job) => seconds(job.started_at, job.finished_at) },
      { header: 'TURNS', value: (job) => (job.turns ? String(job.turns) : '') },
      { header: 'COST', value: (job) => formatCost(job.cost_usd) },
      { header: 'CHANGES', value: formatDiffstat },
      { header: 'NOTE', value: (job) => noteOf(state.run, job, overlapMark(overlaps.get(job.id))), flexible: true },
    ],
    width,
  );
  const totals = runTotals(state);
  const waiting = needYou(state);
  const summary = `${state.state}: ${totals.succeeded}/${totals.total} succeeded${totals.failed ? `, ${totals.failed} failed` : ''}${waiting ? `, ${waiting} need you (par inbox)` : ''}, ${formatCost(totals.cost_usd)} in all\n`;
  return `\n${table}${summary}`;
}
