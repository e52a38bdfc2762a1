// Prompts from the library and from prompt files (`--prompt-file`): their
// front matter needs the YAML parser, so this loads only for a run that
// takes its prompt from one (`-m` needs neither).
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { UserError } from '../core/errors.js';
import { splitFrontMatter } from '../prompts/front-matter.js';
import { PromptLibrary } from '../prompts/library.js';
import { readMeta, type Prompt } from '../prompts/prompt.js';
import type { PromptFiles } from './run-prompts.js';

/** The library in `promptsDir`, and prompt files read as the library reads its own. */
export function promptFiles(promptsDir: string): PromptFiles {
  const library = new PromptLibrary(promptsDir);
  return {
    fromLibrary: (name) => library.get(name),
    fromFile(path): Prompt {
      let text: string;
      try {
        text = readFileSync(path, 'utf8');
      } catch {
        throw new UserError(`The prompt file ${path} cannot be read; pass the path of an existing file to --prompt-file.`);
      }
      let split;
      try {
        split = splitFrontMatter(text);
      } catch (error) {
        throw new UserError(`The prompt file ${path} is broken: ${(error as Error).message}.`);
      }
      const name = basename(path).replace(/\.[^.]*$/, '');
      return { meta: readMeta(split.data, name), body: split.body, bodyLine: split.bodyLine, path, text };
    },
  };
}
