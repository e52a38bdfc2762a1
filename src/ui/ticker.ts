import { useSyncExternalStore } from 'react';

/** Spinner frames change this often: smooth enough, and within the 20 frames a second the screen takes. */
const TICK_MS = 100;

/**
 * The one animation timer of the TUI: every spinner and elapsed time reads
 * its frame counter. It runs only while something on screen subscribes.
 */
export class Ticker {
  #frame = 0;
  #timer: ReturnType<typeof setInterval> | undefined;
  readonly #listeners = new Set<() => void>();

  readonly subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    this.#timer ??= setInterval(() => {
      this.#frame++;
      for (const each of this.#listeners) each();
    }, TICK_MS);
    return () => {
      this.#listeners.delete(listener);
      if (this.#listeners.size === 0 && this.#timer) {
        clearInterval(this.#timer);
        this.#timer = undefined;
      }
    };
  };

  readonly frame = (): number => this.#frame;
}

const idle = (): (() => void) => () => undefined;

/** The current frame while `active`; 0 and no timer otherwise. */
export function useTick(ticker: Ticker, active: boolean): number {
  return useSyncExternalStore(active ? ticker.subscribe : idle, active ? ticker.frame : () => 0);
}
