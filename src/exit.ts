// How par's entries (the bin, a run's supervisor) meet their streams and end.

/** A reader that goes away (`par list | head`) is not an error: stop quietly. */
export function quietOnClosedPipes(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw error;
    });
  }
}

/**
 * Ends the process with `exitCode` once what it wrote is flushed: waiting
 * for the event loop to run dry and the heap to be torn down costs ~50 ms,
 * for nothing.
 */
export function exitWhenFlushed(exitCode: number): void {
  process.exitCode = exitCode;
  process.stdout.write('', () => process.stderr.write('', () => process.exit(exitCode)));
}
