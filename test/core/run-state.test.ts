import { describe, expect, it } from 'vitest';
import type { JobOutcome, RunEvent } from '../../src/core/events.js';
import { foldRun, markInterrupted, reduceRun, runTotals } from '../../src/core/run-state.js';

const outcome = (state: JobOutcome['state'], extra: Partial<JobOutcome> = {}): JobOutcome => ({
  state, reason: null, exit_code: 0, signal: null, error: null, result: null, denials: [], session_id: null, cost_usd: 0.5, turns: 3, tokens: 10, diffstat: { files: 1, insertions: 2, deletions: 0 }, ...extra,
});

const events: RunEvent[] = [
  { seq: 1, at: '2026-11-22T10:00:00.000Z', type: 'run/started', run: 'r1', supervisor_pid: 42, jobs: [{ id: 'a', worktree: '/a', branch: 'ba', created: false }, { id: 'b', worktree: null, branch: 'par/r1/b', created: true }, { id: 'c', worktree: '/c', branch: null, created: false }] },
  { seq: 2, at: '2026-11-22T10:00:01.000Z', type: 'job/started', job: 'a', attempt: 1, pid: 100, session_id: 's-a', head: 'h' },
  { seq: 3, at: '2026-11-22T10:00:02.000Z', type: 'job/progress', job: 'a', progress: { activity: 'Edit x', turns: 1 } },
  { seq: 4, at: '2026-11-22T10:00:02.500Z', type: 'job/worktree-ready', job: 'b', worktree: '/wt/b', branch: 'par/r1/b' },
  { seq: 5, at: '2026-11-22T10:00:03.000Z', type: 'job/progress', job: 'a', progress: { last_message: 'done soon' } },
  { seq: 6, at: '2026-11-22T10:00:04.000Z', type: 'job/finished', job: 'a', outcome: outcome('succeeded', { denials: ['Bash'] }) },
];

describe('the run reducer', () => {
  it('folds events into job views, the latest progress winning field by field', () => {
    const state = foldRun('r1', events);
    expect(state.order).toEqual(['a', 'b', 'c']);
    expect(state.byId.a).toMatchObject({ state: 'succeeded', attempt: 1, pid: 100, session_id: 's-a', activity: 'Edit x', last_message: 'done soon', turns: 3, cost_usd: 0.5, denials: ['Bash'], started_at: '2026-11-22T10:00:01.000Z', finished_at: '2026-11-22T10:00:04.000Z' });
    expect(state.byId.b).toMatchObject({ state: 'queued', worktree: '/wt/b' });
    expect(state.state).toBe('running');
  });

  it('replaces only the job an event touches', () => {
    const before = foldRun('r1', events.slice(0, 2));
    const after = reduceRun(before, events[2] as RunEvent);
    expect(after.byId.a).not.toBe(before.byId.a);
    expect(after.byId.b).toBe(before.byId.b);
    expect(after.byId.c).toBe(before.byId.c);
  });

  it('reads a run whose supervisor died as interrupted, keeping finished jobs', () => {
    const state = markInterrupted(foldRun('r1', events), '2026-11-22T11:00:00.000Z');
    expect(state.state).toBe('interrupted');
    expect(state.byId.a?.state).toBe('succeeded');
    expect(state.byId.b).toMatchObject({ state: 'interrupted', reason: 'supervisor died' });
    expect(runTotals(state)).toEqual({ total: 3, running: 0, done: 3, succeeded: 1, failed: 2, cost_usd: 0.5 });
  });

  it('ends with the state run/finished gives', () => {
    const state = foldRun('r1', [...events, { seq: 7, at: '2026-11-22T10:00:05.000Z', type: 'run/finished', state: 'failed' }]);
    expect(state).toMatchObject({ state: 'failed', finished_at: '2026-11-22T10:00:05.000Z' });
    expect(markInterrupted(state, 'x')).toBe(state);
  });
});
