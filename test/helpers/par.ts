import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The repository root and the built CLI every end-to-end test runs. */
export const ROOT = join(import.meta.dirname, '..', '..');
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

/** Runs the built `par` with `args` in the sandbox; `input` goes to stdin (closed either way). */
export function runPar(
  sandbox: Sandbox,
  args: string[],
  options: { input?: string | Buffer; cwd?: string; env?: Record<string, string>; nodeArgs?: string[] } = {},
): Promise<ParResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...(options.nodeArgs ?? []), PAR_BIN, ...args], {
      cwd: options.cwd ?? sandbox.dir,
      env: { ...sandbox.env, ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}
