// What `par land` does in what order (DESIGN §17), as pure functions: the
// check's words, and the queue.
import { UserError } from './errors.js';
import { forecastOverlaps } from './forecast.js';
import type { JobView } from './run-state.js';
import type { LandReport } from './operations.js';

/**
 * Splits a command into words as a shell would — quotes, backslashes —
 * without a shell: `--check "npm test -- --run"`. Pipes and `&&` are not
 * operators here; a script does those.
 */
export function splitWords(text: string): string[] {
  const words: string[] = [];
  let word = '';
  let started = false;
  let quote: '"' | "'" | null = null;
  for (let index = 0; index < text.length; index++) {
    const char = text[index] as string;
    if (quote === "'") {
      if (char === "'") quote = null;
      else word += char;
    } else if (quote === '"') {
      if (char === '"') quote = null;
      else if (char === '\\' && /["\\$`]/.test(text[index + 1] ?? '')) word += text[++index];
      else word += char;
    } else if (char === "'" || char === '"') {
      quote = char;
      started = true;
    } else if (char === '\\') {
      word += text[++index] ?? '';
      started = true;
    } else if (/\s/.test(char)) {
      if (started) words.push(word);
      word = '';
      started = false;
    } else {
      word += char;
      started = true;
    }
  }
  if (quote) throw new UserError(`The check command ${JSON.stringify(text)} has an unclosed ${quote} quote; close it, or put the command in a script.`);
  if (started) words.push(word);
  if (words.length === 0) throw new UserError('The check command is empty; give one such as --check "npm test".');
  return words;
}

/**
 * The landing order: the jobs named, in that order; else the jobs that
 * changed no file another of them changed first, then the others, each
 * group by finish time (earliest first).
 */
export function landingOrder(jobs: readonly JobView[], named: readonly string[]): JobView[] {
  if (named.length > 0) return named.map((id) => jobs.find((job) => job.id === id)).filter((job): job is JobView => job !== undefined);
  const overlaps = forecastOverlaps(jobs);
  const finished = (job: JobView): string => job.finished_at ?? '';
  const byFinish = (a: JobView, b: JobView): number => finished(a).localeCompare(finished(b)) || a.id.localeCompare(b.id);
  const disjoint = jobs.filter((job) => !overlaps.has(job.id)).sort(byFinish);
  const overlapping = jobs.filter((job) => overlaps.has(job.id)).sort(byFinish);
  return [...disjoint, ...overlapping];
}

/** What a landing did, in one sentence: `Landed t1, t2 on main; t3: conflict in a.txt; t4: the check failed.` */
export function landSummary(report: LandReport): { said: string; ok: boolean } {
  const landed = report.outcomes.filter((outcome) => outcome.outcome === 'landed' || outcome.outcome === 'already').map((outcome) => outcome.job);
  const failed = report.outcomes.filter((outcome) => outcome.outcome !== 'landed' && outcome.outcome !== 'already');
  if (report.outcomes.length === 0) return { said: `Nothing waits to land on ${report.onto}.`, ok: true };
  const parts = [
    ...(landed.length ? [`Landed ${landed.join(', ')} on ${report.onto}`] : []),
    ...failed.map((outcome) => `${outcome.job}: ${outcome.outcome === 'conflict' ? `conflict in ${outcome.files.join(', ')}` : outcome.outcome === 'check' ? 'the check failed' : `skipped (${outcome.detail ?? ''})`}`),
  ];
  return { said: `${parts.join('; ')}.`, ok: failed.length === 0 };
}
