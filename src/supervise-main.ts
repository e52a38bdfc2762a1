// A run's supervisor's entry: `node dist/supervise.js __supervise <run-dir>
// …`, which only par starts (`par __supervise …` arrives here too). Its own
// bundle, without the argument parser or other commands' code, so a run
// waits for as little as can be loaded before its first job starts.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runSupervise, superviseArgs } from './commands/supervise.js';
import { resolvePaths } from './config/paths.js';
import { ExitCode } from './core/errors.js';
import { exitWhenFlushed, quietOnClosedPipes } from './exit.js';
import { createFileLogger, type Logger } from './logging/logger.js';
import { reportError, resolveLevel, rootContext } from './root-context.js';
import { runFiles } from './rundir/files.js';

/** Runs the supervisor `argv` asks for; resolves to its exit code. */
async function superviseMain(argv: readonly string[]): Promise<number> {
  const given = argv.slice(3);
  const parsed = superviseArgs(given);
  if (parsed === undefined) {
    const what = given.length === 0 ? 'needs the directory of a run par made' : `cannot take ${given.join(' ')}`;
    process.stderr.write(`par: __supervise is par's own command and ${what}; start runs with par run.\n`);
    return ExitCode.usage;
  }
  // Started early (--when-told), it is told to begin once par has written the run.
  if (parsed.options.whenTold !== true && !existsSync(runFiles.plan(parsed.runDir))) {
    process.stderr.write(`par: ${parsed.runDir} is not the directory of a run par made, so there is nothing to supervise; start runs with par run.\n`);
    return ExitCode.usage;
  }
  const env = process.env;
  const paths = resolvePaths(env);
  // par itself, for what the supervisor starts (windows following jobs): the bin beside this entry.
  const launcher = { node: process.execPath, script: fileURLToPath(new URL('./cli.js', import.meta.url)), env, supervisor: fileURLToPath(import.meta.url) };
  let log: Logger | undefined;
  try {
    log = createFileLogger({ dir: paths.logDir, level: resolveLevel(undefined, env) });
    log.debug('command', { argv: argv.slice(2), cwd: process.cwd() });
    return await runSupervise(rootContext({ paths, env, launcher, log }), parsed.runDir, parsed.options);
  } catch (error) {
    return reportError(error, log);
  }
}

quietOnClosedPipes();
exitWhenFlushed(await superviseMain(process.argv));
