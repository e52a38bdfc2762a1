import type { Command } from './keymap.js';
import { pageSize, type UiAction, type UiState } from './ui-state.js';

/**
 * The keymap's commands that are one action of the UI reducer, worked out
 * from the state alone. The controller dispatches these as they are; the
 * rest (starting runs, opening panes that read files, asking the
 * supervisor) have effects and live in the controller.
 */
export const PLAIN_COMMANDS: Partial<Record<Command, (state: UiState) => UiAction>> = {
  'list.up': () => ({ type: 'select/move', delta: -1 }),
  'list.down': () => ({ type: 'select/move', delta: 1 }),
  'list.pageUp': (state) => ({ type: 'select/move', delta: -pageSize(state) }),
  'list.pageDown': (state) => ({ type: 'select/move', delta: pageSize(state) }),
  'list.top': () => ({ type: 'select/edge', edge: 'top' }),
  'list.bottom': () => ({ type: 'select/edge', edge: 'bottom' }),
  'app.help': () => ({ type: 'overlay/open', overlay: { kind: 'help' } }),
  'help.close': () => ({ type: 'overlay/close' }),
  'quit.stay': () => ({ type: 'overlay/close' }),
  'cancel.no': () => ({ type: 'overlay/close' }),
  'filter.start': () => ({ type: 'filter/start' }),
  'filter.clear': () => ({ type: 'filter/end', keep: false }),
  'filter.done': () => ({ type: 'filter/end', keep: true }),
  'text.backspace': () => ({ type: 'filter/backspace' }),
  'worktrees.toggle': () => ({ type: 'worktrees/toggle' }),
  'worktrees.all': () => ({ type: 'worktrees/all' }),
  'worktrees.new': () => ({ type: 'overlay/open', overlay: { kind: 'new-count', text: '' } }),
  'log.follow': () => ({ type: 'log/follow' }),
};
