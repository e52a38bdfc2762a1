import { render, type Instance } from 'ink';
import { createElement } from 'react';
import { ExitCode } from '../core/errors.js';
import { initialUiState } from '../core/ui-state.js';
import { App } from '../ui/app.js';
import { TuiContext } from '../ui/context.js';
import { Controller, type TuiExit } from '../ui/controller.js';
import { createUiStore, type UiStore } from '../ui/store.js';
import { Ticker } from '../ui/ticker.js';
import type { CommandContext } from './context.js';
import type { RunOptions } from './run-setup.js';
import { createTuiPorts } from './tui-ports.js';

/** Ink draws at most this many frames a second (DESIGN §6: ≤ 20); more is invisible and costs CPU. */
const MAX_FPS = 20;
/** The first frame waits this long at most for the prompt library, so it shows the prompts rather than a spinner. */
const FIRST_FRAME_WAIT_MS = 250;

const ENTER_SCREEN = '\x1b[?1049h\x1b[?25l';
const LEAVE_SCREEN = '\x1b[?25h\x1b[?1049l';

/** What the TUI opens on. */
export interface TuiStart {
  /** The options `par run` was given, used for runs the TUI starts. */
  runOptions?: RunOptions;
  /** A prompt already chosen (`par run NAME` with no worktrees): the TUI opens on the worktree picker. */
  prompt?: string | null;
  /** A run to show at once (`par attach`, `par run` with worktrees). */
  attach?: { runId: string; dir: string };
}

/**
 * The full-screen TUI (DESIGN §6) on the alternate screen. The terminal is
 * restored on every way out: q, Ctrl+C, an exception, SIGTERM, SIGHUP.
 * Runs started here belong to their supervisors, so leaving never stops one
 * unless asked to.
 */
/** The terminal while the TUI holds it: the alternate screen and raw mode, given back on every way out, and lent to an editor. */
function terminalScreen(instance: () => Instance | undefined): { restore(): void; suspend<T>(work: () => T): Promise<Awaited<T>> } {
  const stdout = process.stdout;
  const stdin = process.stdin;
  let restored = false;
  return {
    restore(): void {
      if (restored) return;
      restored = true;
      try {
        instance()?.unmount();
      } catch {
        // Unmounting a broken tree must not keep the terminal broken.
      }
      if (stdin.isTTY) stdin.setRawMode(false);
      stdout.write(LEAVE_SCREEN);
    },
    async suspend<T>(work: () => T): Promise<Awaited<T>> {
      stdout.write(LEAVE_SCREEN);
      if (stdin.isTTY) stdin.setRawMode(false);
      try {
        return await work();
      } finally {
        if (stdin.isTTY) stdin.setRawMode(true);
        stdout.write(ENTER_SCREEN);
        // The screen was the editor's: Ink forgets its last frame and draws the next in full.
        instance()?.clear();
      }
    },
  };
}

/**
 * SIGTERM, SIGHUP and a crash give the terminal back and exit at once (the
 * runs go on: their supervisors own them); returns what takes the guards off.
 */
function guardTerminal(ctx: CommandContext, controller: Controller, restore: () => void): () => void {
  const onSignal = (signal: NodeJS.Signals): void => {
    // Exit here and now: Ink's signal-exit would otherwise re-raise the signal, and after SIGHUP there is no terminal to say anything on.
    controller.stop();
    restore();
    ctx.log.info('TUI ended by a signal', { signal });
    process.exit(ExitCode.interrupted);
  };
  const onCrash = (error: unknown): void => {
    restore();
    ctx.log.error('the TUI crashed', { error });
    process.stderr.write(`par: the screen failed (${error instanceof Error ? error.message : String(error)}); runs keep going — see them with par list runs.\n`);
    process.exit(ExitCode.failed);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);
  process.on('uncaughtException', onCrash);
  process.on('exit', restore);
  return () => {
    process.off('SIGTERM', onSignal);
    process.off('SIGHUP', onSignal);
    process.off('uncaughtException', onCrash);
    process.off('exit', restore);
  };
}

/** The UI's store: the start confirmation is filled in from the config as it loads; the first frame does not wait for it. */
function uiStore(ctx: CommandContext, runOptions: RunOptions): UiStore {
  const store = createUiStore(initialUiState({ columns: process.stdout.columns || 80, rows: process.stdout.rows || 24 }));
  // A broken configuration is shown by the Prompts pane, which needs it too.
  void ctx
    .config()
    .then(({ config }) =>
      store.dispatch({ type: 'launch', launch: { agent: runOptions.agent ?? 'claude', jobs: Number(runOptions.jobs ?? config.defaults.jobs) || config.defaults.jobs, base: runOptions.branch ?? 'the default branch' } }),
    )
    .catch(() => undefined);
  return store;
}

/** `par` on a terminal, `par run` and `par attach` on one: the full-screen TUI until it is left; resolves to the exit code. */
export async function runTui(ctx: CommandContext, start: TuiStart = {}): Promise<number> {
  let instance: Instance | undefined;
  const screen = terminalScreen(() => instance);
  const runOptions = start.runOptions ?? {};
  const ports = createTuiPorts(ctx, { runOptions, suspend: screen.suspend });
  const store = uiStore(ctx, runOptions);
  // One beat for the spinners and the output's progress: one frame for both.
  const ticker = new Ticker(() => store.flush());
  store.drawOn(ticker);
  let finish: (outcome: TuiExit) => void = () => undefined;
  const exited = new Promise<TuiExit>((resolve) => {
    finish = resolve;
  });
  const controller = new Controller({ store, ports, exit: (outcome) => finish(outcome) });
  // Connected before the first render, so no early event is lost.
  if (start.attach) controller.attach(start.attach.runId, start.attach.dir);
  const picked = (runOptions.message !== undefined ? '-m' : runOptions.promptFile) ?? start.prompt;
  if (picked && !start.attach) store.dispatch({ type: 'prompts/pick', name: picked });
  const prompts = controller.start();
  await Promise.race([prompts, new Promise((resolve) => setTimeout(resolve, FIRST_FRAME_WAIT_MS).unref())]);

  const unguard = guardTerminal(ctx, controller, screen.restore);
  process.stdout.write(ENTER_SCREEN);
  let outcome: TuiExit;
  try {
    instance = render(createElement(TuiContext.Provider, { value: { store, controller, ticker, ports, home: ctx.paths.home } }, createElement(App)), {
      exitOnCtrlC: false,
      patchConsole: false,
      maxFps: MAX_FPS,
    });
    controller.drawn();
    outcome = await exited;
  } finally {
    controller.stop();
    screen.restore();
    unguard();
  }
  return exitCodeOf(ctx, outcome);
}

function exitCodeOf(ctx: CommandContext, outcome: TuiExit): number {
  const run = outcome.run;
  if (!run) return ExitCode.ok;
  if (outcome.how === 'kept' && run.state === 'running') {
    ctx.stderr.write(`par: run ${run.run} keeps going in the background; see it with par attach ${run.run} or par status ${run.run}.\n`);
    return ExitCode.ok;
  }
  if (outcome.how === 'cancelled') {
    ctx.stderr.write(`par: run ${run.run} is being cancelled.\n`);
    return ExitCode.interrupted;
  }
  if (run.state === 'running') return ExitCode.ok;
  return run.state === 'succeeded' ? ExitCode.ok : ExitCode.failed;
}
