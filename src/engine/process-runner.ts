import { execa } from 'execa';

/** What a finished command did. */
export interface CommandOutcome {
  exitCode: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  /** Set when the program could not be started at all. */
  failedToStart?: string;
}

/** The port for running short commands (setup steps): argv arrays, never a shell. */
export interface CommandRunner {
  run(argv: readonly string[], options: { cwd: string; timeoutMs?: number }): Promise<CommandOutcome>;
}

/** The real runner, through execa. */
export function createCommandRunner(): CommandRunner {
  return {
    async run(argv, options) {
      const [file = '', ...args] = argv;
      const result = await execa(file, args, {
        cwd: options.cwd,
        reject: false,
        stdin: 'ignore',
        timeout: options.timeoutMs ?? 0,
        maxBuffer: 10_000_000,
      });
      const notStarted = result.failed && result.exitCode === undefined && !result.signal && !result.timedOut;
      return {
        exitCode: result.exitCode ?? null,
        signal: result.signal ?? null,
        stdout: String(result.stdout ?? ''),
        stderr: String(result.stderr ?? ''),
        ...(notStarted ? { failedToStart: result.shortMessage } : {}),
      };
    },
  };
}
