import { describe, expect, it } from 'vitest';
import type { JobOutcome, RunEvent } from '../../src/core/events.js';
import { foldRun } from '../../src/core/run-state.js';
import { buildReport, reportHtml, reportMarkdown } from '../../src/reports/report.js';

const finished = (changed: string[]): JobOutcome => ({
  state: 'succeeded', reason: null, exit_code: 0, signal: null, error: null, result: 'done', denials: [], session_id: null, cost_usd: 0.1, turns: 1, tokens: 10, diffstat: { files: changed.length, insertions: 1, deletions: 0 }, changed,
});

/** A finished run of `count` jobs, each having changed the files `changedBy` gives it. */
function runOf(count: number, changedBy: (index: number) => string[]): ReturnType<typeof buildReport> {
  const ids = Array.from({ length: count }, (_, index) => `t${index + 1}`);
  const events: RunEvent[] = [
    { seq: 1, at: '2026-12-01T10:00:00.000Z', type: 'run/started', run: 'r1', supervisor_pid: 1, jobs: ids.map((id) => ({ id, worktree: `/w/${id}`, branch: `b/${id}`, created: false })) },
    ...ids.map((id, index): RunEvent => ({ seq: index + 2, at: '2026-12-01T10:00:05.000Z', type: 'job/finished', job: id, outcome: finished(changedBy(index)) })),
  ];
  return buildReport(foldRun('r1', events), { repository: '/repo', prompt: 'p' });
}

describe('the report of a run', () => {
  it('lists each overlapping pair once, with the files they share', () => {
    const report = runOf(3, (index) => (index === 1 ? ['b.ts'] : ['a.ts', 'z.ts']));
    const markdown = reportMarkdown(report);
    expect(markdown).toContain('- ⚔ t1 and t3: `a.ts`, `z.ts`');
    expect(markdown.match(/⚔/g)).toHaveLength(1);
    expect(markdown).not.toContain('more pairs');
  });

  it('a thousand jobs on one file: a bounded list, and how many pairs it leaves out', () => {
    const report = runOf(1000, () => ['CHANGELOG.md']);
    expect(report.jobs[499]?.overlaps).toHaveLength(10);
    expect(report.jobs[499]?.overlaps_more).toBe(989);
    const markdown = reportMarkdown(report);
    const listed = markdown.match(/^- ⚔/gm)?.length ?? 0;
    expect(listed).toBeLessThan(10_000);
    expect(markdown).toContain(`…and ${(499_500 - listed).toLocaleString('en')} more pairs (each job lists the first 10 it overlaps).`);
    expect(reportHtml(report)).toContain('more pairs');
  });
});
