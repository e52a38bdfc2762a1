import { bashCompletion, fishCompletion, zshCompletion, type CompletionCommand } from '../core/completion.js';
import type { CommandContext } from './context.js';
import type { AnyCommand } from './spec.js';

/** What completion knows of the commands: drawn from the command table, so it never drifts from them. */
export function completionCommands(commands: readonly AnyCommand[]): CompletionCommand[] {
  return commands
    .filter((spec) => !spec.hidden)
    .map((spec) => {
      const first = Object.values(spec.args)[0];
      return {
        name: spec.name,
        options: Object.values(spec.options).map((option) => {
          const long = /--[\w-]+/.exec(option.flags)?.[0] ?? '';
          const short = /(?:^|[\s,])(-\w)\b/.exec(option.flags)?.[1] ?? null;
          return { long, short, takesValue: option.kind === 'value' || option.kind === 'list', description: option.description };
        }),
        promptArgument: first?.completes === 'prompt',
        runArgument: first?.completes === 'run',
      };
    });
}

/** `par completion bash|zsh|fish`. */
export function runCompletion(ctx: CommandContext, commands: readonly AnyCommand[], shell: string): number {
  const print = { bash: bashCompletion, zsh: zshCompletion, fish: fishCompletion }[shell as 'bash' | 'zsh' | 'fish'];
  ctx.stdout.write(print(completionCommands(commands)));
  return 0;
}

/** `par __complete prompts|runs`: the names a shell offers, one per line. */
export async function runCompleteNames(ctx: CommandContext, what: string): Promise<number> {
  if (what === 'runs') {
    const { runIds } = await import('../rundir/runs.js');
    for (const id of runIds(ctx.paths.dataDir).reverse()) ctx.stdout.write(`${id}\n`);
    return 0;
  }
  if (what !== 'prompts') return 2;
  const { promptSummaries } = await import('../prompts/summaries.js');
  const { promptsDir } = await ctx.config();
  for (const prompt of await promptSummaries(promptsDir, `${ctx.paths.stateDir}/cache/prompts.json`)) ctx.stdout.write(`${prompt.name}\n`);
  return 0;
}
