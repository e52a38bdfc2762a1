const UNIT_MS = { h: 3_600_000, m: 60_000, s: 1000 } as const;
const DURATION = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/;

/**
 * Parses a duration such as `90s`, `30m`, `2h` or `1h30m` into milliseconds.
 * Returns undefined for anything else, including zero.
 */
export function parseDuration(text: string): number | undefined {
  const match = DURATION.exec(text.trim());
  if (!match || text.trim() === '') return undefined;
  const [, hours, minutes, seconds] = match;
  const ms =
    Number(hours ?? 0) * UNIT_MS.h + Number(minutes ?? 0) * UNIT_MS.m + Number(seconds ?? 0) * UNIT_MS.s;
  return ms > 0 ? ms : undefined;
}

/** Formats milliseconds the way durations are written in config: `1h30m`, `45s`. */
export function formatDuration(ms: number): string {
  let rest = Math.round(ms / 1000);
  const hours = Math.floor(rest / 3600);
  rest -= hours * 3600;
  const minutes = Math.floor(rest / 60);
  const seconds = rest - minutes * 60;
  const text = `${hours ? `${hours}h` : ''}${minutes ? `${minutes}m` : ''}${seconds ? `${seconds}s` : ''}`;
  return text === '' ? '0s' : text;
}

/**
 * A span of time as reports and tables print it: tenths of a second under
 * a minute (`12.3s`), else minutes and seconds (`2m05s`), rounded before it
 * is split so it never reads `1m60s`. `words` spells the units (`12.3 s`,
 * `2 min 5 s`).
 */
export function formatSpan(ms: number, words = false): string {
  const tenths = Math.round(ms / 100);
  if (tenths < 600) return `${(tenths / 10).toFixed(1)}${words ? ' s' : 's'}`;
  const total = Math.round(ms / 1000);
  const minutes = Math.floor(total / 60);
  const seconds = total % 60;
  return words ? `${minutes} min ${seconds} s` : `${minutes}m${String(seconds).padStart(2, '0')}s`;
}
