// What the composition roots (cli.ts for par's commands, supervise-main.ts
// for a run's supervisor) hand every command: the real adapters.
import type { CommandContext, RunStart } from './commands/context.js';
import type { ParPaths } from './config/paths.js';
import type { ParLauncher } from './os/launch-detached.js';
import { ExitCode, UserError, isUserError } from './core/errors.js';
import { LOG_LEVELS, isLogLevel, type LogLevel, type Logger } from './logging/logger.js';

/** The log level: `--log-level`, else PAR_LOG_LEVEL, else info; one sentence when it is not a level. */
export function resolveLevel(option: string | undefined, env: NodeJS.ProcessEnv): LogLevel {
  const level = option ?? env.PAR_LOG_LEVEL ?? 'info';
  if (!isLogLevel(level)) {
    throw new UserError(`PAR_LOG_LEVEL is '${level}', which is not a log level; use one of ${LOG_LEVELS.join(', ')}.`);
  }
  return level;
}

/** This process's context: its streams, the configuration and git loaded on first use, and how to start par again. */
export function rootContext(given: { paths: ParPaths; env: NodeJS.ProcessEnv; launcher: ParLauncher; log: Logger; runStart?: RunStart | undefined }): CommandContext {
  const { paths, env, launcher, log, runStart } = given;
  let loaded: ReturnType<CommandContext['config']> | undefined;
  return {
    paths,
    env,
    cwd: process.cwd(),
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    log,
    config: () => (loaded ??= import('./config/load-config.js').then(({ loadConfig }) => loadConfig(paths))),
    git: () => import('./git/real-git.js').then(({ createGit }) => createGit()),
    launcher,
    ...(runStart ? { runStart } : {}),
  };
}

/** One sentence on stderr for what stopped a command (a bug says where its details are); resolves its exit code. */
export function reportError(error: unknown, logger: Logger | undefined): number {
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
