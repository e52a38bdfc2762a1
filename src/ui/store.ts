import { useRef, useSyncExternalStore } from 'react';
import { reduceUi, type UiAction, type UiState } from '../core/ui-state.js';

/** Output-only changes reach the screen at most this often: a frame every 100 ms looks live and costs little. */
const COALESCE_MS = 100;

/** The TUI's state, outside React: dispatch actions, read with selectors. */
export interface UiStore {
  getState(): UiState;
  /** Applies an action; `lazy` ones (output progress) are shown with the next coalesced frame. */
  dispatch(action: UiAction, options?: { lazy?: boolean }): void;
  subscribe(listener: () => void): () => void;
}

/** A store over the UI reducer. Listeners hear of a change at once, or within 100 ms for lazy ones. */
export function createUiStore(initial: UiState): UiStore {
  let state = initial;
  let published = initial;
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
      else timer ??= setTimeout(publish, COALESCE_MS);
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
