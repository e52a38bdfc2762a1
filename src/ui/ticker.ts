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
  readonly #onBeat: () => void;

  /** `onBeat` runs first on each tick, and once more when the ticker stops: the store's lazy changes join the tick's frame. */
  constructor(onBeat: () => void = () => undefined) {
    this.#onBeat = onBeat;
  }

  readonly subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    this.#timer ??= setInterval(() => {
      this.#onBeat();
      this.#frame++;
      for (const each of this.#listeners) each();
    }, TICK_MS);
    return () => {
      this.#listeners.delete(listener);
      if (this.#listeners.size === 0 && this.#timer) {
        clearInterval(this.#timer);
        this.#timer = undefined;
        // After React's cleanup, not inside it.
        setTimeout(this.#onBeat, 0);
      }
    };
  };

  /** Whether it is ticking (something on screen moves). */
  running(): boolean {
    return this.#timer !== undefined;
  }

  readonly frame = (): number => this.#frame;
}

const idle = (): (() => void) => () => undefined;

/** The current frame while `active`; 0 and no timer otherwise. */
export function useTick(ticker: Ticker, active: boolean): number {
  return useSyncExternalStore(active ? ticker.subscribe : idle, active ? ticker.frame : () => 0);
}
