import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

/** Log levels, most severe first (DESIGN §2 `--log-level`). */
export const LOG_LEVELS = ['error', 'warn', 'info', 'debug', 'trace'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Writes diagnostic lines; never to stdout, never throws. */
export interface Logger {
  readonly level: LogLevel;
  /** The file lines go to. */
  readonly file: string;
  error(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  debug(message: string, fields?: Record<string, unknown>): void;
  trace(message: string, fields?: Record<string, unknown>): void;
}

export function isLogLevel(value: string): value is LogLevel {
  return (LOG_LEVELS as readonly string[]).includes(value);
}

/**
 * A logger appending one line per entry to `<dir>/par-YYYY-MM-DD.log` (UTC
 * day). The directory is made on the first line written, so commands that
 * log nothing touch nothing; a failing write is dropped, since logging must
 * never break a command.
 */
export function createFileLogger(options: { dir: string; level: LogLevel; now?: () => Date }): Logger {
  const now = options.now ?? (() => new Date());
  const threshold = LOG_LEVELS.indexOf(options.level);
  const file = join(options.dir, `par-${now().toISOString().slice(0, 10)}.log`);
  let ready = false;
  const write = (level: LogLevel, message: string, fields?: Record<string, unknown>): void => {
    if (LOG_LEVELS.indexOf(level) > threshold) return;
    const extra = fields && Object.keys(fields).length > 0 ? ` ${safeJson(fields)}` : '';
    const line = `${now().toISOString()} ${level.toUpperCase().padEnd(5)} [${process.pid}] ${message}${extra}\n`;
    try {
      if (!ready) mkdirSync(options.dir, { recursive: true });
      ready = true;
      appendFileSync(file, line);
    } catch {
      // A full disk or unwritable state dir must not fail the command.
    }
  };
  return {
    level: options.level,
    file,
    error: (message, fields) => write('error', message, fields),
    warn: (message, fields) => write('warn', message, fields),
    info: (message, fields) => write('info', message, fields),
    debug: (message, fields) => write('debug', message, fields),
    trace: (message, fields) => write('trace', message, fields),
  };
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value, (_key, item: unknown) => (item instanceof Error ? { message: item.message, stack: item.stack } : item));
  } catch {
    return '[unserializable]';
  }
}
