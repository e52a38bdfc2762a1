// A run's supervisor (`par __supervise <run-dir> …`, which only par itself
// starts): its own bundle, dist/supervise.js, one file with nothing of the
// argument parser or of other commands, so a run waits for as little as
// can be loaded before its first job starts.
import { runSupervise, superviseArgs } from './commands/supervise.js';
import { resolvePaths } from './config/paths.js';
import { ExitCode } from './core/errors.js';
import { createFileLogger, type Logger } from './logging/logger.js';
import { reportError, resolveLevel, rootContext } from './root-context.js';

/** Runs the supervisor `argv` asks for; resolves to its exit code. */
export async function superviseMain(argv: readonly string[]): Promise<number> {
  const parsed = superviseArgs(argv.slice(3));
  if (parsed === undefined) {
    process.stderr.write(`par: __supervise is par's own command and cannot take ${argv.slice(3).join(' ')}; start runs with par run.\n`);
    return ExitCode.usage;
  }
  const env = process.env;
  const paths = resolvePaths(env);
  let log: Logger | undefined;
  try {
    log = createFileLogger({ dir: paths.logDir, level: resolveLevel(undefined, env) });
    log.debug('command', { argv: argv.slice(2), cwd: process.cwd() });
    return await runSupervise(rootContext({ paths, env, argv, log }), parsed.runDir, parsed.options);
  } catch (error) {
    return reportError(error, log);
  }
}
