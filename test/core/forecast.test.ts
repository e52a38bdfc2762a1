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
    expect(Object.fromEntries(forecastOverlaps(jobs))).toEqual(expected);
  });

  it('marks a job in the grid with the first job it overlaps, and how many more', () => {
    expect(overlapMark(undefined)).toBe('');
    expect(overlapMark([])).toBe('');
    expect(overlapMark([{ job: 't2', files: ['a'] }])).toBe('⚔ t2');
    expect(overlapMark([{ job: 't2', files: ['a'] }, { job: 't4', files: ['b'] }, { job: 't5', files: ['b'] }])).toBe('⚔ t2 +2');
  });
});
