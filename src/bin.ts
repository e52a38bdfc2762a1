// The par bin: with the supervisor's entry (supervise-main.ts), the only
// modules with effects at import. It loads as little as it can before the
// work asked for begins: `par run` starts its run's supervisor before
// anything else of par loads, and the TUI's code starts loading at once;
// everything else, from parsing argv to the commands, starts from main()
// in cli.ts.
import { fileURLToPath } from 'node:url';
import type { RunStart } from './commands/context.js';
import { startRun } from './commands/run-start.js';
import { resolvePaths } from './config/paths.js';
import { exitWhenFlushed, quietOnClosedPipes } from './exit.js';
import type { ParLauncher } from './os/launch-detached.js';

quietOnClosedPipes();

/** The supervisor's entry, built beside this one (see esbuild.config.mjs); named by a variable, so the bundler leaves it alone. */
const SUPERVISE_ENTRY = './supervise.js';

async function start(argv: string[]): Promise<number> {
  if (argv[2] === '__supervise') {
    // `par __supervise …`: the supervisor's entry runs it, and ends the process.
    await import(SUPERVISE_ENTRY);
    return new Promise<number>(() => undefined);
  }
  const launcher: ParLauncher = { node: process.execPath, script: argv[1] ?? '', env: process.env, supervisor: fileURLToPath(new URL(SUPERVISE_ENTRY, import.meta.url)) };
  if (argv.length <= 2 && process.stdin.isTTY && process.stdout.isTTY) {
    // The TUI: its code (most of what its first frame waits for) starts loading now, beside the rest.
    void import('./commands/load-tui.js').then(({ loadTui }) => loadTui()).catch(() => undefined);
  }
  let runStart: RunStart | undefined;
  if (argv[2] === 'run') {
    // The run's supervisor starts up side by side with the rest of this process: a run's fixed cost is mostly two node start-ups.
    runStart = startRun(launcher, { dataDir: resolvePaths(process.env).dataDir, cwd: process.cwd() });
  }
  const { main } = await import('./cli.js');
  return main(argv, { launcher, runStart });
}

exitWhenFlushed(await start(process.argv));
