import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCommandRunner } from '../../src/os/command-runner.js';
import { lowerPriority } from '../../src/os/priority.js';
import { createProcessSpawner } from '../../src/spawn/threads.js';

/** A process's nice value, field 19 of its stat (after the name in parentheses). */
function niceOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return Number(fields[16]);
}

async function until(check: () => boolean): Promise<boolean> {
  for (let wait = 0; wait < 100; wait++) {
    if (check()) return true;
    await sleep(20);
  }
  return check();
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'par-priority-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe.runIf(process.platform === 'linux')('agents below the person (defaults.nice)', () => {
  it('a job started with nice runs, with its whole session, that far below; without it, as par does', async () => {
    // One spawner each: a spawner's first job starts on its own thread, with no worker to load.
    const out = openSync(join(dir, 'out'), 'w');
    const lowered = await createProcessSpawner().spawn({ argv: ['sleep', '30'], cwd: dir, env: process.env, stdin: null, stdout: out, stderr: out, supervisorPid: process.pid, nice: 7 });
    const plain = await createProcessSpawner().spawn({ argv: ['sleep', '30'], cwd: dir, env: process.env, stdin: null, stdout: out, stderr: out, supervisorPid: process.pid });
    try {
      const pid = lowered.pid as number;
      expect(await until(() => niceOf(pid) === 7)).toBe(true);
      // The session's scheduling group, where Linux has them: what weighs between sessions.
      if (existsSync(`/proc/${pid}/autogroup`)) expect(await until(() => readFileSync(`/proc/${pid}/autogroup`, 'utf8').trim().endsWith('nice 7'))).toBe(true);
      expect(niceOf(plain.pid as number)).toBe(niceOf(process.pid));
      if (existsSync(`/proc/${plain.pid}/autogroup`)) expect(readFileSync(`/proc/${plain.pid}/autogroup`, 'utf8')).toMatch(/nice 0/);
    } finally {
      lowered.signalGroup('SIGKILL');
      plain.signalGroup('SIGKILL');
      await Promise.all([lowered.exited, plain.exited]);
      closeSync(out);
    }
  });

  it('never changes the scheduling group of a process that does not lead its session (a person at a terminal)', async () => {
    const child = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      const pid = child.pid as number;
      await lowerPriority(pid, 6);
      expect(niceOf(pid)).toBe(6);
      if (existsSync(`/proc/${pid}/autogroup`)) expect(readFileSync(`/proc/${pid}/autogroup`, 'utf8')).toBe(readFileSync(`/proc/${process.pid}/autogroup`, 'utf8'));
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('a setup command of a run goes as low as its agents', async () => {
    // The command waits (bounded) to see its own nice value change, then says it.
    const script = 'i=0; while [ $i -lt 100 ]; do n=$(cut -d" " -f19 /proc/$$/stat); [ "$n" = 5 ] && break; sleep 0.05; i=$((i+1)); done; echo "$n"';
    const outcome = await createCommandRunner().run(['sh', '-c', script], { cwd: dir, group: { supervisorPid: process.pid, nice: 5 } });
    expect(outcome.stdout.trim()).toBe('5');
  });
});
