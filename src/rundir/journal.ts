import { appendFileSync, closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import type { NewRunEvent, RunEvent } from '../core/events.js';
import { journalLine } from '../core/transcript.js';

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
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  const events: RunEvent[] = [];
  // Only whole lines: what follows the last newline is still being written.
  const lines = text.slice(0, text.lastIndexOf('\n') + 1).split('\n');
  for (const line of lines) {
    const event = line.trim() === '' ? undefined : parseEventLine(line);
    if (event) events.push(event);
  }
  return events;
}

/** What was decided on each request of a job (by request id), as the transcript shows it under the request. */
export function decisionLines(file: string, jobId: string): Map<string, string> {
  const decisions = new Map<string, string>();
  for (const event of readEvents(file)) {
    if ((event.type !== 'job/permission' && event.type !== 'job/answered') || event.job !== jobId) continue;
    const line = journalLine(event);
    if (line) decisions.set(event.request_id, line);
  }
  return decisions;
}

/**
 * Appends one event from outside the supervisor (a landing by `par land`):
 * one write of one line, numbered after the last event there, timed now.
 * The reducer does not depend on the numbers, and a line appended is never torn.
 */
export function appendEvent(file: string, event: NewRunEvent, now = new Date()): RunEvent {
  const full = { seq: (readEvents(file).at(-1)?.seq ?? 0) + 1, at: now.toISOString(), ...event } as RunEvent;
  appendFileSync(file, `${JSON.stringify(full)}\n`);
  return full;
}
