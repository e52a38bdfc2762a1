/** A line longer than this is not handed to the parser (the job's log keeps it whole). */
export const MAX_LINE_BYTES = 16 * 1024 * 1024;

/**
 * Splits a byte stream into lines with bounded memory: a line inside one
 * chunk is handed over as a view of it (no copy); only a line split across
 * chunks is carried, and an over-long one is skipped, not buffered.
 */
export class LineSplitter {
  #parts: Buffer[] = [];
  #length = 0;
  #skipping = false;
  readonly #onLine: (line: Buffer) => void;
  readonly #skipRegion: ((region: Buffer) => boolean) | undefined;
  readonly #maxLine: number;

  /** `maxLine`: longer lines are skipped; `skipRegion`, when given, may pass over a run of whole lines at once (see OutputParser.skipRegion). */
  constructor(onLine: (line: Buffer) => void, skipRegion?: (region: Buffer) => boolean, maxLine = MAX_LINE_BYTES) {
    this.#onLine = onLine;
    this.#skipRegion = skipRegion;
    this.#maxLine = maxLine;
  }

  push(chunk: Buffer): void {
    let start = 0;
    if (this.#length > 0 || this.#skipping) {
      // First the end of the line carried from the last chunk.
      const newline = chunk.indexOf(10);
      if (newline === -1) {
        this.#add(chunk);
        return;
      }
      this.#add(chunk.subarray(0, newline));
      if (!this.#skipping) this.#onLine(Buffer.concat(this.#parts, this.#length));
      this.#parts = [];
      this.#length = 0;
      this.#skipping = false;
      start = newline + 1;
    }
    const last = chunk.lastIndexOf(10);
    if (this.#skipRegion && last > start && this.#skipRegion(chunk.subarray(start, last))) start = last + 1;
    for (let newline = chunk.indexOf(10, start); newline !== -1; newline = chunk.indexOf(10, start)) {
      if (this.#length === 0 && !this.#skipping) this.#onLine(chunk.subarray(start, newline));
      else {
        this.#add(chunk.subarray(start, newline));
        if (!this.#skipping) this.#onLine(Buffer.concat(this.#parts, this.#length));
      }
      this.#parts = [];
      this.#length = 0;
      this.#skipping = false;
      start = newline + 1;
    }
    if (start < chunk.length) this.#add(chunk.subarray(start));
  }

  end(): void {
    if (this.#length > 0 && !this.#skipping) this.#onLine(Buffer.concat(this.#parts, this.#length));
    this.#parts = [];
    this.#length = 0;
  }

  #add(part: Buffer): void {
    if (this.#skipping || part.length === 0) return;
    if (this.#length + part.length > this.#maxLine) {
      this.#skipping = true;
      this.#parts = [];
      this.#length = 0;
      return;
    }
    // Copy: the chunk's memory may be reused by the stream.
    this.#parts.push(Buffer.from(part));
    this.#length += part.length;
  }
}
