/**
 * The composition root: parses argv, builds the real adapters and hands
 * them to the command that was asked for. Commands are imported lazily, so
 * `par --version` and `par --help` load neither Ink, React nor the config.
 */
import type * as Commander from 'commander';
import type { CommandContext, RunStart } from './commands/context.js';
import type { AnyCommand } from './commands/spec.js';
import { COMMANDS } from './commands/table.js';
import { resolvePaths } from './config/paths.js';
import { ExitCode } from './core/errors.js';
import { LOG_LEVELS, createFileLogger, type Logger } from './logging/logger.js';
import type { ParLauncher } from './os/launch-detached.js';
import { reportError, resolveLevel, rootContext } from './root-context.js';

declare const __PAR_VERSION__: string;
const VERSION = typeof __PAR_VERSION__ === 'string' ? __PAR_VERSION__ : '0.0.0-dev';

type Action = (ctx: CommandContext) => Promise<number> | number;

interface Session {
  exitCode: number;
  logger?: Logger;
  levelOption?: string;
}

/** Turns commander's two-line errors into one sentence with a pointer to help. */
function oneSentence(text: string, commandPath: string): string {
  const body = text
    .replace(/^error: /, '')
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .join(' ')
    .replace(/\(Did you mean (.+?)\?\)/, (_match, name: string) => `— did you mean '${name}'?`);
  return `${body.charAt(0).toUpperCase()}${body.slice(1)}${/[.?]$/.test(body) ? '' : '.'} See '${commandPath} --help'.`;
}

/** The program: global options and help, then one commander command per entry of the command table. */
function buildProgram(commander: typeof Commander, session: Session, run: (action: Action) => Promise<void>): Commander.Command {
  const program = new commander.Command('par');
  program
    .description('Run AI coding agents in parallel across git worktrees.')
    .version(VERSION, '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .addOption(new commander.Option('--log-level <level>', 'how much goes to the log file (env PAR_LOG_LEVEL)').choices([...LOG_LEVELS]))
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      // Commander builds the command path only for the failing command; "par" is enough to find help.
      outputError: (text, write) => write(`par: ${oneSentence(text, 'par')}\n`),
    })
    .addHelpText(
      'after',
      `
Exit codes: 0 every job succeeded, 1 a job failed, 2 bad usage, input or configuration, 130 interrupted.
Files: config $XDG_CONFIG_HOME/par/config.yaml, data $XDG_DATA_HOME/par, logs $XDG_STATE_HOME/par/logs.`,
    )
    .hook('preAction', (_root, actionCommand) => {
      session.levelOption = actionCommand.optsWithGlobals<{ logLevel?: string }>().logLevel;
    });
  for (const spec of COMMANDS) addCommand(commander, program, spec, run);
  return program;
}

/** One declared command as a commander command: its arguments, options, help and handler. */
function addCommand(commander: typeof Commander, parent: Commander.Command, spec: AnyCommand, run: (action: Action) => Promise<void>): void {
  const command = parent.command(spec.name, spec.hidden ? { hidden: true } : {}).description(spec.description);
  for (const argument of Object.values(spec.args)) {
    const declared = new commander.Argument(argument.token, argument.description);
    command.addArgument(argument.choices ? declared.choices([...argument.choices]) : declared);
  }
  for (const option of Object.values(spec.options)) {
    const declared = new commander.Option(option.flags, option.description);
    if (option.choices) declared.choices([...option.choices]);
    if (option.kind === 'list') declared.argParser((item: string, previous: string[] = []) => [...previous, item]);
    command.addOption(declared);
  }
  if (spec.help) command.addHelpText('after', `\n${spec.help}`);
  for (const sub of spec.subcommands ?? []) addCommand(commander, command, sub, run);
  const handler = spec.run;
  if (!handler) return;
  const names = Object.keys(spec.args);
  command.action(async (...given: unknown[]) => {
    const args = Object.fromEntries(names.map((name, index) => [name, given[index] as string | string[] | undefined]));
    const options = command.opts<Record<string, unknown>>();
    await run((ctx) => handler(ctx, args, options));
  });
}

/** Commander's own errors (bad usage, --help, --version) carry a `commander.*` code. */
function isCommanderError(error: unknown): error is Commander.CommanderError {
  const code: unknown = error instanceof Error ? (error as Error & { code?: unknown }).code : undefined;
  return typeof code === 'string' && code.startsWith('commander.');
}

function report(error: unknown, session: Session): number {
  if (isCommanderError(error)) {
    // Help and version exit 0; every other commander error is bad usage.
    return error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
  }
  return reportError(error, session.logger);
}

/**
 * Runs par with `argv`; resolves to the exit code. `launcher`: how to start
 * par again; `runStart`: for `par run`, its run's supervisor, started by the
 * bin before this module loaded (anything but a run started dismisses it).
 */
export async function main(argv: string[], given: { launcher: ParLauncher; runStart?: RunStart | undefined }): Promise<number> {
  const { launcher, runStart } = given;
  const session: Session = { exitCode: ExitCode.ok };
  const env = process.env;
  const paths = resolvePaths(env);
  const run = async (action: Action): Promise<void> => {
    const logger = createFileLogger({ dir: paths.logDir, level: resolveLevel(session.levelOption, env) });
    session.logger = logger;
    logger.debug('command', { argv: argv.slice(2), cwd: process.cwd() });
    session.exitCode = await action(rootContext({ paths, env, launcher, log: logger, runStart }));
  };

  try {
    // On a terminal, no arguments: the TUI, without loading the argument parser at all.
    if (argv.length <= 2 && process.stdin.isTTY && process.stdout.isTTY) {
      // The configuration loads while the screen's code does: the first frame needs both.
      await run(async (ctx) => {
        void ctx.config().catch(() => undefined);
        return (await (await import('./commands/load-tui.js')).loadTui()).runTui(ctx);
      });
      return session.exitCode;
    }
    const program = buildProgram(await import('commander'), session, run);
    if (argv.length <= 2) {
      // Off a terminal there is nothing to show the TUI on: help, as a usage error (DESIGN §2).
      process.stderr.write(program.helpInformation());
      return ExitCode.usage;
    }
    await program.parseAsync(argv);
    return session.exitCode;
  } catch (error) {
    return report(error, session);
  } finally {
    runStart?.early.dismiss();
  }
}
