import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acquireFileLock, withFileLock } from '../../src/os/file-lock.js';
import { processCommandLine } from '../../src/os/process-alive.js';

let dir: string;
let lock: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'par-lock-'));
  lock = join(dir, 'the.lock');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A pid no process has (pids stay far below this). */
const GONE = 999_999_999;

describe('the file lock', () => {
  it('runs holders one at a time, and leaves no lock behind', async () => {
    const order: string[] = [];
    const hold = (name: string): Promise<void> =>
      withFileLock(lock, async () => {
        order.push(`${name} in`);
        await new Promise((resolve) => setTimeout(resolve, 20));
        order.push(`${name} out`);
      });
    await Promise.all([hold('a'), hold('b'), hold('c')]);
    expect(order).toEqual(['a in', 'a out', 'b in', 'b out', 'c in', 'c out']);
    expect(existsSync(lock)).toBe(false);
  });

  it('writes its pid and host, and gives up after waitMs while a live holder keeps it', async () => {
    const release = await acquireFileLock(lock);
    expect(readFileSync(lock, 'utf8')).toBe(`${process.pid}\n${hostname()}\n`);
    expect(await acquireFileLock(lock, { waitMs: 100, pollMs: 10 })).toBeNull();
    await release?.();
    expect(existsSync(lock)).toBe(false);
  });

  it.each([
    ['a holder that is gone', `${GONE}\n${hostname()}\n`],
    ['a holder from before locks named their host', `${GONE}\n`],
  ])('takes over the lock of %s', async (_what, text) => {
    writeFileSync(lock, text);
    const release = await acquireFileLock(lock, { waitMs: 1000, pollMs: 10 });
    expect(release).not.toBeNull();
    expect(readFileSync(lock, 'utf8')).toBe(`${process.pid}\n${hostname()}\n`);
  });

  it('takes over a live pid that is not the holder it should be (a pid reused), as the caller judges', async () => {
    writeFileSync(lock, `${process.pid}\n${hostname()}\n`);
    expect(await acquireFileLock(lock, { waitMs: 100, pollMs: 10, holderAlive: () => true })).toBeNull();
    expect(await acquireFileLock(lock, { waitMs: 1000, pollMs: 10, holderAlive: () => false })).not.toBeNull();
  });

  it('never takes a lock being written (no pid yet) for stale, nor one of another host unless it is old', async () => {
    writeFileSync(lock, '');
    expect(await acquireFileLock(lock, { waitMs: 100, pollMs: 10, staleAfterMs: null })).toBeNull();
    writeFileSync(lock, `${GONE}\nanother-host\n`);
    expect(await acquireFileLock(lock, { waitMs: 100, pollMs: 10 })).toBeNull();
    expect(await acquireFileLock(lock, { waitMs: 1000, pollMs: 10, staleAfterMs: 0 })).not.toBeNull();
  });
});

describe("a process's command line", () => {
  it('is read argument by argument', () => {
    const command = processCommandLine(process.pid);
    expect(basename(command && 'argv' in command ? (command.argv[0] ?? '') : '')).toBe(basename(process.execPath));
  });
});
