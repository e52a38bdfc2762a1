// The par bin: the one module with effects at import. Everything else, from
// parsing argv to the commands, starts from main() in cli.ts.
import { main } from './cli.js';

// A reader that goes away (`par list | head`) is not an error: stop quietly.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

const exitCode = await main();
process.exitCode = exitCode;
// Once the command is done, what it wrote is flushed and par ends: waiting for the event loop to
// run dry and the heap to be torn down costs a run ~50 ms at its end, for nothing.
process.stdout.write('', () => process.stderr.write('', () => process.exit(exitCode)));
