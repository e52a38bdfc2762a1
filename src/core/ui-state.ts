import type { RunStateName } from './events.js';
import type { Scope } from './keymap.js';
import type { JobView, RunState } from './run-state.js';
import { reduceLogAndDiff, reduceWorktrees, type ActionOf } from './ui-panes.js';

/** The TUI's panes (DESIGN §6). */
export type Pane = 'prompts' | 'worktrees' | 'jobs' | 'log' | 'diff' | 'compare' | 'runs';

/** A question or panel drawn over the pane. */
export type Overlay =
  | { kind: 'help' }
  | { kind: 'confirm' }
  | { kind: 'new-count'; text: string }
  | { kind: 'quit' }
  | { kind: 'cancel-job'; job: string }
  /** The one-line input: a message for a job (or every job), or the reason of a denial (the request it answers named). */
  | { kind: 'input'; purpose: 'send' | 'send-all' | 'deny'; job: string; requestId: string | null; text: string };

/** A prompt of the library as the Prompts pane lists it. */
export interface PromptItem {
  name: string;
  description: string;
  template: boolean;
}

/** A discovered worktree as the Worktrees pane lists it. */
export interface WorktreeItem {
  path: string;
  repo: string;
  branch: string | null;
  main: boolean;
  valid: boolean;
  reason: string | null;
  dirty: boolean | null;
}

/** A run as the Runs pane lists it. */
export interface RunItem {
  run: string;
  state: RunStateName;
  /** Jobs waiting on a person. */
  need_you: number;
  repository: string | null;
  started_at: string;
  jobs: number;
  succeeded: number;
  failed: number;
  cost_usd: number;
}

/** Something loaded in the background: null until it is there, or why it could not be. */
export interface Loaded<T> {
  items: T[] | null;
  error: string | null;
}

/** Everything the TUI shows, in one value. */
export interface UiState {
  pane: Pane;
  overlay: Overlay | null;
  message: { text: string; tone: 'info' | 'error' } | null;
  size: { columns: number; rows: number };
  prompts: Loaded<PromptItem> & { cursor: number; filter: string; filtering: boolean; picked: string | null };
  worktrees: Loaded<WorktreeItem> & { warnings: string[]; cursor: number; selected: readonly string[]; newCount: number };
  /** The run on screen, if any. */
  run: RunState | null;
  runDir: string | null;
  jobs: { selected: string | null; filter: string; filtering: boolean };
  /** The log pane: `scroll` counts lines up from the tail; `count` is how many lines the buffer holds. */
  log: { scroll: number; follow: boolean; raw: boolean; count: number };
  diff: { job: string | null; lines: string[] | null; error: string | null; scroll: number };
  /** The compare pane (best-of-N): a target's attempts side by side, and the diff from attempt `a` to attempt `b`. */
  compare: { target: string | null; a: string | null; b: string | null; lines: string[] | null; error: string | null; scroll: number };
  runs: Loaded<RunItem> & { cursor: number };
  /** Shown in the start confirmation: `3 jobs · claude · -j 3`. */
  launch: { agent: string; jobs: number; base: string };
  /** True while a run is being started (validation, writing its directory). */
  starting: boolean;
}

/** What happens in the TUI: intents from keys and facts from the ports. */
export type UiAction =
  | { type: 'size'; columns: number; rows: number }
  | { type: 'message'; text: string; tone?: 'info' | 'error' }
  | { type: 'message/clear' }
  | { type: 'prompts/loaded'; items: PromptItem[] | null; error?: string }
  | { type: 'worktrees/loaded'; items: WorktreeItem[] | null; warnings?: string[]; error?: string }
  | { type: 'runs/loaded'; items: RunItem[] | null; error?: string }
  | { type: 'pane/open'; pane: Pane }
  | { type: 'pane/next' }
  | { type: 'pane/back' }
  | { type: 'overlay/open'; overlay: Overlay }
  | { type: 'overlay/close' }
  | { type: 'select/move'; delta: number }
  | { type: 'select/edge'; edge: 'top' | 'bottom' }
  | { type: 'filter/start' }
  | { type: 'filter/type'; text: string }
  | { type: 'filter/backspace' }
  | { type: 'filter/end'; keep: boolean }
  | { type: 'prompts/pick'; name: string }
  | { type: 'worktrees/toggle' }
  | { type: 'worktrees/all' }
  | { type: 'worktrees/new'; count: number }
  | { type: 'run/starting'; starting: boolean }
  | { type: 'launch'; launch: UiState['launch'] }
  | { type: 'run/attached'; run: RunState; dir: string }
  | { type: 'run/state'; run: RunState }
  | { type: 'log/follow' }
  | { type: 'log/raw' }
  | { type: 'log/appended'; count: number; added: number }
  | { type: 'diff/loading'; job: string }
  | { type: 'diff/loaded'; job: string; lines: string[] | null; error?: string }
  | { type: 'compare/open'; target: string; a: string; b: string }
  | { type: 'compare/loaded'; a: string; b: string; lines: string[] | null; error?: string };

/** The state before anything is loaded. */
export function initialUiState(options: { columns: number; rows: number; launch?: Partial<UiState['launch']> }): UiState {
  return {
    pane: 'prompts',
    overlay: null,
    message: null,
    size: { columns: options.columns, rows: options.rows },
    prompts: { items: null, error: null, cursor: 0, filter: '', filtering: false, picked: null },
    worktrees: { items: null, error: null, warnings: [], cursor: 0, selected: [], newCount: 0 },
    run: null,
    runDir: null,
    jobs: { selected: null, filter: '', filtering: false },
    log: { scroll: 0, follow: true, raw: false, count: 0 },
    diff: { job: null, lines: null, error: null, scroll: 0 },
    compare: NO_COMPARE,
    runs: { items: null, error: null, cursor: 0 },
    launch: { agent: 'claude', jobs: 3, base: 'the default branch', ...options.launch },
    starting: false,
  };
}

/** The scope the keyboard is in: the overlay's, else the pane's (its filter's while one is typed). */
export function activeScope(state: UiState): Scope {
  if (state.overlay) return state.overlay.kind;
  if (state.pane === 'prompts' && state.prompts.filtering) return 'prompts-filter';
  if (state.pane === 'jobs' && state.jobs.filtering) return 'jobs-filter';
  return state.pane;
}

/** The prompts the filter lets through (case-insensitive, on name and description). */
export function visiblePrompts(state: UiState): PromptItem[] {
  const items = state.prompts.items ?? [];
  const filter = state.prompts.filter.toLowerCase();
  if (filter === '') return items;
  return items.filter((item) => item.name.toLowerCase().includes(filter) || item.description.toLowerCase().includes(filter));
}

/** The job ids the grid shows, in run order, through the filter (on id, branch, state and activity). */
/** The job the grid's cursor is on, if any. */
export function selectedJob(state: UiState): JobView | undefined {
  return state.jobs.selected ? state.run?.byId[state.jobs.selected] : undefined;
}

/** The jobs the grid shows, the filter applied, in run order. */
export function visibleJobs(state: UiState): string[] {
  const run = state.run;
  if (!run) return [];
  const filter = state.jobs.filter.toLowerCase();
  if (filter === '') return run.order;
  return run.order.filter((id) => {
    const job = run.byId[id];
    return job !== undefined && [job.id, job.branch ?? '', job.state, job.activity ?? ''].some((text) => text.toLowerCase().includes(filter));
  });
}

/** Rows of list a page holds: the screen less header, column titles and footer. */
export function pageSize(state: UiState): number {
  return Math.max(1, state.size.rows - 5);
}

const NO_COMPARE: UiState['compare'] = { target: null, a: null, b: null, lines: null, error: null, scroll: 0 };

function clamp(value: number, count: number): number {
  return Math.max(0, Math.min(value, count - 1));
}

/** The pane tab goes to next: the run's grid only when there is a run. */
function nextPane(state: UiState): Pane {
  const cycle: Pane[] = state.run ? ['prompts', 'worktrees', 'jobs', 'runs'] : ['prompts', 'worktrees', 'runs'];
  const at = cycle.indexOf(state.pane === 'log' || state.pane === 'diff' || state.pane === 'compare' ? 'jobs' : state.pane);
  return cycle[(at + 1) % cycle.length] as Pane;
}

function moveSelection(state: UiState, to: (index: number, count: number) => number): UiState {
  switch (state.pane) {
    case 'prompts': {
      const count = visiblePrompts(state).length;
      return { ...state, prompts: { ...state.prompts, cursor: clamp(to(state.prompts.cursor, count), count) } };
    }
    case 'worktrees': {
      const count = state.worktrees.items?.length ?? 0;
      return { ...state, worktrees: { ...state.worktrees, cursor: clamp(to(state.worktrees.cursor, count), count) } };
    }
    case 'jobs': {
      const ids = visibleJobs(state);
      if (ids.length === 0) return state;
      const at = Math.max(0, ids.indexOf(state.jobs.selected ?? ''));
      return { ...state, jobs: { ...state.jobs, selected: ids[clamp(to(at, ids.length), ids.length)] ?? null } };
    }
    case 'runs': {
      const count = state.runs.items?.length ?? 0;
      return { ...state, runs: { ...state.runs, cursor: clamp(to(state.runs.cursor, count), count) } };
    }
    case 'log': {
      // The cursor is the bottom line shown, counted from the top; scroll is its distance from the tail.
      const count = state.log.count;
      const bottom = clamp(to(count - 1 - state.log.scroll, count), Math.max(1, count));
      const scroll = Math.max(0, count - 1 - bottom);
      // Reaching the tail again resumes following, as in a pager.
      return { ...state, log: { ...state.log, scroll, follow: scroll === 0 } };
    }
    case 'diff': {
      const count = state.diff.lines?.length ?? 0;
      return { ...state, diff: { ...state.diff, scroll: clamp(to(state.diff.scroll, count), Math.max(1, count)) } };
    }
    case 'compare': {
      const count = state.compare.lines?.length ?? 0;
      return { ...state, compare: { ...state.compare, scroll: clamp(to(state.compare.scroll, count), Math.max(1, count)) } };
    }
  }
}



function typed(state: UiState, change: (text: string) => string): UiState {
  if (state.overlay?.kind === 'input') return { ...state, overlay: { ...state.overlay, text: change(state.overlay.text) } };
  if (state.overlay?.kind === 'new-count') {
    const text = change(state.overlay.text).replace(/\D/g, '').slice(0, 3);
    return { ...state, overlay: { kind: 'new-count', text } };
  }
  if (state.pane === 'prompts') return { ...state, prompts: { ...state.prompts, filter: change(state.prompts.filter), cursor: 0 } };
  if (state.pane === 'jobs') {
    const next = { ...state, jobs: { ...state.jobs, filter: change(state.jobs.filter) } };
    const ids = visibleJobs(next);
    return ids.includes(next.jobs.selected ?? '') ? next : { ...next, jobs: { ...next.jobs, selected: ids[0] ?? next.jobs.selected } };
  }
  return state;
}

/** The filter of the Prompts or Jobs pane. */
function reduceFilter(state: UiState, action: ActionOf<'filter/start' | 'filter/type' | 'filter/backspace' | 'filter/end'>): UiState {
  switch (action.type) {
    case 'filter/start':
      if (state.pane === 'prompts') return { ...state, prompts: { ...state.prompts, filtering: true } };
      if (state.pane === 'jobs') return { ...state, jobs: { ...state.jobs, filtering: true } };
      return state;
    case 'filter/type':
      // Pasted text arrives in one piece; line breaks in it are not part of a filter.
      return typed(state, (text) => text + action.text.replace(/[\r\n\t]+/g, ' ').replace(/\p{Cc}/gu, ''));
    case 'filter/backspace':
      return typed(state, (text) => Array.from(text).slice(0, -1).join(''));
    case 'filter/end':
      if (state.pane === 'prompts') return { ...state, prompts: { ...state.prompts, filtering: false, ...(action.keep ? {} : { filter: '', cursor: 0 }) } };
      if (state.pane === 'jobs') return { ...state, jobs: { ...state.jobs, filtering: false, ...(action.keep ? {} : { filter: '' }) } };
      return state;
  }
}

/** The one place UI state changes: a pure fold of actions (picking worktrees, the log and diff panes in ui-panes.ts). */
export function reduceUi(state: UiState, action: UiAction): UiState {
  switch (action.type) {
    case 'size':
      return { ...state, size: { columns: action.columns, rows: action.rows } };
    case 'message':
      return { ...state, message: { text: action.text, tone: action.tone ?? 'info' } };
    case 'message/clear':
      return state.message ? { ...state, message: null } : state;
    case 'prompts/loaded': {
      const count = action.items?.length ?? 0;
      return { ...state, prompts: { ...state.prompts, items: action.items, error: action.error ?? null, cursor: clamp(state.prompts.cursor, count) } };
    }
    case 'worktrees/loaded': {
      // The selection survives a reload where the worktrees still exist.
      const paths = new Set((action.items ?? []).map((item) => item.path));
      return {
        ...state,
        worktrees: { ...state.worktrees, items: action.items, error: action.error ?? null, warnings: action.warnings ?? [], selected: state.worktrees.selected.filter((path) => paths.has(path)), cursor: clamp(state.worktrees.cursor, paths.size) },
      };
    }
    case 'runs/loaded':
      return { ...state, runs: { ...state.runs, items: action.items, error: action.error ?? null, cursor: clamp(state.runs.cursor, action.items?.length ?? 0) } };
    case 'pane/open':
      return { ...state, pane: action.pane, overlay: null, message: null, ...(action.pane === 'log' ? { log: { scroll: 0, follow: true, raw: state.log.raw, count: 0 } } : {}) };
    case 'pane/next':
      return { ...state, pane: nextPane(state), overlay: null, message: null };
    case 'pane/back': {
      if (state.overlay) return { ...state, overlay: null };
      const back: Record<Pane, Pane> = { prompts: 'prompts', worktrees: 'prompts', jobs: 'jobs', log: 'jobs', diff: 'jobs', compare: 'jobs', runs: state.run ? 'jobs' : 'prompts' };
      return { ...state, pane: back[state.pane], message: null };
    }
    case 'overlay/open':
      return { ...state, overlay: action.overlay };
    case 'overlay/close':
      return { ...state, overlay: null };
    case 'select/move':
      return moveSelection(state, (index) => index + action.delta);
    case 'select/edge':
      return moveSelection(state, (_index, count) => (action.edge === 'top' ? 0 : count - 1));
    case 'filter/start':
    case 'filter/type':
    case 'filter/backspace':
    case 'filter/end':
      return reduceFilter(state, action);
    case 'worktrees/toggle':
    case 'worktrees/all':
    case 'worktrees/new':
      return reduceWorktrees(state, action);
    case 'log/follow':
    case 'log/raw':
    case 'log/appended':
    case 'diff/loading':
    case 'diff/loaded':
    case 'compare/open':
    case 'compare/loaded':
      return reduceLogAndDiff(state, action);
    case 'prompts/pick':
      return { ...state, prompts: { ...state.prompts, picked: action.name, filtering: false }, pane: 'worktrees', message: null };
    case 'run/starting':
      return { ...state, starting: action.starting };
    case 'launch':
      return { ...state, launch: action.launch };
    case 'run/attached':
      return {
        ...state,
        run: action.run,
        runDir: action.dir,
        pane: 'jobs',
        overlay: null,
        jobs: { selected: action.run.order[0] ?? null, filter: '', filtering: false },
        diff: { job: null, lines: null, error: null, scroll: 0 },
        compare: NO_COMPARE,
        log: { scroll: 0, follow: true, raw: false, count: 0 },
      };
    case 'run/state': {
      const selected = state.jobs.selected ?? action.run.order[0] ?? null;
      return { ...state, run: action.run, jobs: selected === state.jobs.selected ? state.jobs : { ...state.jobs, selected } };
    }
  }
}
