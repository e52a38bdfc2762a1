import { closeSync, fstatSync, openSync, readSync, watch, writeSync, type FSWatcher } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
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

/**
 * Reads lines appended to a file as they come, from the start (or from
 * `from`, a line start): polls the
 * file's size (portable, unlike watching) and carries a partial last line
 * until its newline arrives.
 */
export class LineFollower {
  readonly #file: string;
  readonly #onLine: (line: string) => void;
  #offset = 0;
  #carry = '';
  // A character split between two reads is joined, not mangled.
  readonly #decoder = new StringDecoder('utf8');
  #timer: NodeJS.Timeout | undefined;
  #watcher: FSWatcher | undefined;
  #stopped = false;

  constructor(file: string, onLine: (line: string) => void, options: { from?: number } = {}) {
    this.#file = file;
    this.#onLine = onLine;
    this.#offset = options.from ?? 0;
  }

  /** Reads whatever is new now. */
  poll(): void {
    let fd: number;
    try {
      fd = openSync(this.#file, 'r');
    } catch {
      return;
    }
    try {
      const size = fstatSync(fd).size;
      if (size < this.#offset) this.#offset = 0;
      while (this.#offset < size) {
        const buffer = Buffer.alloc(Math.min(size - this.#offset, 1 << 20));
        const read = readSync(fd, buffer, 0, buffer.length, this.#offset);
        if (read <= 0) break;
        this.#offset += read;
        const text = this.#carry + this.#decoder.write(buffer.subarray(0, read));
        const lines = text.split('\n');
        this.#carry = lines.pop() ?? '';
        for (const line of lines) if (line.trim() !== '') this.#onLine(line);
      }
    } finally {
      closeSync(fd);
    }
  }

  /**
   * Polls every `intervalMs` until stopped, and at once when the file
   * changes where the system says so (inotify, FSEvents): polling alone
   * would add up to an interval of delay to every event.
   */
  start(intervalMs: number): void {
    this.#stopped = false;
    this.poll();
    // A line read by that first poll may have stopped the follower already (a job found ended): then it stays stopped.
    if (this.#stopped) return;
    this.#timer = setInterval(() => this.poll(), intervalMs);
    try {
      this.#watcher = watch(this.#file, { persistent: false }, () => this.poll());
      this.#watcher.on('error', () => undefined);
    } catch {
      // No file yet, or no watching here: polling covers it.
    }
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    this.#watcher?.close();
    this.#watcher = undefined;
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
