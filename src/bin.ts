// The par bin: the one module with effects at import. It loads as little as
// it can before the work asked for begins: a run's supervisor loads its own
// bundle, and `par run` starts that supervisor before anything else of par
// loads; everything else, from parsing argv to the commands, starts from
// main() in cli.ts.
import type { RunStart } from './commands/context.js';
import type { superviseMain } from './supervise-main.js';

// A reader that goes away (`par list | head`) is not an error: stop quietly.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

/** The supervisor's bundle, built beside this one (see esbuild.config.mjs); named by a variable, so the bundler leaves the import alone. */
const SUPERVISE_BUNDLE = './supervise.js';

async function start(argv: string[]): Promise<number> {
  if (argv[2] === '__supervise') {
    const bundle = (await import(SUPERVISE_BUNDLE)) as { superviseMain: typeof superviseMain };
    return bundle.superviseMain(argv);
  }
  if (argv.length <= 2 && process.stdin.isTTY && process.stdout.isTTY) {
    // The TUI: its code (most of what its first frame waits for) starts loading now, beside the rest.
    void import('./commands/load-tui.js').then(({ loadTui }) => loadTui()).catch(() => undefined);
  }
  let runStart: RunStart | undefined;
  if (argv[2] === 'run') {
    // The run's supervisor starts up side by side with the rest of this process: a run's fixed cost is mostly two node start-ups.
    const [{ startRun }, { resolvePaths }] = await Promise.all([import('./commands/run-start.js'), import('./config/paths.js')]);
    runStart = startRun({ node: process.execPath, script: argv[1] ?? '', env: process.env }, { dataDir: resolvePaths(process.env).dataDir, cwd: process.cwd() });
  }
  const { main } = await import('./cli.js');
  return main(argv, runStart);
}

const exitCode = await start(process.argv);
process.exitCode = exitCode;
// Once the command is done, what it wrote is flushed and par ends: waiting for the event loop to
// run dry and the heap to be torn down costs a run ~50 ms at its end, for nothing.
process.stdout.write('', () => process.stderr.write('', () => process.exit(exitCode)));
