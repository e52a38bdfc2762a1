import { readFileSync } from 'node:fs';
import { supervise } from '../engine/supervisor.js';
import type { CommandRunner } from '../os/command-runner.js';
import { lowerPriority } from '../os/priority.js';
import { createProcessSpawner } from '../spawn/threads.js';
import type { CommandContext } from './context.js';

/** What `par __supervise` is given. */
export interface SuperviseArgs {
  runDir: string;
  options: { rerun?: string; continue?: boolean; commandsFrom?: string; messageFile?: string; whenTold?: boolean };
}

/**
 * Reads `__supervise <run-dir> [--rerun jobs] [--continue] [--commands-from N]
 * [--message-file F] [--when-told]`, which only par itself writes: a run's
 * supervisor starts without loading the argument parser or any command's
 * code but its own. Undefined for anything else.
 */
export function superviseArgs(args: readonly string[]): SuperviseArgs | undefined {
  const [runDir, ...rest] = args;
  if (runDir === undefined || runDir.startsWith('-')) return undefined;
  const options: SuperviseArgs['options'] = {};
  const valued = { '--rerun': 'rerun', '--commands-from': 'commandsFrom', '--message-file': 'messageFile' } as const;
  for (let index = 0; index < rest.length; index++) {
    const arg = rest[index] ?? '';
    if (arg === '--continue') options.continue = true;
    else if (arg === '--when-told') options.whenTold = true;
    else if (arg in valued && rest[index + 1] !== undefined) options[valued[arg as keyof typeof valued]] = rest[++index];
    else return undefined;
  }
  return { runDir, options };
}

/** Resolves true when a line `begin` arrives on `stdin`, false when it ends (or breaks) first. */
function toldToBegin(stdin: NodeJS.ReadableStream): Promise<boolean> {
  return new Promise((resolve) => {
    let text = '';
    const done = (begin: boolean): void => {
      stdin.removeAllListeners('data');
      (stdin as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
      resolve(begin);
    };
    stdin.setEncoding('utf8');
    stdin.on('data', (chunk: string) => {
      text += chunk;
      if (text.includes('\n')) done(text.split('\n')[0] === 'begin');
    });
    stdin.once('end', () => done(false));
    stdin.once('error', () => done(false));
  });
}

/**
 * `par __supervise <run-dir> [--rerun jobs [--continue] [--commands-from N]]`: a run's supervisor, started
 * detached by par. With `--when-told` it begins when its stdin says so: started as `par run` begins, it
 * has loaded its code by then.
 */
export async function runSupervise(ctx: CommandContext, runDir: string, options: SuperviseArgs['options']): Promise<number> {
  if (options.whenTold === true && !(await toldToBegin(ctx.stdin))) return 0;
  const commandsFrom = options.commandsFrom === undefined ? {} : { commandsFrom: Number(options.commandsFrom) };
  // `par send` to a finished job of a run that is over: its session continues with that message.
  const message = options.messageFile === undefined ? {} : { message: readFileSync(options.messageFile, 'utf8') };
  const resume = options.rerun === undefined ? undefined : { jobs: options.rerun.split(',').filter(Boolean), continueSessions: options.continue === true, ...commandsFrom, ...message };
  const processes = createProcessSpawner();
  // execa is loaded only when setup commands run in new worktrees.
  const runner: CommandRunner = { run: async (...args) => (await import('../os/command-runner.js')).createCommandRunner().run(...args) };
  // The supervisor leads a session of its own (started detached): lowering it lowers nothing of the person's.
  const lowerOwnPriority = (nice: number): void => void lowerPriority(process.pid, nice);
  await supervise(runDir, { git: processes.git, spawner: processes, runner, log: ctx.log, launcher: ctx.launcher, lowerPriority: lowerOwnPriority }, resume);
  return 0;
}
