import { createContext, useContext } from 'react';
import type { Controller } from './controller.js';
import type { TuiPorts } from './ports.js';
import type { UiStore } from './store.js';
import type { Ticker } from './ticker.js';

/** What every component of the TUI may reach: the store, the controller behind the keys, the shared timer. */
export interface Tui {
  store: UiStore;
  controller: Controller;
  ticker: Ticker;
  ports: TuiPorts;
  /** The home directory, shown as ~. */
  home: string;
}

export const TuiContext = createContext<Tui | null>(null);

/** The TUI's context; components are only ever rendered inside it. */
export function useTui(): Tui {
  const tui = useContext(TuiContext);
  if (!tui) throw new Error('A TUI component was rendered outside <TuiContext>.');
  return tui;
}
