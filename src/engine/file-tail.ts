import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

/** Read in large pieces, so a chatty agent costs few reads; at most this much per tick, so the loop stays responsive. */
const READ_CHUNK = 1 << 20;
const READ_PER_TICK = 16 << 20;

/**
 * Reads what an agent appends to its log file, from where this attempt
 * began. The agent writes to the file itself (no pipe through par), so its
 * output is byte for byte by construction and never waits on par.
 */
export class FileTail {
  readonly #fd: number;
  #offset: number;

  constructor(path: string, from: number) {
    this.#fd = openSync(path, 'r');
    this.#offset = from;
  }

  /** Hands new bytes to `onData`; returns whether there were any. */
  read(onData: (chunk: Buffer) => void, limit = READ_PER_TICK): boolean {
    let total = 0;
    const size = fstatSync(this.#fd).size;
    while (this.#offset < size && total < limit) {
      const buffer = Buffer.allocUnsafe(Math.min(READ_CHUNK, size - this.#offset));
      const read = readSync(this.#fd, buffer, 0, buffer.length, this.#offset);
      if (read <= 0) break;
      this.#offset += read;
      total += read;
      onData(read === buffer.length ? buffer : buffer.subarray(0, read));
    }
    return total > 0;
  }

  /** Whether the file grew since last asked, without reading it. */
  grew(): boolean {
    const size = fstatSync(this.#fd).size;
    const grew = size > this.#offset;
    this.#offset = size;
    return grew;
  }

  /** The last `bytes` bytes written since this attempt began. */
  tail(bytes: number, from: number): Buffer {
    const size = fstatSync(this.#fd).size;
    const start = Math.max(from, size - bytes);
    const buffer = Buffer.alloc(size - start);
    readSync(this.#fd, buffer, 0, buffer.length, start);
    return buffer;
  }

  close(): void {
    closeSync(this.#fd);
  }
}
