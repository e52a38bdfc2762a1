import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, readlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, onTestFinished } from 'vitest';
import { branches } from '../helpers/git-repo.js';
import { eventually, processRuns, runPar, startPar, type Sandbox } from '../helpers/par.js';
import { SIM, makeSimRuns, runStatus, type RunStatus } from '../helpers/sim-runs.js';

let sandbox: Sandbox;
let repo: string;
const wt = (n: number): string => join(sandbox.dir, `wt${n}`);
const status = (run?: string): Promise<RunStatus> => runStatus(sandbox, repo, run);

beforeEach(() => {
  ({ sandbox, repo } = makeSimRuns(3));
});
afterEach(async () => {
  // Whatever a test left going is stopped before its sandbox goes.
  await runPar(sandbox, ['cancel'], { cwd: repo }).catch(() => undefined);
  sandbox.cleanup();
});

type Event = { type: string; job?: string; at: string; supervisor_pid?: number };
const journal = (run: RunStatus): Event[] => readFileSync(join(run.dir, 'events.ndjson'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Event);
const supervisorOf = (run: RunStatus): number => (JSON.parse(readFileSync(join(run.dir, 'run.json'), 'utf8')) as { supervisor_pid: number }).supervisor_pid;

async function detached(args: string[]): Promise<RunStatus> {
  const started = await runPar(sandbox, ['run', ...args, '--detach'], { cwd: repo });
  expect(started.code).toBe(0);
  return status(started.stdout.trim());
}

async function until(run: string, holds: (now: RunStatus) => boolean, what: string): Promise<RunStatus> {
  for (let tries = 0; tries < 300; tries++) {
    const now = await status(run);
    if (holds(now)) return now;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Live processes whose working directory is inside the sandbox (setup commands, agents). */
function processesInSandbox(command: string): number[] {
  const found: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const cwd = readlinkSync(`/proc/${name}/cwd`);
      const argv = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0');
      if (cwd.startsWith(sandbox.dir) && argv[0] === command && processRuns(Number(name))) found.push(Number(name));
    } catch {
      // Gone meanwhile, or not ours to read.
    }
  }
  return found;
}

describe('a run that is going again is going', () => {
  it('par clean leaves alone a run taken over by par resume after it had finished', async () => {
    const first = await runPar(sandbox, ['run', '-m', 'x\nsim: duration=60s', '--new', '1', '-t', '5s'], { cwd: repo });
    expect(first.code).toBe(1);
    const ended = await status();
    expect(ended.jobs[0]).toMatchObject({ state: 'timed-out' });
    const worktree = ended.jobs[0]?.worktree as string;

    const resumed = await runPar(sandbox, ['resume', ended.run, '--detach'], { cwd: repo });
    expect(resumed.code).toBe(0);
    const listed = JSON.parse((await runPar(sandbox, ['list', 'runs', '--json'], { cwd: repo })).stdout) as { run: string; state: string }[];
    expect(listed.find((row) => row.run === ended.run)?.state).toBe('running');

    const cleaned = await runPar(sandbox, ['clean', '--all', '-f'], { cwd: repo });
    expect(cleaned.code).toBe(0);
    expect(cleaned.stdout).not.toContain(ended.run);
    expect(existsSync(worktree)).toBe(true);
    expect(branches(repo)).toContain(ended.jobs[0]?.branch);
    expect(existsSync(ended.dir)).toBe(true);
    const now = await status(ended.run);
    expect(now.state).toBe('running');
    expect(now.jobs[0]?.attempt).toBe(2);
  }, 60_000);

  it('par resume after par cancel runs the jobs again instead of replaying the cancel', async () => {
    const run = await detached(['-m', 'sim: duration=60s', wt(1)]);
    await until(run.run, (now) => now.jobs[0]?.state === 'running', 'the job to run');
    const cancelled = await runPar(sandbox, ['cancel', run.run], { cwd: repo });
    expect(cancelled.stdout).toContain(`Run ${run.run}: cancelled`);

    const resumed = await runPar(sandbox, ['resume', run.run, '--detach'], { cwd: repo });
    expect(resumed.code).toBe(0);
    const going = await until(run.run, (now) => now.jobs[0]?.state === 'running' && now.jobs[0]?.attempt === 2, 'the resumed job to run');
    // Long enough for a supervisor polling its channel every 100 ms to have replayed an old cancel.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect((await status(run.run)).jobs[0]).toMatchObject({ state: 'running', attempt: 2 });
    const events = journal(going).map((event) => event.type);
    expect(events.slice(events.indexOf('run/resumed'))).not.toContain('run/cancel-requested');
    // And par cancel reports the run as it ends now, not the end in its history.
    const again = await runPar(sandbox, ['cancel', run.run], { cwd: repo });
    expect(again.stdout).toBe(`Cancelling run ${run.run}…\nRun ${run.run}: cancelled\n`);
  }, 60_000);
});

describe('worktree setup is part of the job', () => {
  beforeEach(() => {
    writeFileSync(sandbox.configFile, `claude:\n  binary_path: ${JSON.stringify(SIM)}\nworktrees:\n  setup: [["sleep", "20"]]\n`);
  });

  it('Ctrl+C stops the setup at once: exit 130, every job cancelled, no setup command left', async () => {
    const par = startPar(sandbox, ['run', '-m', 'x', '--new', '3'], { cwd: repo });
    await eventually(() => processesInSandbox('sleep').length > 0, 15_000, 'a setup command to start');
    const interrupted = Date.now();
    par.child.kill('SIGINT');
    const result = await par.result;
    expect(result.code).toBe(130);
    // Before any one setup (20 s) could have finished, let alone the three of them.
    expect(Date.now() - interrupted).toBeLessThan(15_000);
    expect((await status()).jobs.map((job) => job.state)).toEqual(['cancelled', 'cancelled', 'cancelled']);
    await eventually(() => processesInSandbox('sleep').length === 0, 8000, 'the setup commands to end');
  }, 60_000);

  it('par cancel stops a run still setting up its worktrees', async () => {
    const run = await detached(['-m', 'x', '--new', '3']);
    await eventually(() => processesInSandbox('sleep').length > 0, 15_000, 'a setup command to start');
    const cancelled = await runPar(sandbox, ['cancel', run.run], { cwd: repo });
    expect(cancelled.stdout).toContain(`Run ${run.run}: cancelled`);
    expect(cancelled.stdout).not.toContain('Still stopping');
    await eventually(() => processesInSandbox('sleep').length === 0, 8000, 'the setup commands to end');
  }, 60_000);

  it('a setup command does not outlive a supervisor killed with -9', async () => {
    const run = await detached(['-m', 'x', '--new', '3']);
    await eventually(() => processesInSandbox('sleep').length > 0, 15_000, 'a setup command to start');
    process.kill(supervisorOf(run), 'SIGKILL');
    await eventually(() => processesInSandbox('sleep').length === 0, 10_000, 'the setup commands to end');
    expect((await status(run.run)).state).toBe('interrupted');
  }, 60_000);
});

describe('the state shown is the truth', () => {
  /** A run whose supervisor was killed with -9 while its job ran. */
  async function interrupted(): Promise<RunStatus> {
    const run = await detached(['-m', 'sim: duration=60s', wt(1)]);
    await until(run.run, (now) => now.jobs[0]?.state === 'running', 'the job to run');
    const pid = supervisorOf(run);
    process.kill(pid, 'SIGKILL');
    await eventually(() => !processRuns(pid), 5000, 'the supervisor to die');
    return run;
  }

  it('a supervisor pid now held by another process does not keep the run running', async () => {
    const run = await interrupted();
    // After a reboot or a while, the pid belongs to something else.
    const stranger = spawn('sleep', ['60'], { stdio: 'ignore' });
    onTestFinished(() => void stranger.kill('SIGKILL'));
    const dead = supervisorOf(run);
    for (const file of ['events.ndjson', 'run.json']) {
      const path = join(run.dir, file);
      writeFileSync(path, readFileSync(path, 'utf8').replaceAll(`"supervisor_pid":${dead}`, `"supervisor_pid":${stranger.pid}`).replaceAll(`"supervisor_pid": ${dead}`, `"supervisor_pid": ${stranger.pid}`));
    }
    expect((await status(run.run)).state).toBe('interrupted');
    const cancel = await runPar(sandbox, ['cancel', run.run], { cwd: repo });
    expect(cancel.stdout).toBe(`Run ${run.run} has already ended (interrupted); there is nothing to cancel.\n`);
    const resumed = await runPar(sandbox, ['resume', run.run, '--detach'], { cwd: repo });
    expect(resumed).toMatchObject({ code: 0, stderr: '' });
    await until(run.run, (now) => now.state === 'running' && now.jobs[0]?.attempt === 2, 'the resumed run');
  }, 60_000);

  it("an interrupted job's time stops at the journal's last event", async () => {
    const run = await interrupted();
    const last = journal(run).at(-1)?.at;
    const first = await status(run.run);
    expect(first.jobs[0]).toMatchObject({ state: 'interrupted', finished_at: last });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect((await status(run.run)).jobs[0]?.finished_at).toBe(last);
    const table = await runPar(sandbox, ['status', run.run], { cwd: repo });
    const again = await runPar(sandbox, ['status', run.run], { cwd: repo });
    expect(again.stdout).toBe(table.stdout);
  }, 60_000);

  it('par results --follow of a job that has already ended prints it and exits', async () => {
    const done = await runPar(sandbox, ['run', '-m', 'sim: turns=1', wt(1)], { cwd: repo });
    expect(done.code).toBe(0);
    const run = await status();
    const followed = await runPar(sandbox, ['results', run.run, 'wt1', '--follow'], { cwd: repo });
    expect(followed.code).toBe(0);
    expect(followed.stdout).toMatch(/── wt1 succeeded\n$/);
  }, 30_000);

  it('par resume counts what the run has spent against --budget', async () => {
    const first = await runPar(sandbox, ['run', '-m', 'sim: turns=2', wt(1), wt(2), wt(3), '-j', '1', '--budget', '0.03'], { cwd: repo });
    expect(first.code).toBe(1);
    const run = await status();
    expect(run.jobs[2]).toMatchObject({ state: 'cancelled', reason: 'budget', attempt: 0 });
    const resumed = await runPar(sandbox, ['resume', run.run], { cwd: repo });
    expect(resumed.code).toBe(1);
    const after = await status(run.run);
    expect(after.jobs[2]).toMatchObject({ state: 'cancelled', reason: 'budget', attempt: 0 });
    expect(after.jobs.reduce((sum, job) => sum + (job.cost_usd ?? 0), 0)).toBeCloseTo(0.0492, 4);
  }, 60_000);

  it('par resume of a --plan run off a terminal leaves its plans waiting, as par run does', async () => {
    const planned = await runPar(sandbox, ['run', '-m', 'sim: turns=1', wt(1), '--plan'], { cwd: repo });
    expect(planned.code).toBe(0);
    const run = await status();
    await runPar(sandbox, ['cancel', run.run], { cwd: repo });
    const resumed = await runPar(sandbox, ['resume', run.run], { cwd: repo });
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toContain('plan ready for review');
    expect(resumed.stdout).toContain(`Run ${run.run} waits for its plans to be reviewed: par approve ${run.run} --all approves them all`);
    expect((await status(run.run)).jobs[0]).toMatchObject({ state: 'awaiting-approval', attempt: 2 });
  }, 60_000);
});

describe('a broken file on disk is named, never a crash', () => {
  it('a corrupt worktrees.json stops par run before anything starts', async () => {
    const record = join(sandbox.dir, 'data', 'par', 'worktrees.json');
    mkdirSync(dirname(record), { recursive: true });
    writeFileSync(record, '[{"path": "/x", ');
    const result = await runPar(sandbox, ['run', '-m', 'x', '--new', '1'], { cwd: repo });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(new RegExp(`^par: The worktree record ${record} cannot be read: it is not valid JSON \\(.*\\); mend it by hand .*\\.\\n$`));
    expect(existsSync(join(sandbox.dir, 'data', 'par', 'runs'))).toBe(false);
    expect(readFileSync(record, 'utf8')).toBe('[{"path": "/x", ');
  });

  it('a corrupt run.json makes par status and par clean say which file and how to fix it', async () => {
    const done = await runPar(sandbox, ['run', '-m', 'sim: turns=1', wt(1)], { cwd: repo });
    expect(done.code).toBe(0);
    const run = await status();
    writeFileSync(join(run.dir, 'run.json'), '{"id": ');
    for (const args of [['status', run.run], ['clean', '--all', '-f']]) {
      const result = await runPar(sandbox, args, { cwd: repo });
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(new RegExp(`^par: The run file ${join(run.dir, 'run.json')} cannot be read: it is not valid JSON \\(.*\\); restore it from a backup, or remove its run directory .*\\.\\n$`));
      expect(result.stderr).not.toContain('bug in par');
    }
    expect(existsSync(wt(1))).toBe(true);
  }, 30_000);
});
