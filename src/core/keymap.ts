/**
 * Every key of the TUI (DESIGN §6), as data: one table with scopes. The key
 * handler, the footer hints and the `?` help all read this table, so they
 * cannot disagree.
 */

/** Where the keyboard is: exactly one scope is active at a time. */
export type Scope =
  | 'prompts'
  | 'prompts-filter'
  | 'worktrees'
  | 'new-count'
  | 'confirm'
  | 'jobs'
  | 'jobs-filter'
  | 'log'
  | 'diff'
  | 'compare'
  | 'runs'
  | 'help'
  | 'quit'
  | 'cancel-job'
  | 'input';

/** What a key asks for, as `scope.verb`. */
export type Command =
  | 'app.quit'
  | 'app.help'
  | 'pane.next'
  | 'pane.back'
  | 'list.up'
  | 'list.down'
  | 'list.pageUp'
  | 'list.pageDown'
  | 'list.top'
  | 'list.bottom'
  | 'filter.start'
  | 'filter.clear'
  | 'filter.done'
  | 'text.backspace'
  | 'prompts.pick'
  | 'prompts.add'
  | 'worktrees.toggle'
  | 'worktrees.all'
  | 'worktrees.new'
  | 'worktrees.confirm'
  | 'count.done'
  | 'confirm.start'
  | 'grid.log'
  | 'grid.diff'
  | 'grid.compare'
  | 'compare.next'
  | 'compare.previous'
  | 'compare.swap'
  | 'grid.merge'
  | 'grid.land'
  | 'grid.cancel'
  | 'grid.rerun'
  | 'grid.open'
  | 'plan.approve'
  | 'plan.edit'
  | 'plan.reject'
  | 'log.follow'
  | 'log.raw'
  | 'runs.attach'
  | 'runs.refresh'
  | 'quit.keep'
  | 'quit.cancel'
  | 'quit.stay'
  | 'cancel.yes'
  | 'cancel.no'
  | 'help.close'
  | 'talk.yes'
  | 'talk.no'
  | 'talk.always'
  | 'talk.option'
  | 'talk.send'
  | 'talk.sendAll'
  | 'talk.interrupt'
  | 'input.submit'
  | 'input.editor';

/** A key press as the terminal reports it (the fields of Ink's `Key` that par reads). */
export interface KeyPress {
  upArrow?: boolean;
  downArrow?: boolean;
  leftArrow?: boolean;
  rightArrow?: boolean;
  pageUp?: boolean;
  pageDown?: boolean;
  home?: boolean;
  end?: boolean;
  return?: boolean;
  escape?: boolean;
  tab?: boolean;
  shift?: boolean;
  backspace?: boolean;
  delete?: boolean;
  ctrl?: boolean;
  meta?: boolean;
}

/** One row of the table: the keys (names such as `up`, `enter`, `ctrl+c`, or one character), what they do, and how the help calls it. */
export interface Binding {
  scope: Scope | 'global';
  keys: readonly string[];
  command: Command;
  label: string;
  /** Shown in the footer (the help lists every binding). */
  hint: boolean;
}

const b = (scope: Binding['scope'], keys: string[], command: Command, label: string, hint = true): Binding => ({ scope, keys, command, label, hint });

const LIST = (scope: Scope): Binding[] => [
  b(scope, ['up', 'k'], 'list.up', 'up', false),
  b(scope, ['down', 'j'], 'list.down', 'down', false),
  b(scope, ['pageup'], 'list.pageUp', 'page up', false),
  b(scope, ['pagedown'], 'list.pageDown', 'page down', false),
  b(scope, ['home', 'g'], 'list.top', 'first', false),
  b(scope, ['end', 'G'], 'list.bottom', 'last', false),
];

/** Talking with the selected job (DESIGN §14): answers, messages, interrupts. */
const TALK = (scope: Scope): Binding[] => [
  b(scope, ['y'], 'talk.yes', 'allow / approve', false),
  b(scope, ['n'], 'talk.no', 'deny / reject', false),
  b(scope, ['A'], 'talk.always', 'allow always (this run)', false),
  b(scope, ['1', '2', '3', '4', '5', '6', '7', '8', '9'], 'talk.option', "a question's option", false),
  b(scope, ['s'], 'talk.send', 'send'),
  b(scope, ['S'], 'talk.sendAll', 'send to all', false),
  b(scope, ['i'], 'talk.interrupt', 'interrupt'),
];

/** The keymap: scope-specific rows first, then global ones. */
export const KEYMAP: readonly Binding[] = [
  ...LIST('prompts'),
  b('prompts', ['enter'], 'prompts.pick', 'pick'),
  b('prompts', ['/'], 'filter.start', 'filter'),
  b('prompts', ['a'], 'prompts.add', 'add'),
  b('prompts-filter', ['up'], 'list.up', 'up', false),
  b('prompts-filter', ['down'], 'list.down', 'down', false),
  b('prompts-filter', ['enter'], 'prompts.pick', 'pick'),
  b('prompts-filter', ['esc'], 'filter.clear', 'clear'),
  b('prompts-filter', ['backspace'], 'text.backspace', 'erase', false),

  ...LIST('worktrees'),
  b('worktrees', ['space'], 'worktrees.toggle', 'select'),
  b('worktrees', ['a'], 'worktrees.all', 'all'),
  b('worktrees', ['n'], 'worktrees.new', 'new'),
  b('worktrees', ['enter'], 'worktrees.confirm', 'run'),
  b('worktrees', ['esc'], 'pane.back', 'back'),
  b('new-count', ['enter'], 'count.done', 'ok'),
  b('new-count', ['esc'], 'pane.back', 'back'),
  b('new-count', ['backspace'], 'text.backspace', 'erase', false),
  b('confirm', ['enter', 'y'], 'confirm.start', 'start'),
  b('confirm', ['esc', 'n'], 'pane.back', 'back'),

  ...LIST('jobs'),
  b('jobs', ['enter'], 'grid.log', 'log'),
  b('jobs', ['o'], 'grid.open', 'open'),
  b('jobs', ['d'], 'grid.diff', 'diff'),
  b('jobs', ['c'], 'grid.compare', 'compare attempts', false),
  b('jobs', ['m'], 'grid.merge', 'merge'),
  b('jobs', ['L'], 'grid.land', 'land all'),
  b('jobs', ['x'], 'grid.cancel', 'cancel'),
  b('jobs', ['r'], 'grid.rerun', 'rerun'),
  b('jobs', ['/'], 'filter.start', 'filter'),
  b('jobs', ['p'], 'plan.approve', 'approve plan', false),
  b('jobs', ['e'], 'plan.edit', 'edit plan, approve', false),
  ...TALK('jobs'),
  b('jobs-filter', ['up'], 'list.up', 'up', false),
  b('jobs-filter', ['down'], 'list.down', 'down', false),
  b('jobs-filter', ['enter'], 'filter.done', 'done'),
  b('jobs-filter', ['esc'], 'filter.clear', 'clear'),
  b('jobs-filter', ['backspace'], 'text.backspace', 'erase', false),

  ...LIST('log'),
  b('log', ['f'], 'log.follow', 'follow'),
  b('log', ['R'], 'log.raw', 'raw'),
  b('log', ['d'], 'grid.diff', 'diff'),
  b('log', ['o'], 'grid.open', 'open'),
  b('log', ['esc'], 'pane.back', 'back'),
  b('log', ['p'], 'plan.approve', 'approve plan', false),
  b('log', ['e'], 'plan.edit', 'edit plan, approve', false),
  ...TALK('log'),
  ...LIST('diff'),
  b('diff', ['enter'], 'grid.log', 'log'),
  b('diff', ['m'], 'grid.merge', 'merge'),
  b('diff', ['esc'], 'pane.back', 'back'),
  ...LIST('compare'),
  b('compare', ['right', 'l'], 'compare.next', 'next attempt'),
  b('compare', ['left', 'h'], 'compare.previous', 'previous', false),
  b('compare', ['s'], 'compare.swap', 'swap sides'),
  b('compare', ['esc'], 'pane.back', 'back'),

  ...LIST('runs'),
  b('runs', ['enter'], 'runs.attach', 'attach'),
  b('runs', ['u'], 'runs.refresh', 'refresh'),

  b('help', ['esc', '?', 'q'], 'help.close', 'close'),
  b('quit', ['k'], 'quit.keep', 'keep running'),
  b('quit', ['c'], 'quit.cancel', 'cancel them'),
  b('quit', ['esc', 's'], 'quit.stay', 'stay'),
  b('cancel-job', ['y'], 'cancel.yes', 'yes'),
  b('cancel-job', ['esc', 'n'], 'cancel.no', 'no'),
  b('input', ['enter'], 'input.submit', 'send'),
  b('input', ['ctrl+e'], 'input.editor', '$EDITOR'),
  b('input', ['esc'], 'pane.back', 'cancel'),
  b('input', ['backspace'], 'text.backspace', 'erase', false),

  b('global', ['tab'], 'pane.next', 'pane'),
  b('global', ['?'], 'app.help', 'help'),
  b('global', ['q'], 'app.quit', 'quit'),
];

/** Scopes where typing is text: no letter is bound there, only the keys of the scope itself and Ctrl+C. */
export const TEXT_SCOPES: ReadonlySet<Scope> = new Set(['prompts-filter', 'jobs-filter', 'new-count', 'input']);
/** Scopes that are a question: only their own keys (and Ctrl+C) work. */
const MODAL_SCOPES: ReadonlySet<Scope> = new Set(['help', 'quit', 'cancel-job', 'confirm']);

/** The names a press goes by, in the table's spelling. */
export function keyNames(input: string, key: KeyPress): string[] {
  const names: string[] = [];
  if (key.upArrow) names.push('up');
  if (key.downArrow) names.push('down');
  if (key.leftArrow) names.push('left');
  if (key.rightArrow) names.push('right');
  if (key.pageUp) names.push('pageup');
  if (key.pageDown) names.push('pagedown');
  if (key.home) names.push('home');
  if (key.end) names.push('end');
  if (key.return) names.push('enter');
  if (key.escape) names.push('esc');
  if (key.tab) names.push(key.shift ? 'shift+tab' : 'tab');
  // Terminals send DEL for the backspace key, which Ink reports as delete.
  if (key.backspace || key.delete) names.push('backspace');
  if (key.ctrl && input.length === 1) names.push(`ctrl+${input.toLowerCase()}`);
  else if (input === ' ') names.push('space');
  else if (input.length === 1 && !key.meta) names.push(input);
  return names;
}

/** The command a press means in `scope`, if any. Ctrl+C always quits (it asks first when jobs run). */
export function matchKey(scope: Scope, input: string, key: KeyPress): Command | undefined {
  const names = keyNames(input, key);
  if (names.includes('ctrl+c')) return scope === 'quit' ? 'quit.stay' : 'app.quit';
  const own = KEYMAP.find((binding) => binding.scope === scope && binding.keys.some((name) => names.includes(name)));
  if (own) return own.command;
  if (TEXT_SCOPES.has(scope) || MODAL_SCOPES.has(scope)) return undefined;
  return KEYMAP.find((binding) => binding.scope === 'global' && binding.keys.some((name) => names.includes(name)))?.command;
}

/** The bindings that work in `scope`, its own first. */
export function bindingsFor(scope: Scope): Binding[] {
  const own = KEYMAP.filter((binding) => binding.scope === scope);
  if (TEXT_SCOPES.has(scope) || MODAL_SCOPES.has(scope)) return own;
  return [...own, ...KEYMAP.filter((binding) => binding.scope === 'global')];
}

/** How a key is written for people: `↑`, `enter`, `space`. */
export function keyLabel(name: string): string {
  const labels: Record<string, string> = { up: '↑', down: '↓', left: '←', right: '→', pageup: 'PgUp', pagedown: 'PgDn', home: 'Home', end: 'End' };
  return labels[name] ?? name;
}

/** The footer line for `scope`: `enter pick · / filter · a add · tab pane · ? help · q quit`. */
export function footerHints(scope: Scope): string {
  return bindingsFor(scope)
    .filter((binding) => binding.hint)
    .map((binding) => `${binding.keys.map(keyLabel).join('/')} ${binding.label}`)
    .join(' · ');
}
