import { closeSync, fstatSync, openSync, readSync, watch, type FSWatcher } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';

/** Where a tail of `bytes` starts: that far before the end of `file`, at the next line start. */
function tailOffset(file: string, bytes: number): number {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return 0;
  }
  try {
    const size = fstatSync(fd).size;
    if (size <= bytes) return 0;
    const buffer = Buffer.alloc(64 * 1024);
    for (let at = size - bytes; at < size; at += buffer.length) {
      const read = readSync(fd, buffer, 0, buffer.length, at);
      const newline = buffer.subarray(0, read).indexOf(10);
      if (newline >= 0) return at + newline + 1;
      if (read <= 0) break;
    }
    return size;
  } finally {
    closeSync(fd);
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

  /** `from`: a byte offset at a line start; `tail`: start this many bytes before the end, at the next line start. */
  constructor(file: string, onLine: (line: string) => void, options: { from?: number; tail?: number } = {}) {
    this.#file = file;
    this.#onLine = onLine;
    this.#offset = options.tail === undefined ? (options.from ?? 0) : tailOffset(file, options.tail);
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

