import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../core/errors.js';
import { withFileLock } from '../os/file-lock.js';

/** A worktree par created (DESIGN §5.3): only these are ever cleaned up. */
export interface WorktreeRecord {
  path: string;
  /** The repository's main worktree. */
  repo: string;
  branch: string;
  /** The base as given or resolved (`main`, `origin/main`, a tag). */
  base: string;
  base_commit: string;
  run: string;
  job: string;
  created_at: string;
}

/**
 * `<data>/worktrees.json`: every worktree par created. Changes are made
 * under a cross-process lock and written atomically, so two `par`s
 * creating worktrees at once both get recorded.
 */
export class WorktreeRegistry {
  readonly file: string;
  readonly #lock: string;

  constructor(dataDir: string) {
    this.file = join(dataDir, 'worktrees.json');
    this.#lock = `${this.file}.lock`;
  }

  /** Every record; an unreadable file is an error, never silently emptied. */
  read(): WorktreeRecord[] {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw this.#broken(`it is not valid JSON (${(error as Error).message})`);
    }
    if (!Array.isArray(parsed) || !parsed.every((entry) => typeof entry === 'object' && entry !== null && typeof (entry as WorktreeRecord).path === 'string')) {
      throw this.#broken('it does not hold a list of worktrees');
    }
    return parsed as WorktreeRecord[];
  }

  /** par's record of the worktrees it made is the only thing that lets cleanup tell them apart: never guessed, never emptied. */
  #broken(why: string): UserError {
    return new UserError(
      `The worktree record ${this.file} cannot be read: ${why}; mend it by hand (a JSON list of {"path", "repo", "branch", …} entries), or restore it from a backup — par will not make or clean worktrees until it reads.`,
    );
  }

  add(record: WorktreeRecord): Promise<void> {
    return this.#update((records) => [...records.filter((existing) => existing.path !== record.path), record]);
  }

  remove(path: string): Promise<void> {
    return this.#update((records) => records.filter((record) => record.path !== path));
  }

  #update(change: (records: WorktreeRecord[]) => WorktreeRecord[]): Promise<void> {
    mkdirSync(join(this.file, '..'), { recursive: true });
    return withFileLock(this.#lock, async () => {
      const next = change(this.read());
      const temporary = `${this.file}.${process.pid}.tmp`;
      writeFileSync(temporary, `${JSON.stringify(next, null, 2)}\n`);
      renameSync(temporary, this.file);
    });
  }
}
