import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';

/** The repository root (from test/helpers/, or from .bench/ where the scripts run bundled) and the built CLI every end-to-end test runs. */
export const ROOT = basename(import.meta.dirname) === '.bench' ? dirname(import.meta.dirname) : join(import.meta.dirname, '..', '..');
export const PAR_BIN = join(ROOT, 'dist', 'cli.js');

/** A throwaway home with its own XDG directories; never the real one. */
export interface Sandbox {
  dir: string;
  home: string;
  env: Record<string, string>;
  configFile: string;
  promptsDir: string;
  logDir: string;
  cleanup(): void;
}

/** Makes a sandbox under the system temp dir. */
export function makeSandbox(): Sandbox {
  const dir = mkdtempSync(join(tmpdir(), 'par-test-'));
  const home = join(dir, 'home');
  mkdirSync(home);
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    XDG_CONFIG_HOME: join(dir, 'config'),
    XDG_DATA_HOME: join(dir, 'data'),
    XDG_STATE_HOME: join(dir, 'state'),
    LANG: 'C.UTF-8',
    NO_COLOR: '1',
  };
  return {
    dir,
    home,
    env,
    configFile: join(dir, 'config', 'par', 'config.yaml'),
    promptsDir: join(dir, 'data', 'par', 'prompts'),
    logDir: join(dir, 'state', 'par', 'logs'),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** What a finished `par` printed and how it exited. */
export interface ParResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

type RunOptions = { input?: string | Buffer; cwd?: string; env?: Record<string, string>; nodeArgs?: string[] };

/** Starts the built `par`; `result` resolves when it ends, and `child` can be signalled meanwhile. */
export function startPar(sandbox: Sandbox, args: string[], options: RunOptions = {}): { child: ChildProcessWithoutNullStreams; result: Promise<ParResult>; output: () => string } {
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), PAR_BIN, ...args], {
    cwd: options.cwd ?? sandbox.dir,
    env: { ...sandbox.env, ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const result = new Promise<ParResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 128 : null), stdout, stderr }));
  });
  child.stdin.end(options.input ?? '');
  return { child, result, output: () => stdout };
}

/** Runs the built `par` with `args` in the sandbox; `input` goes to stdin (closed either way). */
export function runPar(sandbox: Sandbox, args: string[], options: RunOptions = {}): Promise<ParResult> {
  return startPar(sandbox, args, options).result;
}

/** Whether a process runs (a zombie waiting to be reaped does not). */
export function processRuns(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    try {
      process.kill(pid, 0);
      return !existsSync('/proc');
    } catch {
      return false;
    }
  }
}

/** Waits until `predicate` holds, polling; throws after `timeoutMs`. */
export async function eventually(predicate: () => boolean, timeoutMs = 10_000, what = 'the condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
