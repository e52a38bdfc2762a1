// Best-of-N (DESIGN §17): a run's attempts at each target, as `par compare`,
// the grid and the compare pane see them.
import { costCell, diffCell, jobActivity } from './grid-layout.js';
import type { JobView, RunState } from './run-state.js';

/** A run's attempts by target, in run order (jobs that are no attempt left out). */
export function attemptsByTarget(state: RunState): Map<string, JobView[]> {
  const groups = new Map<string, JobView[]>();
  for (const id of state.order) {
    const job = state.byId[id];
    if (!job || job.target === null) continue;
    groups.set(job.target, [...(groups.get(job.target) ?? []), job]);
  }
  return groups;
}

/** The files an attempt changed that another attempt at the same target changed too, sorted. */
export function filesInCommon(job: JobView, siblings: readonly JobView[]): string[] {
  const others = new Set(siblings.filter((other) => other.id !== job.id).flatMap((other) => other.changed ?? []));
  return (job.changed ?? []).filter((file) => others.has(file)).sort();
}

/**
 * How the grid ties a target's attempts together, by job: `┌` on the first
 * of a group of rows next to each other, `├` within, `└` on the last; ''
 * for a job alone.
 */
export function attemptGlyphs(ids: readonly string[], byId: Readonly<Record<string, JobView>>): Map<string, string> {
  const glyphs = new Map<string, string>();
  const targetAt = (index: number): string | null => byId[ids[index] ?? '']?.target ?? null;
  ids.forEach((id, index) => {
    const target = targetAt(index);
    if (target === null) return;
    const before = targetAt(index - 1) === target;
    const after = targetAt(index + 1) === target;
    if (before || after) glyphs.set(id, !before ? '┌' : after ? '├' : '└');
  });
  return glyphs;
}

/** One line of the compare pane: what it shows, and each attempt's value. */
export interface CompareRow {
  label: string;
  cells: string[];
}

/** The attempts side by side: who ran each, how it ended, what it changed and cost. */
export function compareRows(attempts: readonly JobView[]): CompareRow[] {
  const row = (label: string, value: (job: JobView) => string): CompareRow => ({ label, cells: attempts.map(value) });
  const rows = [
    row('state', (job) => job.state),
    row('changes', (job) => diffCell(job) || '—'),
    row('in common', (job) => {
      const common = filesInCommon(job, attempts);
      return common.length === 0 ? '—' : `${common.length}: ${common.join(', ')}`;
    }),
    row('files', (job) => (job.changed && job.changed.length > 0 ? job.changed.join(', ') : '—')),
    row('cost', (job) => costCell(job.cost_usd) || '—'),
    row('tokens', (job) => (job.tokens === null ? '—' : String(job.tokens))),
    row('turns', (job) => (job.turns > 0 ? String(job.turns) : '—')),
    row('landed', (job) => (job.landing?.outcome === 'landed' ? `on ${job.landing.onto}` : job.landing ? job.landing.outcome : '—')),
    row('says', (job) => jobActivity(job) || '—'),
  ];
  return attempts.some((job) => job.agent !== null) ? [row('agent', (job) => job.agent ?? '—'), ...rows] : rows;
}
