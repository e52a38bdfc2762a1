import type { UiAction, UiState } from './ui-state.js';

/** The UI actions of the given types. */
export type ActionOf<T extends UiAction['type']> = Extract<UiAction, { type: T }>;

/** Picking worktrees, or a number of new ones. */
export function reduceWorktrees(state: UiState, action: ActionOf<'worktrees/toggle' | 'worktrees/all' | 'worktrees/new'>): UiState {
  switch (action.type) {
    case 'worktrees/toggle': {
      const item = state.worktrees.items?.[state.worktrees.cursor];
      if (!item) return state;
      if (!item.valid) return { ...state, message: { text: `${item.path} cannot be used: ${item.reason ?? 'invalid'}.`, tone: 'error' } };
      const selected = state.worktrees.selected.includes(item.path) ? state.worktrees.selected.filter((path) => path !== item.path) : [...state.worktrees.selected, item.path];
      return { ...state, worktrees: { ...state.worktrees, selected, newCount: 0 }, message: null };
    }
    case 'worktrees/all': {
      const valid = (state.worktrees.items ?? []).filter((item) => item.valid).map((item) => item.path);
      // `a` again clears: a toggle, like in most pickers.
      const all = valid.length > 0 && valid.every((path) => state.worktrees.selected.includes(path));
      return { ...state, worktrees: { ...state.worktrees, selected: all ? [] : valid, newCount: 0 } };
    }
    case 'worktrees/new':
      return { ...state, worktrees: { ...state.worktrees, selected: [], newCount: action.count }, overlay: action.count > 0 ? { kind: 'confirm' } : null };
  }
}

/** The log, diff and compare panes. */
export function reduceLogAndDiff(state: UiState, action: ActionOf<'log/follow' | 'log/raw' | 'log/appended' | 'diff/loading' | 'diff/loaded' | 'compare/open' | 'compare/loaded'>): UiState {
  switch (action.type) {
    case 'log/follow':
      return { ...state, log: { ...state.log, follow: !state.log.follow, scroll: state.log.follow ? state.log.scroll : 0 } };
    case 'log/raw':
      return { ...state, log: { ...state.log, raw: !state.log.raw, scroll: 0, follow: true, count: 0 } };
    case 'log/appended':
      // Not following: the lines on screen stay where they are while new ones arrive below.
      return { ...state, log: { ...state.log, count: action.count, scroll: state.log.follow ? 0 : Math.min(state.log.scroll + action.added, Math.max(0, action.count - 1)) } };
    case 'diff/loading':
      return { ...state, diff: { job: action.job, lines: null, error: null, scroll: 0 } };
    case 'diff/loaded':
      if (state.diff.job !== action.job) return state;
      return { ...state, diff: { ...state.diff, lines: action.lines, error: action.error ?? null } };
    case 'compare/open':
      return { ...state, pane: 'compare', overlay: null, message: null, compare: { target: action.target, a: action.a, b: action.b, lines: null, error: null, scroll: 0 } };
    case 'compare/loaded':
      // A diff that comes back after another pair was picked is dropped.
      if (state.compare.a !== action.a || state.compare.b !== action.b) return state;
      return { ...state, compare: { ...state.compare, lines: action.lines, error: action.error ?? null } };
  }
}
