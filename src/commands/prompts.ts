import { UserError } from '../core/errors.js';
import { formatTable } from '../core/table.js';
import { parseVarAssignments } from '../core/variables.js';
import { PromptLibrary, type PromptSummary } from '../prompts/library.js';
import { renderPrompt } from '../prompts/render.js';
import { terminalWidth, type CommandContext } from './context.js';

async function library(ctx: CommandContext): Promise<PromptLibrary> {
  return new PromptLibrary((await ctx.config()).promptsDir);
}

/** The library's prompts; broken files are warned about on stderr. */
export async function listPrompts(ctx: CommandContext): Promise<PromptSummary[]> {
  const { prompts, problems } = (await library(ctx)).list();
  for (const problem of problems) ctx.stderr.write(`par: warning: ${problem}\n`);
  return prompts;
}

/** `par list prompts [--json]`. */
export async function runListPrompts(
  ctx: CommandContext,
  options: { json?: boolean },
  listed?: PromptSummary[],
): Promise<number> {
  const prompts = listed ?? (await listPrompts(ctx));
  if (options.json) {
    ctx.stdout.write(`${JSON.stringify(prompts, null, 2)}\n`);
    return 0;
  }
  if (prompts.length === 0) {
    ctx.stdout.write("No prompts yet. Add one: par add --name NAME --file PROMPT.md\n");
    return 0;
  }
  const table = formatTable(
    prompts,
    [
      { header: 'NAME', value: (prompt) => prompt.name },
      { header: 'TEMPLATE', value: (prompt) => (prompt.template ? 'yes' : 'no') },
      { header: 'DESCRIPTION', value: (prompt) => prompt.description, flexible: true },
    ],
    terminalWidth(ctx.stdout),
  );
  ctx.stdout.write(table);
  return 0;
}

/** Options of `par show`. */
export interface ShowOptions {
  render?: boolean;
  var?: string[];
}

/** `par show <prompt> [--render] [--var k=v]…`. */
export async function runShow(ctx: CommandContext, name: string, options: ShowOptions): Promise<number> {
  const assignments = options.var ?? [];
  if (assignments.length > 0 && !options.render) {
    throw new UserError('--var only applies with --render; add --render to fill the template in.');
  }
  const parsed = parseVarAssignments(assignments);
  if ('bad' in parsed) throw new UserError(`--var takes NAME=VALUE with a name of letters, digits or _, not '${parsed.bad}'.`);
  const prompt = (await library(ctx)).get(name);
  if (!options.render) {
    ctx.stdout.write(prompt.text.endsWith('\n') || prompt.text === '' ? prompt.text : `${prompt.text}\n`);
    return 0;
  }
  const { repositoryInfo } = await import('../git/repository.js');
  const repo = prompt.meta.template ? await repositoryInfo(await ctx.git(), ctx.cwd) : undefined;
  const text = renderPrompt(prompt, {
    builtIns: {
      ProjectName: repo?.name,
      TaskName: prompt.meta.name,
      Description: prompt.meta.description,
      BranchName: repo?.branch,
      WorktreePath: repo?.worktree,
    },
    cli: parsed.vars,
  });
  ctx.stdout.write(text);
  return 0;
}

/** `par remove <prompt>`. */
export async function runRemove(ctx: CommandContext, name: string): Promise<number> {
  const path = (await library(ctx)).remove(name);
  ctx.log.info('prompt removed', { name, path });
  ctx.stdout.write(`Removed prompt ${name}\n`);
  return 0;
}
