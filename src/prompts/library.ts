import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promptNames } from './prompt-names.js';
import { UserError } from '../core/errors.js';
import { didYouMean } from '../core/suggest.js';
import { splitFrontMatter } from './front-matter.js';
import { assertPromptName, readMeta, type Prompt } from './prompt.js';

/** A line of `par list prompts`. */
export interface PromptSummary {
  name: string;
  description: string;
  template: boolean;
}

/** The prompt library: one `<name>.md` file per prompt in a directory. */
export class PromptLibrary {
  readonly dir: string;

  constructor(dir: string) {
    this.dir = dir;
  }

  /** Prompt names in the library, sorted. */
  names(): string[] {
    return promptNames(this.dir);
  }

  /** Every prompt's summary; unreadable files are reported in `problems`, not thrown. */
  list(): { prompts: PromptSummary[]; problems: string[] } {
    const prompts: PromptSummary[] = [];
    const problems: string[] = [];
    for (const name of this.names()) {
      try {
        const { meta } = this.get(name);
        prompts.push({ name, description: meta.description, template: meta.template });
      } catch (error) {
        problems.push((error as Error).message);
      }
    }
    return { prompts, problems };
  }

  /** The path a prompt named `name` lives at. */
  pathOf(name: string): string {
    return join(this.dir, `${name}.md`);
  }

  has(name: string): boolean {
    try {
      return statSync(this.pathOf(name)).isFile();
    } catch {
      return false;
    }
  }

  /** Reads a prompt; an unknown name is a UserError suggesting the closest. */
  get(name: string): Prompt {
    assertPromptName(name);
    const path = this.pathOf(name);
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      const names = this.names();
      const hint = didYouMean(name, names) || (names.length === 0 ? " The library is empty: add one with 'par add'." : " 'par list prompts' shows them.");
      throw new UserError(`There is no prompt named '${name}'.${hint}`);
    }
    try {
      const { data, body, bodyLine } = splitFrontMatter(text);
      return { meta: { ...readMeta(data, name), name }, body, bodyLine, path, text };
    } catch (error) {
      throw new UserError(`The prompt file ${path} is broken: ${(error as Error).message}; fix it or remove it with 'par remove ${name}'.`);
    }
  }

  /**
   * Stores a prompt's full text (front matter and body) under `name`,
   * atomically: the old file stays whole until the new one replaces it.
   */
  write(name: string, text: string, options: { force: boolean }): string {
    assertPromptName(name);
    if (!options.force && this.has(name)) {
      throw new UserError(`A prompt named '${name}' already exists; pass --force to replace it.`);
    }
    mkdirSync(this.dir, { recursive: true });
    const path = this.pathOf(name);
    const temporary = join(this.dir, `.${name}.${process.pid}.tmp`);
    try {
      writeFileSync(temporary, text);
      renameSync(temporary, path);
    } finally {
      rmSync(temporary, { force: true });
    }
    return path;
  }

  /** Deletes a prompt; an unknown name is a UserError. */
  remove(name: string): string {
    const { path } = this.get(name);
    rmSync(path);
    return path;
  }
}
