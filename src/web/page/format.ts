// What the page shows of runs and jobs, as the TUI shows it: the same
// glyphs, colours, cells and sentences, from core/.
import { STATE_STYLE } from '../../core/grid-layout.js';
import type { JobState } from '../../core/events.js';

/** The TUI's colour names as CSS colours (a dark palette that reads on light backgrounds too). */
const COLOURS: Record<string, string> = {
  gray: 'var(--gray)',
  blue: 'var(--blue)',
  yellow: 'var(--yellow)',
  cyan: 'var(--cyan)',
  magentaBright: 'var(--pink)',
  green: 'var(--green)',
  red: 'var(--red)',
  magenta: 'var(--magenta)',
};

export function stateColour(state: JobState | 'running' | 'succeeded' | 'failed' | 'interrupted' | 'cancelled'): string {
  const style = STATE_STYLE[state as JobState];
  return COLOURS[style?.color ?? 'gray'] ?? 'var(--gray)';
}

export function stateGlyph(state: JobState): string {
  return STATE_STYLE[state]?.glyph ?? '·';
}

/** `$1.2345`, or '' when unknown. */
export function money(cost: number | null | undefined): string {
  return cost === null || cost === undefined ? '' : `$${cost.toFixed(cost >= 10 ? 2 : 4)}`;
}

/** `2026-12-02 08:15` from an ISO time. */
export function when(iso: string | null): string {
  return iso ? iso.replace('T', ' ').slice(0, 16) : '';
}

/** The last part of a path, for narrow places (the full path goes in a title). */
export function shortPath(path: string | null): string {
  if (!path) return '';
  return path.split('/').filter(Boolean).slice(-2).join('/');
}
