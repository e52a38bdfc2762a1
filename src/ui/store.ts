import { useRef, useSyncExternalStore } from 'react';
import { reduceUi, type UiAction, type UiState } from '../core/ui-state.js';

/** Output-only changes reach the screen at most this often: a frame every 100 ms looks live and costs little. */
const COALESCE_MS = 100;

/** What the store asks of the spinners' beat (the Ticker) to draw on it. */
export interface Beat {
  /** Whether the beat is going: lazy changes then wait for it. */
  running(): boolean;
}

/** The TUI's state, outside React: dispatch actions, read with selectors. */
export interface UiStore {
  getState(): UiState;
  /** Applies an action; `lazy` ones (output progress) are shown with the next coalesced frame. */
  dispatch(action: UiAction, options?: { lazy?: boolean }): void;
  subscribe(listener: () => void): () => void;
  /** Shows the lazy changes now: the beat calls it on each of its ticks. */
  flush(): void;
  /** Draws lazy changes on `beat` while it runs, in the frame its ticks cause anyway. */
  drawOn(beat: Beat): void;
}

/**
 * A store over the UI reducer. Listeners hear of a change at once, or within
 * 100 ms for lazy ones: with the next tick of the beat while it runs — one
 * frame for both instead of two, so half the time a key's frame finds no
 * frame just drawn to wait behind (Ink draws at most one every 50 ms) — and
 * after 100 ms otherwise.
 */
export function createUiStore(initial: UiState): UiStore {
  let state = initial;
  let published = initial;
  let beat: Beat | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const listeners = new Set<() => void>();
  const publish = (): void => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (published === state) return;
    published = state;
    for (const listener of listeners) listener();
  };
  return {
    getState: () => state,
    dispatch(action, options) {
      const next = reduceUi(state, action);
      if (next === state) return;
      state = next;
      if (!options?.lazy) publish();
      else if (!beat?.running()) timer ??= setTimeout(publish, COALESCE_MS);
    },
    flush: publish,
    drawOn(given) {
      beat = given;
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

/**
 * Reads a slice of the store; re-renders only when that slice changes by
 * reference. A selector that derives a new array is asked again only when
 * the state changed, so it cannot make React loop.
 */
export function useUi<T>(store: UiStore, select: (state: UiState) => T): T {
  const memo = useRef<{ state: UiState; value: T } | null>(null);
  return useSyncExternalStore(store.subscribe, () => {
    const state = store.getState();
    if (memo.current?.state !== state) memo.current = { state, value: select(state) };
    return memo.current.value;
  });
}
