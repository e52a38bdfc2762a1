import { describe, expect, it } from 'vitest';
import { costCell, formatElapsed, gridColumns, jobActivity } from '../../src/core/grid-layout.js';
import { bindingsFor, footerHints, KEYMAP, matchKey, type KeyPress, type Scope } from '../../src/core/keymap.js';
import { cleanLine, LogBuffer } from '../../src/core/log-buffer.js';
import { runNotices } from '../../src/core/run-notices.js';
import { emptyRunState, reduceRun, type JobView } from '../../src/core/run-state.js';
import { activeScope, initialUiState, reduceUi, type UiAction, type UiState } from '../../src/core/ui-state.js';

describe('keymap', () => {
  it.each<[Scope, string, KeyPress, string | undefined]>([
    ['prompts', '', { return: true }, 'prompts.pick'],
    ['prompts', 'a', {}, 'prompts.add'],
    ['prompts', 'q', {}, 'app.quit'],
    ['prompts', '\t', { tab: true }, 'pane.next'],
    ['prompts-filter', 'a', {}, undefined],
    ['prompts-filter', 'q', {}, undefined],
    ['prompts-filter', '?', {}, undefined],
    ['prompts-filter', '', { escape: true }, 'filter.clear'],
    ['prompts-filter', 'c', { ctrl: true }, 'app.quit'],
    ['worktrees', ' ', {}, 'worktrees.toggle'],
    ['worktrees', 'j', {}, 'list.down'],
    ['worktrees', '', { downArrow: true }, 'list.down'],
    ['worktrees', 'n', {}, 'worktrees.new'],
    ['new-count', '5', {}, undefined],
    ['confirm', 'y', {}, 'confirm.start'],
    ['confirm', 'q', {}, undefined],
    ['confirm', 'c', { ctrl: true }, 'app.quit'],
    ['jobs', 'x', {}, 'grid.cancel'],
    ['jobs', '', { delete: true }, undefined],
    ['jobs-filter', '', { delete: true }, 'text.backspace'],
    ['log', 'R', {}, 'log.raw'],
    ['log', 'r', {}, undefined],
    ['log', '', { pageUp: true }, 'list.pageUp'],
    ['quit', 'k', {}, 'quit.keep'],
    ['quit', 'c', { ctrl: true }, 'quit.stay'],
    ['help', '?', {}, 'help.close'],
    ['cancel-job', 'y', {}, 'cancel.yes'],
  ])('in %s, %j %j → %s', (scope, input, key, command) => {
    expect(matchKey(scope, input, key)).toBe(command);
  });

  it('binds no key twice in one scope, and the footer and help come from the same table', () => {
    const scopes = new Set(KEYMAP.map((binding) => binding.scope));
    for (const scope of scopes) {
      const keys = KEYMAP.filter((binding) => binding.scope === scope).flatMap((binding) => binding.keys);
      expect(new Set(keys).size, `${scope}`).toBe(keys.length);
    }
    expect(footerHints('jobs')).toBe('enter log · o open · d diff · m merge · L land all · x cancel · r rerun · / filter · s send · i interrupt · tab pane · ? help · q quit');
    expect(footerHints('prompts-filter')).toBe('enter pick · esc clear');
    expect(bindingsFor('quit').map((binding) => binding.command)).toEqual(['quit.keep', 'quit.cancel', 'quit.stay']);
  });
});

function ui(actions: UiAction[], start: UiState = initialUiState({ columns: 100, rows: 30 })): UiState {
  return actions.reduce(reduceUi, start);
}

const WORKTREES = ['/repo', '/a', '/b'].map((path) => ({ path, repo: '/repo', branch: null, main: path === '/repo', valid: path !== '/b', reason: path === '/b' ? 'missing' : null, dirty: false }));

describe('UI reducer', () => {
  it('moves a cursor within its list and toggles worktrees by path', () => {
    const state = ui([{ type: 'worktrees/loaded', items: WORKTREES }, { type: 'pane/open', pane: 'worktrees' }, { type: 'select/move', delta: 5 }, { type: 'select/move', delta: -1 }, { type: 'worktrees/toggle' }]);
    expect(state.worktrees.cursor).toBe(1);
    expect(state.worktrees.selected).toEqual(['/a']);
    const invalid = ui([{ type: 'select/move', delta: 1 }, { type: 'worktrees/toggle' }], state);
    expect(invalid.worktrees.selected).toEqual(['/a']);
    expect(invalid.message?.text).toBe('/b cannot be used: missing.');
  });

  it('keeps the selection of worktrees that survive a reload', () => {
    const state = ui([{ type: 'worktrees/loaded', items: WORKTREES }, { type: 'pane/open', pane: 'worktrees' }, { type: 'worktrees/all' }, { type: 'worktrees/loaded', items: WORKTREES.slice(1) }]);
    expect(state.worktrees.selected).toEqual(['/a']);
  });

  it('has one active scope: overlay, then filter, then pane', () => {
    let state = ui([{ type: 'filter/start' }]);
    expect(activeScope(state)).toBe('prompts-filter');
    state = ui([{ type: 'overlay/open', overlay: { kind: 'help' } }], state);
    expect(activeScope(state)).toBe('help');
    state = ui([{ type: 'overlay/close' }, { type: 'filter/end', keep: true }], state);
    expect(activeScope(state)).toBe('prompts');
  });

  it('tab cycles prompts → worktrees → runs, and the grid when there is a run', () => {
    const panes = (state: UiState, times: number): string[] => Array.from({ length: times }, () => (state = reduceUi(state, { type: 'pane/next' })).pane);
    expect(panes(ui([]), 3)).toEqual(['worktrees', 'runs', 'prompts']);
    const withRun = ui([{ type: 'run/attached', run: emptyRunState('r'), dir: '/r' }]);
    expect(panes(withRun, 4)).toEqual(['runs', 'prompts', 'worktrees', 'jobs']);
  });

  it('the log stays put while lines arrive when not following, and follows again at the tail', () => {
    let state = ui([{ type: 'pane/open', pane: 'log' }, { type: 'log/appended', count: 100, added: 100 }, { type: 'select/move', delta: -10 }]);
    expect(state.log).toMatchObject({ scroll: 10, follow: false });
    state = ui([{ type: 'log/appended', count: 105, added: 5 }], state);
    expect(state.log.scroll).toBe(15);
    state = ui([{ type: 'select/edge', edge: 'bottom' }], state);
    expect(state.log).toMatchObject({ scroll: 0, follow: true });
    state = ui([{ type: 'select/edge', edge: 'top' }], state);
    expect(state.log.scroll).toBe(104);
  });

  it('the count of new worktrees takes digits only, from typed or pasted text', () => {
    const state = ui([{ type: 'overlay/open', overlay: { kind: 'new-count', text: '' } }, { type: 'filter/type', text: 'a1' }, { type: 'filter/type', text: '2\n3' }]);
    expect(state.overlay).toEqual({ kind: 'new-count', text: '123' });
  });
});

function job(changes: Partial<JobView>): JobView {
  const state = reduceRun(emptyRunState('r'), { seq: 1, at: '2026-01-01T00:00:00Z', type: 'run/started', run: 'r', supervisor_pid: 1, jobs: [{ id: 'j', worktree: '/w', branch: 'b', created: false }] });
  return { ...(state.byId.j as JobView), ...changes };
}

describe('grid layout', () => {
  it.each([50, 80, 100, 120, 200])('columns fit %i columns exactly, activity never squeezed below what remains', (width) => {
    const columns = gridColumns(width);
    const used = columns.reduce((sum, column) => sum + column.width, 0) + columns.length - 1;
    expect(used).toBeLessThanOrEqual(width);
    expect(columns.map((column) => column.key)).toContain('activity');
    expect(columns[0]?.key).toBe('state');
  });

  it('drops branch first, then diff, as the terminal narrows', () => {
    expect(gridColumns(200).map((column) => column.key)).toContain('branch');
    expect(gridColumns(100).map((column) => column.key)).not.toContain('branch');
    expect(gridColumns(80).map((column) => column.key)).not.toContain('diff');
  });

  it.each([
    [0, '0s'],
    [59_999, '59s'],
    [65_000, '1m05s'],
    [3_725_000, '1h02m'],
  ])('formats %i ms as %s', (ms, text) => {
    expect(formatElapsed(ms)).toBe(text);
  });

  it.each([
    [{ state: 'running', activity: 'Edit a.ts' }, 'Edit a.ts'],
    [{ state: 'running', activity: 'Edit a.ts', retry: 'retrying (2/10)' }, 'retrying (2/10) · Edit a.ts'],
    [{ state: 'failed', error: 'Not logged in' }, 'Not logged in'],
    [{ state: 'succeeded', result: '\nFixed it.\nMore', denials: ['Bash'] }, '⚠ 1 denied · Fixed it.'],
    [{ state: 'cancelled', reason: 'user' }, 'cancelled (user)'],
    [{ state: 'queued', worktree: null }, 'waiting for its worktree'],
  ] as [Partial<JobView>, string][])('activity of %j is %s', (changes, text) => {
    expect(jobActivity(job(changes))).toBe(text);
  });

  it('costs are short', () => {
    expect([costCell(null), costCell(0.01234), costCell(12.345), costCell(123.4)]).toEqual(['', '$0.012', '$12.35', '$123']);
  });
});

describe('log buffer', () => {
  it.each([
    ['plain', 'plain'],
    ['\x1b[31mred\x1b[0m text', 'red text'],
    ['progress 10%\rprogress 100%', 'progress 100%'],
    ['a\tb\x07\x00c', 'a  bc'],
    ['\x1b]0;title\x07after', 'after'],
  ])('cleans %j to %j', (line, clean) => {
    expect(cleanLine(line)).toBe(clean);
  });

  it('caps long lines and keeps only the last lines', () => {
    expect(cleanLine('x'.repeat(5000))).toHaveLength(1000);
    const buffer = new LogBuffer({ raw: true, cwd: '', capacity: 10 });
    buffer.push(Array.from({ length: 25 }, (_, index) => `line ${index + 1}`));
    expect(buffer.count).toBe(10);
    expect(buffer.window(3, 0)).toEqual(['line 23', 'line 24', 'line 25']);
    expect(buffer.window(3, 8)).toEqual(['line 16', 'line 17']);
  });

  it('renders stream-json as the transcript', () => {
    const buffer = new LogBuffer({ raw: false, cwd: '/w' });
    const added = buffer.push([JSON.stringify({ type: 'assistant', message: { content: [{ type: 'tool_use', id: '1', name: 'Bash', input: { command: 'npm test' } }] } })]);
    expect(added).toBe(1);
    expect(buffer.window(5, 0)).toEqual(['● Bash npm test']);
  });
});

describe('run notices', () => {
  const at = '2026-01-01T00:00:00Z';
  const started = reduceRun(emptyRunState('r'), { seq: 1, at, type: 'run/started', run: 'r', supervisor_pid: 1, jobs: ['a', 'b'].map((id) => ({ id, worktree: `/${id}`, branch: id, created: false })) });
  const outcome = { reason: null, exit_code: 1, signal: null, result: null, denials: [], session_id: null, cost_usd: null, turns: null, tokens: null, diffstat: null };

  it('tells of a failure, a plan to review and the end of the run, once each', () => {
    const failed = reduceRun(started, { seq: 2, at, type: 'job/finished', job: 'a', outcome: { ...outcome, state: 'failed', error: 'Not logged in' } });
    expect(runNotices(started, failed)).toEqual([{ title: 'par: a failed', body: 'Not logged in' }]);
    expect(runNotices(failed, failed)).toEqual([]);
    const waiting = reduceRun(failed, { seq: 3, at, type: 'job/plan-ready', job: 'b', plan: '1. x', session_id: null, cost_usd: null });
    expect(runNotices(failed, waiting).map((notice) => notice.title)).toEqual(['par: b needs approval']);
    expect(runNotices(failed, waiting)[0]?.say).toMatch(/^The plan of b is ready/);
    const ended = reduceRun(waiting, { seq: 4, at, type: 'run/finished', state: 'failed' });
    expect(runNotices(waiting, ended)).toEqual([{ title: 'par: run failed', body: '0/2 succeeded, 1 failed' }]);
  });
});
