import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

interface Entry<T> {
  size: number;
  mtimeMs: number;
  value: T;
}

/**
 * What was parsed out of files, remembered by path, size and modification
 * time, so a start that finds them unchanged needs no YAML parser (loading
 * it costs a fifth of the TUI's first frame). A changed, missing or broken
 * cache is only a miss.
 */
export class ParseCache<T> {
  readonly #file: string;
  #entries: Record<string, Entry<T>>;
  #dirty = false;

  constructor(file: string) {
    this.#file = file;
    try {
      const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
      this.#entries = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, Entry<T>>) : {};
    } catch {
      this.#entries = {};
    }
  }

  /** The value parsed from `path` when the file is as it was then. */
  get(path: string): T | undefined {
    const entry = this.#entries[path];
    if (!entry) return undefined;
    try {
      const stat = statSync(path);
      return stat.size === entry.size && stat.mtimeMs === entry.mtimeMs ? entry.value : undefined;
    } catch {
      return undefined;
    }
  }

  /** Remembers what `path` parsed to, as the file is now. */
  set(path: string, value: T): void {
    try {
      const stat = statSync(path);
      this.#entries[path] = { size: stat.size, mtimeMs: stat.mtimeMs, value };
      this.#dirty = true;
    } catch {
      // The file went away meanwhile: nothing to remember.
    }
  }

  /** Forgets paths not in `keep`. */
  retain(keep: ReadonlySet<string>): void {
    for (const path of Object.keys(this.#entries)) {
      if (!keep.has(path)) {
        delete this.#entries[path];
        this.#dirty = true;
      }
    }
  }

  /** Writes the cache (atomically) when it changed; a cache that cannot be written is no error. */
  save(): void {
    if (!this.#dirty) return;
    try {
      mkdirSync(dirname(this.#file), { recursive: true });
      const temporary = `${this.#file}.${process.pid}.tmp`;
      writeFileSync(temporary, JSON.stringify(this.#entries));
      renameSync(temporary, this.#file);
      this.#dirty = false;
    } catch {
      // Only a slower next start.
    }
  }
}
