import type { RunCommand } from '../../src/rundir/channel.js';
import { render } from 'ink-testing-library';
import { setTimeout as sleep } from 'node:timers/promises';
import { stripVTControlCharacters } from 'node:util';
import type { NewRunEvent, RunEvent } from '../../src/core/events.js';
import { emptyRunState, reduceRun, type RunState } from '../../src/core/run-state.js';
import { initialUiState, type PromptItem, type WorktreeItem } from '../../src/core/ui-state.js';
import { App } from '../../src/ui/app.js';
import { TuiContext } from '../../src/ui/context.js';
import { Controller, type TuiExit } from '../../src/ui/controller.js';
import type { StartRequest, TuiPorts } from '../../src/ui/ports.js';
import { createUiStore, type UiStore } from '../../src/ui/store.js';
import { Ticker } from '../../src/ui/ticker.js';

/** Key names a test presses, as a terminal sends them. */
const KEYS: Record<string, string> = {
  enter: '\r',
  esc: '\x1b',
  up: '\x1b[A',
  down: '\x1b[B',
  pageup: '\x1b[5~',
  pagedown: '\x1b[6~',
  tab: '\t',
  space: ' ',
  backspace: '\x7f',
  'ctrl+c': '\x03',
};

/** A run the test drives: events go in, the TUI sees the folded state. */
export class FakeRun {
  state: RunState;
  #listeners: ((state: RunState, event: RunEvent | null) => void)[] = [];
  #seq = 0;
  constructor(readonly id: string) {
    this.state = emptyRunState(id);
  }
  listen(listener: (state: RunState, event: RunEvent | null) => void): () => void {
    this.#listeners.push(listener);
    return () => {
      this.#listeners = this.#listeners.filter((each) => each !== listener);
    };
  }
  /** Appends an event (seq and time filled in) and tells the watchers. */
  emit(event: NewRunEvent & { at?: string }): void {
    // After the fake clock's now (10:00:30), unless the test says when.
    const full = { at: '2026-11-22T10:00:40.000Z', ...event, seq: ++this.#seq } as RunEvent;
    this.state = reduceRun(this.state, full);
    for (const listener of this.#listeners) listener(this.state, full);
  }
}

/** Fake ports: everything in memory, every call recorded. */
export function fakePorts(options: { prompts?: PromptItem[]; worktrees?: WorktreeItem[]; runs?: Record<string, FakeRun>; output?: Record<string, string[]>; edit?: (text: string) => string | null } = {}) {
  const calls = { started: [] as StartRequest[], cancelled: [] as (string | null)[], reruns: [] as string[], merges: [] as string[], notified: [] as string[], approved: [] as [string, string | null][], rejected: [] as string[], opened: [] as string[], talked: [] as RunCommand[], continued: [] as [string, string][], landed: [] as string[] };
  const runs = options.runs ?? {};
  const ports: TuiPorts = {
    loadPrompts: async () => options.prompts ?? [],
    talk: (_dir, command) => void calls.talked.push(command),
    continueJob: async (_dir, _runId, job, text) => void calls.continued.push([job, text]),
    addPrompt: async () => null,
    loadWorktrees: async () => ({ items: options.worktrees ?? [], warnings: [] }),
    loadRuns: async () => Object.values(runs).map((run) => ({ run: run.id, state: run.state.state, repository: '/repo', started_at: '2026-11-22T10:00:00.000Z', jobs: run.state.order.length, succeeded: 0, failed: 0, cost_usd: 0, need_you: 0 })),
    startRun: async (request) => {
      calls.started.push(request);
      const id = `run-${calls.started.length}`;
      runs[id] ??= new FakeRun(id);
      return { runId: id, dir: `/runs/${id}` };
    },
    watchRun: (_dir, runId, onState) => {
      const run = (runs[runId] ??= new FakeRun(runId));
      if (run.state.order.length > 0) onState(run.state, null);
      return { stop: run.listen(onState) };
    },
    runDir: (runId) => `/runs/${runId}`,
    followOutput: (_dir, job, onLines) => {
      const lines = options.output?.[job] ?? [];
      queueMicrotask(() => onLines(lines));
      return { stop: () => undefined };
    },
    diff: async (job) => [`diff of ${job.id}`, '+added line', '-removed line'],
    diffAttempts: async (a, b) => [`${a.id} → ${b.id}`, `-line of ${a.id}`, `+line of ${b.id}`],
    cancel: (_dir, job) => void calls.cancelled.push(job),
    approve: (_dir, job, plan) => void calls.approved.push([job, plan]),
    reject: (_dir, job) => void calls.rejected.push(job),
    editText: async (text) => (options.edit ? options.edit(text) : null),
    rerun: async (_dir, _run, job) => void calls.reruns.push(job),
    open: async (_run, job) => {
      calls.opened.push(job);
      return `Opened ${job}.`;
    },
    merge: async (_run, job) => {
      calls.merges.push(job);
      return `Merged ${job}.`;
    },
    land: async (run) => {
      calls.landed.push(run);
      return { said: 'Landed alpha on main; beta: conflict in a.txt.', ok: false };
    },
    notify: (title) => void calls.notified.push(title),
    now: () => Date.parse('2026-11-22T10:00:30.000Z'),
  };
  return { ports, calls, runs };
}

/** The TUI rendered over fake ports at a fixed size, with helpers to drive it like a person. */
export function renderApp(options: { ports: TuiPorts; columns?: number; rows?: number; attach?: string }) {
  const store: UiStore = createUiStore(initialUiState({ columns: options.columns ?? 100, rows: options.rows ?? 24 }));
  let exit: TuiExit | null = null;
  const controller = new Controller({ store, ports: options.ports, exit: (outcome) => void (exit = outcome) });
  if (options.attach) controller.attach(options.attach, `/runs/${options.attach}`);
  controller.start();
  // Keys are counted as the app hands them to the controller, so a press waits for its key to be taken, not for a fixed time.
  let taken = 0;
  const press = controller.press.bind(controller);
  controller.press = (input, key) => {
    taken++;
    press(input, key);
  };
  const app = render(
    <TuiContext.Provider value={{ store, controller, ticker: new Ticker(), ports: options.ports, home: '/home/me' }}>
      <App />
    </TuiContext.Provider>,
  );
  controller.drawn();
  const frame = (): string => stripVTControlCharacters(app.lastFrame() ?? '');
  return {
    store,
    controller,
    frame,
    exit: () => exit as TuiExit | null,
    /** Presses keys by name (`enter`, `down`, `ctrl+c`) or as typed text. */
    async press(...keys: string[]): Promise<void> {
      for (const key of keys) {
        const before = taken;
        app.stdin.write(KEYS[key] ?? key);
        // Ink reads input on a later turn (a lone ESC after a moment, for a sequence that may follow): wait until it has.
        for (const deadline = Date.now() + 3000; taken === before; ) {
          if (Date.now() > deadline) throw new Error(`the app never took the key ${JSON.stringify(key)}`);
          await sleep(1);
        }
      }
    },
    async waitForFrame(expected: string | RegExp | ((text: string) => boolean), timeoutMs = 3000): Promise<string> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const text = frame();
        if (typeof expected === 'string' ? text.includes(expected) : typeof expected === 'function' ? expected(text) : expected.test(text)) return text;
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${String(expected)}; the frame shows:\n${text}`);
        await sleep(10);
      }
    },
    cleanup(): void {
      controller.stop();
      app.unmount();
      app.cleanup();
    },
  };
}
