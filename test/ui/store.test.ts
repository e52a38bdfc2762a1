import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { initialUiState } from '../../src/core/ui-state.js';
import { createUiStore } from '../../src/ui/store.js';
import { Ticker } from '../../src/ui/ticker.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

function storeWithBeat(): { store: ReturnType<typeof createUiStore>; ticker: Ticker; heard: () => number } {
  const store = createUiStore(initialUiState({ columns: 100, rows: 24 }));
  const ticker = new Ticker(() => store.flush());
  store.drawOn(ticker);
  let heard = 0;
  store.subscribe(() => heard++);
  return { store, ticker, heard: () => heard };
}

describe('the store and the beat', () => {
  it('shows a lazy change within 100 ms when nothing ticks, and any other change at once', () => {
    const { store, heard } = storeWithBeat();
    store.dispatch({ type: 'size', columns: 120, rows: 40 }, { lazy: true });
    expect(heard()).toBe(0);
    vi.advanceTimersByTime(100);
    expect(heard()).toBe(1);
    store.dispatch({ type: 'size', columns: 80, rows: 24 });
    expect(heard()).toBe(2);
  });

  it('shows lazy changes with the tick while something ticks — one frame for both — and when the ticking stops', () => {
    const { store, ticker, heard } = storeWithBeat();
    let ticks = 0;
    const stop = ticker.subscribe(() => ticks++);
    vi.advanceTimersByTime(30);
    store.dispatch({ type: 'size', columns: 120, rows: 40 }, { lazy: true });
    // No timer of its own: the change waits for the tick at 100 ms, not 130.
    vi.advanceTimersByTime(69);
    expect(heard()).toBe(0);
    vi.advanceTimersByTime(1);
    expect([heard(), ticks]).toEqual([1, 1]);
    store.dispatch({ type: 'size', columns: 80, rows: 24 }, { lazy: true });
    stop();
    expect(ticker.running()).toBe(false);
    vi.advanceTimersByTime(1);
    expect(heard()).toBe(2);
    expect(store.getState().size).toEqual({ columns: 80, rows: 24 });
  });
});
