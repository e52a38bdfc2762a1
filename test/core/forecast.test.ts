import { describe, expect, it } from 'vitest';
import { forecastOverlaps, overlapMark } from '../../src/core/forecast.js';

describe('the conflict forecast', () => {
  it.each([
    ['no jobs', [], {}],
    ['disjoint jobs', [{ id: 't1', changed: ['a.ts'] }, { id: 't2', changed: ['b.ts'] }], {}],
    ['one shared file, both ways', [{ id: 't1', changed: ['a.ts', 'b.ts'] }, { id: 't2', changed: ['b.ts'] }], { t1: [{ job: 't2', files: ['b.ts'] }], t2: [{ job: 't1', files: ['b.ts'] }] }],
    [
      'three jobs, files sorted, others in the run order',
      [{ id: 't1', changed: ['z.ts', 'a.ts'] }, { id: 't2', changed: ['m.ts'] }, { id: 't3', changed: ['a.ts', 'z.ts', 'm.ts'] }],
      { t1: [{ job: 't3', files: ['a.ts', 'z.ts'] }], t2: [{ job: 't3', files: ['m.ts'] }], t3: [{ job: 't1', files: ['a.ts', 'z.ts'] }, { job: 't2', files: ['m.ts'] }] },
    ],
    ['unfinished jobs (no changes recorded) overlap none', [{ id: 't1', changed: ['a.ts'] }, { id: 't2', changed: null }], {}],
    ['attempts at the same target (best-of-N) never overlap each other, only other targets', [{ id: 't1.v1', target: 't1', changed: ['a.ts'] }, { id: 't1.v2', target: 't1', changed: ['a.ts'] }, { id: 't2', target: null, changed: ['a.ts'] }], { 't1.v1': [{ job: 't2', files: ['a.ts'] }], 't1.v2': [{ job: 't2', files: ['a.ts'] }], t2: [{ job: 't1.v1', files: ['a.ts'] }, { job: 't1.v2', files: ['a.ts'] }] }],
    ['a path listed twice counts once', [{ id: 't1', changed: ['a.ts', 'a.ts'] }, { id: 't2', changed: ['a.ts'] }], { t1: [{ job: 't2', files: ['a.ts'] }], t2: [{ job: 't1', files: ['a.ts'] }] }],
  ])('%s', (_name, jobs, expected) => {
    const lists = Object.fromEntries([...forecastOverlaps(jobs)].map(([id, overlaps]) => [id, overlaps.list]));
    expect(lists).toEqual(expected);
    for (const overlaps of forecastOverlaps(jobs).values()) expect(overlaps.total).toBe(overlaps.list.length);
  });

  it('lists at most the limit asked, the first in run order, and counts them all', () => {
    const jobs = [
      { id: 't1', changed: ['z.ts'] },
      { id: 't2', changed: ['a.ts'] },
      { id: 't3', changed: ['a.ts', 'z.ts'] },
      { id: 't4', changed: ['a.ts'] },
      { id: 't5', changed: ['z.ts', 'a.ts'] },
    ];
    const overlaps = forecastOverlaps(jobs, 2);
    expect(overlaps.get('t3')).toEqual({ list: [{ job: 't1', files: ['z.ts'] }, { job: 't2', files: ['a.ts'] }], total: 4 });
    expect(overlaps.get('t5')).toEqual({ list: [{ job: 't1', files: ['z.ts'] }, { job: 't2', files: ['a.ts'] }], total: 4 });
    expect(overlaps.get('t1')).toEqual({ list: [{ job: 't3', files: ['z.ts'] }, { job: 't5', files: ['z.ts'] }], total: 2 });
    expect(forecastOverlaps(jobs, 1).get('t4')).toEqual({ list: [{ job: 't2', files: ['a.ts'] }], total: 3 });
  });

  it('a thousand jobs that all changed one file: ten listed each, 999 counted', () => {
    const jobs = Array.from({ length: 1000 }, (_, index) => ({ id: `wt${index + 1}`, changed: ['notes.md'] }));
    const overlaps = forecastOverlaps(jobs, 10);
    expect(overlaps.get('wt500')?.total).toBe(999);
    expect(overlaps.get('wt500')?.list.map((other) => other.job)).toEqual(Array.from({ length: 10 }, (_, index) => `wt${index + 1}`));
    expect(overlaps.get('wt1')?.list[0]).toEqual({ job: 'wt2', files: ['notes.md'] });
  });

  it('marks a job in the grid with the first job it overlaps, and how many more', () => {
    expect(overlapMark(undefined)).toBe('');
    expect(overlapMark({ list: [], total: 0 })).toBe('');
    expect(overlapMark({ list: [{ job: 't2', files: ['a'] }], total: 1 })).toBe('⚔ t2');
    expect(overlapMark({ list: [{ job: 't2', files: ['a'] }], total: 3 })).toBe('⚔ t2 +2');
  });
});
