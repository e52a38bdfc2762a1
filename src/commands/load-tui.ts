import type * as Tui from './tui.js';

/** Loaded once: the bin starts it as par starts, the TUI command takes what it started. */
let loading: Promise<typeof Tui> | undefined;

/**
 * The TUI's code (Ink, React, Yoga and par's screens), loaded. Yoga's loader
 * asks `typeof fetch`, and Node answers by loading its whole HTTP client
 * (undici: ~60 ms, most of what par's first frame pays over a bare Ink
 * screen) for a question whose answer Yoga does not use on Node: the global
 * is out of sight while the code loads, and put back as it was.
 */
export function loadTui(): Promise<typeof Tui> {
  loading ??= (async () => {
    const fetch = Object.getOwnPropertyDescriptor(globalThis, 'fetch');
    if (fetch?.configurable) Object.defineProperty(globalThis, 'fetch', { value: undefined, configurable: true, writable: true });
    try {
      return await import('./tui.js');
    } finally {
      if (fetch?.configurable) Object.defineProperty(globalThis, 'fetch', fetch);
    }
  })();
  return loading;
}
