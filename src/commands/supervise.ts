import { readFileSync } from 'node:fs';
import type { CommandRunner } from '../os/command-runner.js';
import type { CommandContext } from './context.js';

/** `par __supervise <run-dir> [--rerun jobs [--continue] [--commands-from N]]`: a run's supervisor, started detached by par. */
export async function runSupervise(ctx: CommandContext, runDir: string, options: { rerun?: string; continue?: boolean; commandsFrom?: string; messageFile?: string }): Promise<number> {
  const commandsFrom = options.commandsFrom === undefined ? {} : { commandsFrom: Number(options.commandsFrom) };
  // `par send` to a finished job of a run that is over: its session continues with that message.
  const message = options.messageFile === undefined ? {} : { message: readFileSync(options.messageFile, 'utf8') };
  const resume = options.rerun === undefined ? undefined : { jobs: options.rerun.split(',').filter(Boolean), continueSessions: options.continue === true, ...commandsFrom, ...message };
  const [{ supervise }, { createProcessSpawner }] = await Promise.all([import('../engine/supervisor.js'), import('../os/process-group.js')]);
  // execa is loaded only when setup commands run in new worktrees.
  const runner: CommandRunner = { run: async (...args) => (await import('../os/command-runner.js')).createCommandRunner().run(...args) };
  await supervise(runDir, { git: await ctx.git(), spawner: createProcessSpawner(), runner, log: ctx.log, launcher: ctx.launcher }, resume);
  return 0;
}
