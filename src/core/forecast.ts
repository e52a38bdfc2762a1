// The conflict forecast (DESIGN §17): which jobs changed the same files, as
// they finish, from the paths each changed against its own base.
import { jobJson, type JobView, type RunState } from './run-state.js';

/** Another job that changed some of the same files, and which. */
export interface Overlap {
  job: string;
  files: string[];
}

/** A job's overlaps: the first others in run order (at most the limit asked), and how many there are in all. */
export interface JobOverlaps {
  list: Overlap[];
  total: number;
}

/** How many overlapping jobs `status --json` lists per job; `overlaps_more` counts the rest. */
export const OVERLAPS_LISTED = 10;

/**
 * For each job that changed files, the other jobs that changed some of the
 * same ones (in the order given, the first `limit` of them), with the shared
 * files sorted, and their number in all. Jobs with no recorded changes (not
 * finished, or from an older journal) overlap none. Linear in the pairs that
 * share a file, with no list longer than `limit` built, so a thousand jobs
 * that all touched one file cost milliseconds.
 */
export function forecastOverlaps(
  jobs: readonly { id: string; changed: readonly string[] | null; target?: string | null }[],
  limit = Number.POSITIVE_INFINITY,
): Map<string, JobOverlaps> {
  const paths = jobs.map((job) => new Set(job.changed ?? []));
  const sorted = paths.map((set) => [...set].sort());
  const byPath = new Map<string, number[]>();
  paths.forEach((set, index) => {
    for (const path of set) {
      const list = byPath.get(path);
      if (list) list.push(index);
      else byPath.set(path, [index]);
    }
  });
  // seenBy[j] === i: job j is already counted as overlapping job i.
  const seenBy = new Int32Array(jobs.length).fill(-1);
  const overlaps = new Map<string, JobOverlaps>();
  jobs.forEach((job, index) => {
    // Attempts at the same target (best-of-N) are alternatives, not work to combine: they never overlap each other.
    const target = job.target ?? null;
    // Counted all, but kept only while few enough to list (a thousand jobs on one file would make a million).
    const others: number[] = [];
    let total = 0;
    for (const path of paths[index] ?? []) {
      const sharing = byPath.get(path) ?? [];
      for (let at = 0; at < sharing.length; at++) {
        const other = sharing[at] as number;
        if (other === index || seenBy[other] === index || (target !== null && jobs[other]?.target === target)) continue;
        seenBy[other] = index;
        total++;
        if (total <= limit) others.push(other);
      }
    }
    if (total === 0) return;
    const listed = total <= limit ? others.sort((a, b) => a - b) : firstMarked(seenBy, index, limit);
    const mine = sorted[index] ?? [];
    overlaps.set(job.id, {
      list: listed.map((other) => ({ job: jobs[other]?.id ?? '', files: mine.filter((path) => paths[other]?.has(path)) })),
      total,
    });
  });
  return overlaps;
}

/** The first `limit` indexes marked with `mark`, in order. */
function firstMarked(marks: Int32Array, mark: number, limit: number): number[] {
  const found: number[] = [];
  for (let index = 0; index < marks.length && found.length < limit; index++) if (marks[index] === mark) found.push(index);
  return found;
}

/** A run's jobs as `par status --json` prints them: each with its `overlaps` (the first 10) and `overlaps_more` (DESIGN §9, §17). */
export function jobsJson(state: RunState): (JobView & { overlaps: Overlap[]; overlaps_more: number })[] {
  const jobs = state.order.map((id) => state.byId[id]).filter((job): job is JobView => job !== undefined);
  const overlaps = forecastOverlaps(jobs, OVERLAPS_LISTED);
  return jobs.map((job) => {
    const mine = overlaps.get(job.id);
    return { ...jobJson(job), overlaps: mine?.list ?? [], overlaps_more: mine ? mine.total - mine.list.length : 0 };
  });
}

/** The grid's mark for a job's overlaps: `⚔ t2` (`⚔ t2 +2` when more), or '' when none. */
export function overlapMark(overlaps: JobOverlaps | undefined): string {
  const first = overlaps?.list[0];
  if (!overlaps || !first) return '';
  return `⚔ ${first.job}${overlaps.total > 1 ? ` +${overlaps.total - 1}` : ''}`;
}
