import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { machineGate, readLimits } from '../../src/engine/agent-gate.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
const dataDir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'par-gate-'));
  dirs.push(dir);
  return dir;
};

describe('the machine-wide gate on starting agents', () => {
  it('holds at most max_agents places; a place whose supervisor is gone is free again', async () => {
    const data = dataDir();
    mkdirSync(join(data, 'agents'));
    // A place left by a supervisor that was killed: its pid is not a live supervisor.
    writeFileSync(join(data, 'agents', '0'), JSON.stringify({ pid: 2 ** 22 + 11, run_dir: '/gone/run' }));
    // (A live supervisor is one whose pid runs `par __supervise`: here, this test's own process stands for it.)
    const gate = machineGate({ dataDir: data, runDir: '/runs/r1', maxAgents: 1, limitKey: null, holderAlive: (pid) => pid === process.pid });
    const abort = new AbortController();
    const release = await gate.enter(() => undefined, abort.signal);
    expect(release).toBeTypeOf('function');
    // The only place is ours now: the next one waits until it is released.
    const second = gate.enter(() => undefined, abort.signal);
    const raced = await Promise.race([second, new Promise((resolve) => setTimeout(() => resolve('waiting'), 400))]);
    expect(raced).toBe('waiting');
    release?.();
    expect(await second).toBeTypeOf('function');
    abort.abort();
  });

  it('a usage limit recorded by one run holds every run’s claude jobs until its reset; a cancel ends the wait', async () => {
    const data = dataDir();
    const key = '/home/me/.claude';
    const one = machineGate({ dataDir: data, runDir: '/runs/r1', maxAgents: null, limitKey: key });
    const other = machineGate({ dataDir: data, runDir: '/runs/r2', maxAgents: null, limitKey: key });
    const resetsAt = Math.floor(Date.now() / 1000) + 1;
    await one.limitReached(resetsAt, 'five_hour');
    expect(readLimits(data)[key]).toEqual({ resets_at: resetsAt, type: 'five_hour' });
    const told: number[] = [];
    const started = performance.now();
    const release = await other.enter((at) => told.push(at), new AbortController().signal);
    expect(release).toBeTypeOf('function');
    expect(told).toEqual([resetsAt]);
    expect(Date.now() / 1000).toBeGreaterThanOrEqual(resetsAt);
    expect(performance.now() - started).toBeGreaterThan(0);
    // Another configuration is not held by it.
    const elsewhere = machineGate({ dataDir: data, runDir: '/runs/r3', maxAgents: null, limitKey: '/other/.claude' });
    await one.limitReached(Math.floor(Date.now() / 1000) + 60, null);
    expect(await elsewhere.enter(() => undefined, new AbortController().signal)).toBeTypeOf('function');
    const cancelled = new AbortController();
    const waiting = other.enter(() => cancelled.abort(), cancelled.signal);
    expect(await waiting).toBeNull();
    expect(readdirSync(data)).toContain('limits.json');
  });
});
