// The conflict forecast (DESIGN §17): which jobs changed the same files, as
// they finish, from the paths each changed against its own base.
import { jobJson, type JobView, type RunState } from './run-state.js';

/** Another job that changed some of the same files, and which. */
export interface Overlap {
  job: string;
  files: string[];
}

/**
 * For each job that changed files, the other jobs that changed some of the
 * same ones (in the order given), with the shared files sorted. Jobs with
 * no recorded changes (not finished, or from an older journal) overlap none.
 */
export function forecastOverlaps(jobs: readonly { id: string; changed: readonly string[] | null; target?: string | null }[]): Map<string, Overlap[]> {
  // Attempts at the same target (best-of-N) are alternatives, not work to combine: they never overlap each other.
  const targetOf = new Map(jobs.map((job) => [job.id, job.target ?? null]));
  const byPath = new Map<string, string[]>();
  for (const job of jobs) {
    for (const path of new Set(job.changed ?? [])) {
      const list = byPath.get(path);
      if (list) list.push(job.id);
      else byPath.set(path, [job.id]);
    }
  }
  const shared = new Map<string, Map<string, string[]>>();
  for (const [path, ids] of byPath) {
    if (ids.length < 2) continue;
    for (const id of ids) {
      const mine = shared.get(id) ?? new Map<string, string[]>();
      for (const other of ids) {
        if (other === id || (targetOf.get(id) !== null && targetOf.get(id) === targetOf.get(other))) continue;
        mine.set(other, [...(mine.get(other) ?? []), path]);
      }
      if (mine.size > 0) shared.set(id, mine);
    }
  }
  const order = new Map(jobs.map((job, index) => [job.id, index]));
  const overlaps = new Map<string, Overlap[]>();
  for (const [id, others] of shared) {
    overlaps.set(
      id,
      [...others]
        .sort(([a], [b]) => (order.get(a) ?? 0) - (order.get(b) ?? 0))
        .map(([job, files]) => ({ job, files: files.sort() })),
    );
  }
  return overlaps;
}

/** A run's jobs as `par status --json` prints them: each with its `overlaps` (DESIGN §9, §17). */
export function jobsJson(state: RunState): (JobView & { overlaps: Overlap[] })[] {
  const jobs = state.order.map((id) => state.byId[id]).filter((job): job is JobView => job !== undefined);
  const overlaps = forecastOverlaps(jobs);
  return jobs.map((job) => ({ ...jobJson(job), overlaps: overlaps.get(job.id) ?? [] }));
}

/** The grid's mark for a job's overlaps: `⚔ t2` (`⚔ t2 +2` when more), or '' when none. */
export function overlapMark(overlaps: readonly Overlap[] | undefined): string {
  if (!overlaps?.length) return '';
  return `⚔ ${overlaps[0]?.job}${overlaps.length > 1 ? ` +${overlaps.length - 1}` : ''}`;
}
