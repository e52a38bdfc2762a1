import { closeSync, openSync, writeSync } from 'node:fs';
import { LineFollower } from './follow.js';
import type { NewRunEvent, RunEvent } from '../core/events.js';

/**
 * Appends events to a run's `events.ndjson`, numbering and timing them. Each
 * event is one write of one line straight to the file, so a reader never
 * waits on a buffer and a crash can tear at most the last line.
 */
export class JournalWriter {
  readonly #fd: number;
  #seq: number;
  readonly #now: () => Date;

  constructor(file: string, options: { now?: () => Date; lastSeq?: number } = {}) {
    this.#fd = openSync(file, 'a');
    this.#seq = options.lastSeq ?? 0;
    this.#now = options.now ?? (() => new Date());
  }

  append(event: NewRunEvent): RunEvent {
    const full = { seq: ++this.#seq, at: this.#now().toISOString(), ...event } as RunEvent;
    writeSync(this.#fd, `${JSON.stringify(full)}\n`);
    return full;
  }

  close(): void {
    closeSync(this.#fd);
  }
}

/** Parses journal lines, skipping a torn one. */
export function parseEventLine(line: string): RunEvent | undefined {
  try {
    const event = JSON.parse(line) as RunEvent;
    return typeof event === 'object' && event !== null && typeof event.type === 'string' ? event : undefined;
  } catch {
    return undefined;
  }
}

/** Every event of a journal file, a torn last line ignored. */
export function readEvents(file: string): RunEvent[] {
  const events: RunEvent[] = [];
  const follower = new LineFollower(file, (line) => {
    const event = parseEventLine(line);
    if (event) events.push(event);
  });
  follower.poll();
  return events;
}
