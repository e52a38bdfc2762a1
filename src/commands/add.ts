import { readFileSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { UserError } from '../core/errors.js';
import { joinFrontMatter, splitFrontMatter } from '../prompts/front-matter.js';
import { PromptLibrary } from '../prompts/library.js';
import { assertPromptName, MAX_PROMPT_BYTES, metaToData, readMeta } from '../prompts/prompt.js';
import { compileTemplate } from '../prompts/render.js';
import { readStdin, type CommandContext } from './context.js';

/** Options of `par add`. */
export interface AddOptions {
  name?: string;
  file?: string;
  template?: boolean;
  description?: string;
  force?: boolean;
}


const EDITOR_SKELETON = `---
description: ""
template: false
---
Write the prompt here. With template: true, {{.ProjectName}}, {{.BranchName}}
and the other variables of 'par show --help' are filled in for each job.
`;

async function readSource(ctx: CommandContext, file: string | undefined): Promise<{ bytes: Buffer; label: string }> {
  if (file !== undefined && file !== '-') {
    try {
      return { bytes: readFileSync(file), label: file };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') throw new UserError(`The prompt file ${file} does not exist; pass the path of a Markdown file to --file.`);
      if (code === 'EISDIR') throw new UserError(`${file} is a directory; pass the path of a Markdown file to --file.`);
      throw new UserError(`The prompt file ${file} cannot be read (${code ?? (error as Error).message}); check its permissions.`);
    }
  }
  if (file === undefined && ctx.stdin.isTTY && ctx.stdout.isTTY) {
    const { editText } = await import('../prompts/editor.js');
    const text = editText(EDITOR_SKELETON, ctx.env);
    if (text === EDITOR_SKELETON) throw new UserError('The prompt was left as the editor opened it; nothing was added.');
    return { bytes: Buffer.from(text), label: 'the edited prompt' };
  }
  return { bytes: await readStdin(ctx.stdin), label: 'stdin' };
}

function decodeUtf8(bytes: Buffer, label: string): string {
  if (bytes.length > MAX_PROMPT_BYTES) {
    throw new UserError(`The prompt in ${label} is ${(bytes.length / 1048576).toFixed(1)} MB; prompts may be at most 10 MB.`);
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new UserError(`The prompt in ${label} is not UTF-8 text; save it as UTF-8 and try again.`);
  }
}

function nameFrom(options: AddOptions, frontMatterName: unknown): string {
  if (options.name !== undefined) return options.name;
  if (typeof frontMatterName === 'string') return frontMatterName;
  if (options.file !== undefined && options.file !== '-') return basename(options.file, extname(options.file));
  throw new UserError('The prompt needs a name: pass --name NAME.');
}

/** `par add`: stores a prompt in the library, checking its template first. */
export async function runAdd(ctx: CommandContext, options: AddOptions): Promise<number> {
  if (options.name !== undefined) assertPromptName(options.name);
  const { bytes, label } = await readSource(ctx, options.file);
  const { name, path, replaced } = await storePrompt(ctx, decodeUtf8(bytes, label), label, options);
  ctx.stdout.write(`${replaced ? 'Replaced' : 'Added'} prompt ${name} (${path})\n`);
  return 0;
}

/** The editor's starting text when the TUI adds a prompt: the name is asked in the front matter. */
export const TUI_SKELETON = EDITOR_SKELETON.replace('---\n', '---\nname: ""\n');

const NEW_PROMPT = 'the new prompt';

/** Opens `$EDITOR` on a new prompt and stores it; null when it was left as it opened. */
export async function addPromptInEditor(ctx: CommandContext): Promise<string | null> {
  const { editText } = await import('../prompts/editor.js');
  const text = editText(TUI_SKELETON, ctx.env);
  if (text === TUI_SKELETON) return null;
  return (await storePrompt(ctx, decodeUtf8(Buffer.from(text), NEW_PROMPT), NEW_PROMPT, {})).name;
}

/** Checks a prompt's text (front matter, name, template) and writes it to the library. */
async function storePrompt(ctx: CommandContext, text: string, label: string, options: AddOptions): Promise<{ name: string; path: string; replaced: boolean }> {
  let split;
  try {
    split = splitFrontMatter(text);
  } catch (error) {
    throw new UserError(`The prompt in ${label} is broken: ${(error as Error).message}.`);
  }
  const frontName = split.data.name === '' ? undefined : split.data.name;
  if (options.name === undefined && typeof frontName !== 'string' && label === NEW_PROMPT) throw new UserError('The new prompt needs a name: fill in name: in its front matter.');
  const name = nameFrom(options, frontName);
  assertPromptName(name);
  let meta;
  try {
    meta = readMeta(split.data, name);
  } catch (error) {
    throw new UserError(`The prompt in ${label} is broken: ${(error as Error).message}.`);
  }
  meta.name = name;
  if (options.description !== undefined) meta.description = options.description;
  if (options.template) meta.template = true;
  if (split.body.trim() === '') throw new UserError(`The prompt in ${label} is empty; write its text below the front matter.`);
  if (meta.template) compileTemplate({ body: split.body, bodyLine: split.bodyLine, label });

  const library = new PromptLibrary((await ctx.config()).promptsDir);
  const replaced = library.has(name);
  const path = library.write(name, joinFrontMatter(metaToData(meta), split.body), { force: options.force ?? false });
  ctx.log.info('prompt added', { name, path, replaced });
  return { name, path, replaced };
}
