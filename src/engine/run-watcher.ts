import type { RunEvent } from '../core/events.js';
import { emptyRunState, markInterrupted, reduceRun, type RunState } from '../core/run-state.js';
import { LineFollower, parseEventLine } from './journal.js';
import { runFiles } from './run-plan.js';
import { isRunSupervisor } from './runs.js';

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
 * (`par run`, `par results --follow`, `par cancel`) watch a run.
 */
export function watchRun(dir: string, runId: string, handlers: RunWatchHandlers): { stop(): void; state(): RunState } {
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
    if (event.type === 'run/finished') queueMicrotask(() => state.state !== 'running' && end('finished'));
  });
  let checks = 0;
  const liveness = setInterval(() => {
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
