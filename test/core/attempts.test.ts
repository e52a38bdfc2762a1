import { describe, expect, it } from 'vitest';
import { attemptGlyphs } from '../../src/core/attempts.js';
import { emptyRunState, reduceRun, type JobView } from '../../src/core/run-state.js';
import { variantIds } from '../../src/commands/run-targets.js';

describe('attempts at a target', () => {
  it.each([
    [1, [], ['t1', 't2'], {}],
    [2, [], ['t1.v1', 't1.v2', 't2.v1', 't2.v2'], { 't1.v2': { target: 't1', variant: 2 } }],
    [1, ['claude', 'codex'], ['t1.v1', 't1.v2', 't2.v1', 't2.v2'], { 't1.v2': { target: 't1', variant: 2, agent: 'codex' } }],
    [2, ['claude', 'codex'], ['t1.v1', 't1.v2', 't1.v3', 't1.v4', 't2.v1', 't2.v2', 't2.v3', 't2.v4'], { 't1.v2': { target: 't1', variant: 2, agent: 'claude' }, 't2.v3': { target: 't2', variant: 3, agent: 'codex' } }],
  ])('--variants %i with agents %j: %j', (variants, agents, ids, some) => {
    const made = variantIds(['t1', 't2'], { variants, agents });
    expect(made.ids).toEqual(ids);
    for (const [id, attempt] of Object.entries(some)) expect(made.of.get(id)).toEqual(attempt);
  });

  it('ties only neighbouring rows of one target together', () => {
    const state = reduceRun(emptyRunState('r'), {
      seq: 1,
      at: '2026-12-02T10:00:00.000Z',
      type: 'run/started',
      run: 'r',
      supervisor_pid: 1,
      jobs: [
        { id: 'a.v1', worktree: null, branch: null, created: true, target: 'a', variant: 1 },
        { id: 'a.v2', worktree: null, branch: null, created: true, target: 'a', variant: 2 },
        { id: 'x', worktree: null, branch: null, created: true },
        { id: 'b.v1', worktree: null, branch: null, created: true, target: 'b', variant: 1 },
        { id: 'b.v2', worktree: null, branch: null, created: true, target: 'b', variant: 2 },
        { id: 'b.v3', worktree: null, branch: null, created: true, target: 'b', variant: 3 },
      ],
    });
    const byId: Record<string, JobView> = state.byId;
    expect(Object.fromEntries(attemptGlyphs(state.order, byId))).toEqual({ 'a.v1': '┌', 'a.v2': '└', 'b.v1': '┌', 'b.v2': '├', 'b.v3': '└' });
    // Filtered down to one attempt of a target, it stands alone.
    expect(Object.fromEntries(attemptGlyphs(['a.v1', 'x', 'b.v2'], byId))).toEqual({});
  });
});
