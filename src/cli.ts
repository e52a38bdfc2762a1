/**
 * The composition root: parses argv, builds the real adapters and hands
 * them to the command that was asked for. Commands are imported lazily, so
 * `par --version` and `par --help` load neither Ink, React nor the config.
 */
import type * as Commander from 'commander';
import type { CommandContext } from './commands/context.js';
import type { CommandRunner } from './os/command-runner.js';
import { resolvePaths } from './config/paths.js';
import { ExitCode, UserError, isUserError } from './core/errors.js';
import { LOG_LEVELS, createFileLogger, isLogLevel, type LogLevel, type Logger } from './logging/logger.js';

declare const __PAR_VERSION__: string;
const VERSION = typeof __PAR_VERSION__ === 'string' ? __PAR_VERSION__ : '0.0.0-dev';

type Action = (ctx: CommandContext) => Promise<number> | number;

interface Session {
  exitCode: number;
  logger?: Logger;
  levelOption?: string;
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
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

function buildProgram(commander: typeof Commander, session: Session, run: (action: Action) => Promise<void>): Commander.Command {
  const { Argument, Command, Option } = commander;
  const program = new Command('par');
  program
    .description('Run AI coding agents in parallel across git worktrees.')
    .version(VERSION, '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .addOption(
      new Option('--log-level <level>', 'how much goes to the log file (env PAR_LOG_LEVEL)').choices([...LOG_LEVELS]),
    )
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      outputError: (text, write) => {
        // Commander builds the command path only for the failing command; "par" is enough to find help.
        write(`par: ${oneSentence(text, 'par')}\n`);
      },
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

  program
    .command('add')
    .description('add a prompt to the library (no --file: $EDITOR on a terminal, else stdin)')
    .option('--name <name>', 'the prompt name (default: the front matter name or the file name)')
    .option('--file <file>', 'read the prompt from FILE (- for stdin)')
    .option('--template', 'the prompt is a template ({{.Var}}, see par show --help)')
    .option('--description <text>', 'a one-line description')
    .option('--force', 'replace a prompt of the same name')
    .action(async (options: Record<string, unknown>) => {
      await run(async (ctx) => (await import('./commands/add.js')).runAdd(ctx, options));
    });

  program
    .command('list')
    .description('list prompts and worktrees (no argument: both)')
    .addArgument(new Argument('[what]', 'what to list').choices(['prompts', 'worktrees', 'runs']))
    .option('--json', 'print JSON')
    .action(async (what: string | undefined, options: { json?: boolean }) => {
      await run(async (ctx) => (await import('./commands/list.js')).runList(ctx, what, options));
    });

  program
    .command('show')
    .description('print a prompt, or with --render its text with variables filled in')
    .argument('<prompt>', 'the prompt name')
    .option('--render', 'render the template')
    .option('--var <name=value>', 'a template variable (repeatable)', collect)
    .addHelpText(
      'after',
      `
Templates: {{.Var}}, {{upper .Var}}, {{lower …}}, {{title …}}, {{default "fallback" .Var}},
string literals, pipes {{.Var | upper}}, comments {{/* … */}} and trim markers {{- -}}.
Built-in variables: ProjectName, TaskName, Description, BranchName, WorktreePath,
Instructions, ExpectedOutcome; --var NAME=VALUE sets or overrides any.`,
    )
    .action(async (name: string, options: Record<string, unknown>) => {
      await run(async (ctx) => (await import('./commands/prompts.js')).runShow(ctx, name, options));
    });

  program
    .command('remove')
    .description('delete a prompt from the library')
    .argument('<prompt>', 'the prompt name')
    .action(async (name: string) => {
      await run(async (ctx) => (await import('./commands/prompts.js')).runRemove(ctx, name));
    });

  program
    .command('run')
    .description('run a prompt across worktrees')
    .argument('[prompt]', 'a prompt from the library (not with -m or --prompt-file)')
    .argument('[worktree...]', 'worktree paths')
    .option('-j, --jobs <n>', 'jobs at once (default: defaults.jobs)')
    .option('-m, --message <text>', 'an ad-hoc prompt instead of a library name')
    .option('--prompt-file <file>', 'an ad-hoc prompt from a file')
    .option('--all', 'every valid linked worktree of the current repository')
    .option('-t, --timeout <duration>', 'per-job limit: 90s, 30m, 2h, 1h30m (default: defaults.timeout)')
    .option('--idle-timeout <duration>', 'stop a job silent this long (default: defaults.idle_timeout)')
    .option('-b, --branch <name>', 'base of new worktrees (default: the repository default branch)')
    .option('--new <n>', 'create n fresh worktrees from the base, the prompt in each')
    .option('--tasks <file>', 'many tasks, each in its own fresh worktree: {"prompts": [...]} or one per line; - is stdin')
    .option('--var <name=value>', 'a template variable (repeatable)', collect)
    .option('--agent <name>', 'claude or a configured agent', undefined)
    .option('--permission-mode <mode>', 'passed to claude (default: claude.permission_mode)')
    .option('--model <name>', 'passed to the agent (default: claude.model)')
    .option('--retries <n>', 'retries of a job that failed for a retryable cause, each a fresh session (default: defaults.retries)')
    .option('--fail-fast', 'the first failed job cancels the rest')
    .option('--budget <usd>', 'approximate: no job starts once finished jobs have spent this; claude jobs get --max-budget-usd')
    .option('--dry-run', 'print jobs, worktrees, prompts and exact command lines; start nothing')
    .option('--detach', 'print the run id and return; the run goes on')
    .option('--term', 'open a terminal window per job, following its transcript (default: terminal.new_window_per_job)')
    .option('--plan', 'each job plans first, read-only; approved plans execute (par approve, or the TUI)')
    .option('--yes', 'with --plan, approve every plan as it comes')
    .option('--json', 'newline-delimited JSON events, the last one the run summary')
    .option('--terminal-output', "stream every job's readable output here, each line prefixed by its job (default: terminal.show_real_time_output)")
    .option('--no-tui', 'plain progress lines even on a terminal')
    .addHelpText(
      'after',
      `
Each job runs in its worktree in its own process group; Ctrl+C cancels the run
(exit 130), a closed terminal leaves it running. Follow it with 'par status'.`,
    )
    .action(async (prompt: string | undefined, worktrees: string[], options: Record<string, unknown>) => {
      const positional = [prompt, ...worktrees].filter((value): value is string => value !== undefined);
      await run(async (ctx) => (await import('./commands/run.js')).runRun(ctx, positional, options));
    });

  program
    .command('status')
    .description('a run and its jobs (the latest run if none is named; ids match by prefix)')
    .argument('[run]', 'a run id or a unique prefix of one')
    .option('--json', 'print JSON')
    .action(async (runId: string | undefined, options: { json?: boolean }) => {
      await run(async (ctx) => (await import('./commands/status.js')).runStatus(ctx, runId, options));
    });

  program
    .command('results')
    .description("each job's final result, or one job's readable transcript")
    .argument('<run>', 'a run id or a unique prefix of one')
    .argument('[job]', 'a job of the run')
    .option('--raw', "the job's output byte for byte")
    .option('--follow', 'follow a running job until it ends')
    .action(async (runId: string, job: string | undefined, options: Record<string, unknown>) => {
      await run(async (ctx) => (await import('./commands/runs.js')).runResults(ctx, runId, job, options));
    });

  program
    .command('report')
    .description("render a run's report")
    .argument('<run>', 'a run id or a unique prefix of one')
    .option('--format <format>', 'html, md or json (default: from -o, else md)')
    .option('-o, --output <file>', 'write to FILE instead of stdout (- is stdout)')
    .action(async (runId: string, options: Record<string, unknown>) => {
      await run(async (ctx) => (await import('./commands/report.js')).runReport(ctx, runId, options));
    });

  program
    .command('merge')
    .description("bring a job's branch into the current branch (a conflict changes nothing)")
    .argument('<run>', 'a run id or a unique prefix of one')
    .argument('<job>', 'a job of the run')
    .option('--squash', 'as one commit')
    .action(async (runId: string, job: string, options: { squash?: boolean }) => {
      await run(async (ctx) => (await import('./commands/merge.js')).runMerge(ctx, runId, job, options));
    });

  program
    .command('cancel')
    .description('cancel a run, or one of its jobs')
    .argument('<run>', 'a run id or a unique prefix of one')
    .argument('[job]', 'a job of the run')
    .action(async (runId: string, job: string | undefined) => {
      await run(async (ctx) => (await import('./commands/runs.js')).runCancel(ctx, runId, job));
    });

  program
    .command('completion')
    .description('print shell completion: commands, options and prompt names')
    .addArgument(new Argument('<shell>', 'the shell').choices(['bash', 'zsh', 'fish']))
    .addHelpText('after', `\nbash: eval "$(par completion bash)" in ~/.bashrc; zsh: the same with zsh in ~/.zshrc;\nfish: par completion fish > ~/.config/fish/completions/par.fish`)
    .action(async (shell: string) => {
      await run(async (ctx) => {
        const completion = await import('./core/completion.js');
        // Drawn from the commands themselves, so completion never drifts from them.
        const commands = program.commands
          .filter((command) => !command.name().startsWith('__') && command.name() !== 'help')
          .map((command) => ({
            name: command.name(),
            options: command.options.map((option) => ({ long: option.long ?? '', short: option.short ?? null, takesValue: option.required || option.optional, description: option.description })),
            promptArgument: ['run', 'show', 'remove'].includes(command.name()),
            runArgument: ['status', 'results', 'report', 'merge', 'cancel', 'open', 'approve', 'resume', 'attach'].includes(command.name()),
          }));
        const print = { bash: completion.bashCompletion, zsh: completion.zshCompletion, fish: completion.fishCompletion }[shell as 'bash' | 'zsh' | 'fish'];
        ctx.stdout.write(print(commands));
        return 0;
      });
    });

  program
    .command('__complete', { hidden: true })
    .argument('<what>')
    .action(async (what: string) => {
      await run(async (ctx) => {
        if (what === 'runs') {
          const { runIds } = await import('./rundir/runs.js');
          for (const id of runIds(ctx.paths.dataDir).reverse()) ctx.stdout.write(`${id}\n`);
          return 0;
        }
        if (what !== 'prompts') return 2;
        const { promptSummaries } = await import('./prompts/summaries.js');
        const { promptsDir } = await ctx.config();
        for (const prompt of await promptSummaries(promptsDir, `${ctx.paths.stateDir}/cache/prompts.json`)) ctx.stdout.write(`${prompt.name}\n`);
        return 0;
      });
    });

  program
    .command('doctor')
    .description('check git, the agents, their credentials, the terminal, the config and the data dirs')
    .option('--json', 'print JSON')
    .addHelpText('after', `\n✓ fine, ⚠ an optional part is missing, ✗ par cannot work without it (exit 1).`)
    .action(async (options: { json?: boolean }) => {
      await run(async (ctx) => {
        const [{ runDoctor }, { createCommandRunner }] = await Promise.all([import('./commands/doctor.js'), import('./os/command-runner.js')]);
        return runDoctor(ctx, createCommandRunner(), options);
      });
    });

  program
    .command('demo')
    .description('the whole experience on a throwaway repository, with a simulated agent (no account needed)')
    .option('--no-tui', 'run it headless, printing progress lines')
    .option('--keep', 'keep the throwaway repository and its par home, and say where')
    .action(async (options: { tui?: boolean; keep?: boolean }) => {
      await run(async (ctx) => (await import('./commands/demo.js')).runDemo(ctx, options));
    });

  program
    .command('open')
    .description('open a job in a terminal window: its live transcript while it runs, its claude session when done')
    .argument('<run>', 'a run id or a unique prefix of one')
    .argument('<job>', 'a job of the run')
    .addHelpText(
      'after',
      `
The window: terminal.command when set, else Ghostty (terminal.use_ghostty), else
a new tmux window when par runs inside tmux.`,
    )
    .action(async (runId: string, job: string) => {
      await run(async (ctx) => (await import('./commands/open.js')).runOpen(ctx, runId, job));
    });

  program
    .command('approve')
    .description('let plans of a --plan run that wait for review go ahead')
    .argument('<run>', 'a run id or a unique prefix of one')
    .argument('[job]', 'the job whose plan to approve')
    .option('--all', 'every plan waiting')
    .action(async (runId: string, job: string | undefined, options: { all?: boolean }) => {
      await run(async (ctx) => (await import('./commands/approve.js')).runApprove(ctx, runId, job, options));
    });

  program
    .command('resume')
    .description('run the jobs of a run that did not succeed again, continuing their sessions')
    .argument('<run>', 'a run id or a unique prefix of one')
    .option('--detach', 'print the run id and return; the run goes on')
    .option('--json', 'newline-delimited JSON events, the last one the run summary')
    .option('--terminal-output', "stream every job's readable output here")
    .option('--no-tui', 'plain progress lines even on a terminal')
    .addHelpText(
      'after',
      `
Interrupted, failed, timed-out and cancelled jobs run again in their worktrees
as new attempts of the same run; a claude job continues its session
(--resume <session id>) where it had one. Exit codes as for par run.`,
    )
    .action(async (runId: string, options: Record<string, unknown>) => {
      await run(async (ctx) => (await import('./commands/resume.js')).runResume(ctx, runId, options));
    });

  program
    .command('attach')
    .description("the live grid of a running or finished run (on a terminal)")
    .argument('[run]', 'a run id or a unique prefix of one (default: the latest)')
    .action(async (runId: string | undefined) => {
      await run(async (ctx) => (await import('./commands/attach.js')).runAttach(ctx, runId));
    });

  program
    .command('__supervise', { hidden: true })
    .argument('<run-dir>')
    .option('--rerun <jobs>', 'take over the ended run and run these jobs (comma-separated) again')
    .option('--continue', "continue each job's agent session")
    .option('--commands-from <offset>', 'apply only the commands written past this byte of the channel')
    .action(async (runDir: string, options: { rerun?: string; continue?: boolean; commandsFrom?: string }) => {
      await run(async (ctx) => {
        const commandsFrom = options.commandsFrom === undefined ? {} : { commandsFrom: Number(options.commandsFrom) };
        const resume = options.rerun === undefined ? undefined : { jobs: options.rerun.split(',').filter(Boolean), continueSessions: options.continue === true, ...commandsFrom };
        const [{ supervise }, { createProcessSpawner }] = await Promise.all([import('./engine/supervisor.js'), import('./os/process-group.js')]);
        // execa is loaded only when setup commands run in new worktrees.
        const runner = { run: async (...args: Parameters<CommandRunner['run']>) => (await import('./os/command-runner.js')).createCommandRunner().run(...args) };
        await supervise(runDir, { git: await ctx.git(), spawner: createProcessSpawner(), runner, log: ctx.log, launcher: ctx.launcher }, resume);
        return 0;
      });
    });

  program
    .command('clean')
    .description('remove old runs and the worktrees par made for them, never losing work')
    .option('--all', 'every finished run, whatever its age')
    .option('--failed', 'only runs that did not succeed')
    .option('-f, --force', 'do not ask')
    .option('--dry-run', 'only list what would be done')
    .option('--discard', 'also remove worktrees with uncommitted or unmerged work, saving it under <data>/salvage first')
    .addHelpText(
      'after',
      `
Kept: worktrees with uncommitted changes or untracked files, nested
repositories, or commits on a detached HEAD (unless --discard, which saves them
first); locked worktrees (always); branches with commits their base lacks;
worktrees par did not create; runs still going, or going again after a resume
or a rerun. Runs older than defaults.keep_days are cleaned; --all any age.`,
    )
    .action(async (options: Record<string, unknown>) => {
      await run(async (ctx) => (await import('./commands/clean.js')).runClean(ctx, options));
    });

  const config = program
    .command('config')
    .description('read and change the configuration')
    .addHelpText('after', `\nKeys and defaults: par config list. Values are checked before anything is written.`);
  config
    .command('list')
    .description('every key, its value and where it comes from')
    .option('--json', 'print the whole configuration as JSON')
    .action(async (options: { json?: boolean }) => {
      await run(async (ctx) => (await import('./commands/config.js')).runConfigList(ctx, options));
    });
  config
    .command('get')
    .description("a key's value (or a whole section)")
    .argument('<key>', 'a dotted key such as defaults.jobs')
    .option('--json', 'print JSON')
    .action(async (key: string, options: { json?: boolean }) => {
      await run(async (ctx) => (await import('./commands/config.js')).runConfigGet(ctx, key, options));
    });
  config
    .command('set')
    .description('set a key, keeping the comments in the file')
    .argument('<key>', 'a dotted key such as defaults.jobs')
    .argument('<value>', 'the value; lists as ["a", "b"]')
    .action(async (key: string, value: string) => {
      await run(async (ctx) => (await import('./commands/config.js')).runConfigSet(ctx, key, value));
    });
  config
    .command('path')
    .description('where the configuration file is')
    .action(async () => {
      await run(async (ctx) => (await import('./commands/config.js')).runConfigPath(ctx));
    });

  return program;
}

function resolveLevel(option: string | undefined, env: NodeJS.ProcessEnv): LogLevel {
  const level = option ?? env.PAR_LOG_LEVEL ?? 'info';
  if (!isLogLevel(level)) {
    throw new UserError(`PAR_LOG_LEVEL is '${level}', which is not a log level; use one of ${LOG_LEVELS.join(', ')}.`);
  }
  return level;
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
  const logger = session.logger;
  if (isUserError(error)) {
    logger?.warn(error.message);
    process.stderr.write(`par: ${error.message}\n`);
    return error.exitCode;
  }
  const failure = error instanceof Error ? error : new Error(String(error));
  logger?.error('unexpected failure', { error: failure });
  const where = logger ? ` (details in ${logger.file})` : '';
  process.stderr.write(`par: ${failure.message.split('\n')[0]}; this is a bug in par${where}.\n`);
  if (logger?.level === 'debug' || logger?.level === 'trace') process.stderr.write(`${failure.stack ?? ''}\n`);
  return ExitCode.failed;
}

/** Runs par with `argv`; resolves to the exit code. */
export async function main(argv: string[] = process.argv): Promise<number> {
  const session: Session = { exitCode: ExitCode.ok };
  const env = process.env;
  const paths = resolvePaths(env);
  let loaded: ReturnType<CommandContext['config']> | undefined;

  const run = async (action: Action): Promise<void> => {
    const logger = createFileLogger({ dir: paths.logDir, level: resolveLevel(session.levelOption, env) });
    session.logger = logger;
    logger.debug('command', { argv: argv.slice(2), cwd: process.cwd() });
    const ctx: CommandContext = {
      paths,
      env,
      cwd: process.cwd(),
      stdin: process.stdin,
      stdout: process.stdout,
      stderr: process.stderr,
      log: logger,
      config: () => (loaded ??= import('./config/load-config.js').then(({ loadConfig }) => loadConfig(paths))),
      git: () => import('./git/git.js').then(({ createGit }) => createGit()),
      launcher: { node: process.execPath, script: argv[1] ?? '', env },
    };
    session.exitCode = await action(ctx);
  };

  try {
    // On a terminal, no arguments: the TUI, without loading the argument parser at all.
    if (argv.length <= 2 && process.stdin.isTTY && process.stdout.isTTY) {
      // The configuration loads while the screen's code does: the first frame needs both.
      await run(async (ctx) => {
        void ctx.config().catch(() => undefined);
        return (await import('./commands/tui.js')).runTui(ctx);
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
  }
}

// A reader that goes away (`par list | head`) is not an error: stop quietly.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

const exitCode = await main();
process.exitCode = exitCode;
