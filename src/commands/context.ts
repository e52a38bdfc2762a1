import type { LoadedConfig } from '../config/load-config.js';
import type { ParPaths } from '../config/paths.js';
import type { Git } from '../git/git.js';
import type { Logger } from '../logging/logger.js';
import type { EarlySupervisor, ParLauncher } from '../os/launch-detached.js';

/** A writable text stream (stdout or stderr). */
export interface OutputStream {
  /** `done` is called once the stream has taken the chunk (as a Node stream calls it). */
  write(text: string | Uint8Array, done?: (error?: Error | null) => void): unknown;
  isTTY?: boolean;
  columns?: number;
}

/** What every command is given by the composition root (`cli.ts`). */
export interface CommandContext {
  paths: ParPaths;
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  stdout: OutputStream;
  stderr: OutputStream;
  log: Logger;
  /** Reads and validates the configuration once; later calls return the same. */
  config(): Promise<LoadedConfig>;
  /** The git port (loaded on first use). */
  git(): Promise<Git>;
  /** How to start par again: a run's supervisor, a window following a job. */
  launcher: ParLauncher;
  /** `par run` only: its run's id and supervisor, started as par began (see startSupervisorEarly). */
  runStart?: RunStart;
}

/** A run about to be checked and written, whose supervisor is already starting. */
export interface RunStart {
  now: Date;
  runId: string;
  early: EarlySupervisor;
}

/** Reads all of stdin as bytes. */
export async function readStdin(stdin: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks);
}

/** The terminal's width when stdout is one, for fitting tables. */
export function terminalWidth(stream: OutputStream): number | undefined {
  return stream.isTTY && stream.columns ? stream.columns : undefined;
}
