import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CommandContext, OutputStream } from '../../src/commands/context.js';
import { runResults } from '../../src/commands/runs.js';
import { resolvePaths } from '../../src/config/paths.js';
import { createFileLogger } from '../../src/logging/logger.js';
import { runPar, type Sandbox } from '../helpers/par.js';
import { makeSimRuns, runStatus } from '../helpers/sim-runs.js';

let sandbox: Sandbox;
let repo: string;
beforeEach(() => {
  ({ sandbox, repo } = makeSimRuns(1));
});
afterEach(() => sandbox.cleanup());

/**
 * A pipe to a slow reader, as on macOS where pipe writes are asynchronous:
 * it takes each chunk only a moment after `write` returned, and reads it
 * then — so a writer that reuses its buffer meanwhile is caught.
 */
function slowReader(): OutputStream & { received: () => Buffer } {
  const chunks: Buffer[] = [];
  return {
    write(text, done) {
      const chunk = typeof text === 'string' ? Buffer.from(text) : (text as Uint8Array);
      setTimeout(() => {
        chunks.push(Buffer.from(chunk));
        done?.(null);
      }, 2);
      return false;
    },
    received: () => Buffer.concat(chunks),
  };
}

describe('par results --raw', () => {
  it('gives a slow reader the log byte for byte', async () => {
    // About 3 MB of output: several chunks.
    await runPar(sandbox, ['run', '-m', 'sim: turns=1 lines=15000 size=200 duration=0', join(sandbox.dir, 'wt1')], { cwd: repo });
    const run = await runStatus(sandbox, repo);
    const stdout = slowReader();
    const env = sandbox.env;
    const ctx = {
      paths: resolvePaths(env),
      env,
      cwd: repo,
      stdin: new PassThrough(),
      stdout,
      stderr: { write: () => true },
      log: createFileLogger({ dir: sandbox.logDir, level: 'error' }),
    } as unknown as CommandContext;
    expect(await runResults(ctx, run.run, 'wt1', { raw: true })).toBe(0);
    const log = readFileSync(join(run.dir, 'jobs', 'wt1', 'output.log'));
    expect(log.length).toBeGreaterThan(2 << 20);
    expect(stdout.received().equals(log)).toBe(true);
  });
});
