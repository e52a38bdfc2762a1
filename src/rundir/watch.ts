import type { RunEvent } from '../core/events.js';
import { emptyRunState, markInterrupted, reduceRun, type RunState } from '../core/run-state.js';
import { parseEventLine } from './journal.js';
import { isRunSupervisor } from './runs.js';
import { runFiles } from './files.js';
import { LineFollower } from './follow.js';

/** The journal is read this often (and at once on a change): fast enough to feel live, cheap when idle. */
const FOLLOW_MS = 100;
/** How often a client checks that the supervisor still lives. */
const LIVENESS_MS = 1000;
/** A supervisor that has not written run/started after this many checks never will. */
const STARTUP_CHECKS = 10;

/** What a client hears while it follows a run. */
export interface RunWatchHandlers {
  /** Each journal event, with the state before and after it. */
  onEvent?(event: RunEvent, state: RunState, before: RunState): void;
  /** The run ended: it finished, or its supervisor is gone (`interrupted`). Called once. */
  onEnd(state: RunState, how: 'finished' | 'interrupted'): void;
}

/**
 * Follows a run from the start of its journal, folding each event through
 * the reducer, and notices a supervisor that died. The one way clients
 * (`par run`, `par results --follow`, `par cancel`) watch a run. With
 * `pastTheEnd` it follows on through the run's end and a dead supervisor
 * (`onEnd` never comes): for the supervisor that takes an ended run over.
 */
export function watchRun(dir: string, runId: string, handlers: RunWatchHandlers, options: { pastTheEnd?: boolean } = {}): { stop(): void; state(): RunState } {
  let state = emptyRunState(runId);
  // When the journal last heard from the supervisor: an interrupted run's jobs stopped then.
  let lastAt: string | null = null;
  let ended = false;
  const end = (how: 'finished' | 'interrupted'): void => {
    if (ended) return;
    ended = true;
    stop();
    handlers.onEnd(state, how);
  };
  const follower = new LineFollower(runFiles.events(dir), (line) => {
    const event = parseEventLine(line);
    if (!event || ended) return;
    const before = state;
    state = reduceRun(state, event);
    lastAt = event.at;
    handlers.onEvent?.(event, state, before);
    // A run that finished may be taken over again (rerun, resume): it has ended only if nothing follows in this read.
    if (event.type === 'run/finished' && !options.pastTheEnd) queueMicrotask(() => state.state !== 'running' && end('finished'));
  });
  let checks = 0;
  const liveness = setInterval(() => {
    if (options.pastTheEnd) return;
    checks++;
    const pid = state.supervisor_pid;
    if ((pid === null && checks > STARTUP_CHECKS) || (pid !== null && !isRunSupervisor(pid, dir))) {
      follower.poll();
      if (ended) return;
      state = markInterrupted(state, lastAt ?? new Date().toISOString());
      end('interrupted');
    }
  }, LIVENESS_MS);
  function stop(): void {
    follower.stop();
    clearInterval(liveness);
  }
  // Started on the next turn, so handlers may use the returned handle even for a run that already ended.
  setImmediate(() => {
    if (!ended) follower.start(FOLLOW_MS);
  });
  return {
    stop: () => {
      ended = true;
      stop();
    },
    state: () => state,
  };
}

/**
 * Resolves with the run's state once `done` holds for it, or (unless
 * `pastTheEnd`) once the run has ended; null after `timeoutMs` (0: never).
 * `done` is asked after each read of the journal, never halfway through
 * one: a run taken over again has an old `run/finished` in its history that
 * is not its state now. `pastTheEnd` waits on through the run's end and a
 * dead supervisor: for the supervisor that takes an ended run over.
 */
export function waitFor(dir: string, runId: string, done: (state: RunState) => boolean, options: { timeoutMs?: number; pastTheEnd?: boolean } = {}): Promise<RunState | null> {
  return new Promise((resolve) => {
    let stopWatching = (): void => undefined;
    const finish = (state: RunState | null): void => {
      clearTimeout(timer);
      stopWatching();
      resolve(state);
    };
    const timer = options.timeoutMs ? setTimeout(() => finish(null), options.timeoutMs) : undefined;
    let asking = false;
    const watcher = watchRun(dir, runId, {
      onEvent: () => {
        if (asking) return;
        asking = true;
        queueMicrotask(() => {
          asking = false;
          const state = watcher.state();
          if (done(state)) finish(state);
        });
      },
      onEnd: (state) => finish(state),
    }, { pastTheEnd: options.pastTheEnd === true });
    stopWatching = () => watcher.stop();
  });
}
