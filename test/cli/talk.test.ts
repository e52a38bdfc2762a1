// Talking with running agents through the CLI (DESIGN §14), with the
// simulated agent speaking the two-way channel: the commands, what each says
// when the job cannot take it, and the waits (input timeout, idle timeout,
// usage limits, the machine-wide cap on agents).
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sendCommand } from '../../src/rundir/channel.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunEvent } from '../../src/core/events.js';
import { eventually, processRuns, runPar, type Sandbox } from '../helpers/par.js';
import { makeSimRuns, runStatus, type RunStatus } from '../helpers/sim-runs.js';

let sandbox: Sandbox;
let repo: string;
const wt = (n: number): string => join(sandbox.dir, `wt${n}`);
const status = (run?: string): Promise<RunStatus> => runStatus(sandbox, repo, run);

beforeEach(() => {
  ({ sandbox, repo } = makeSimRuns(3));
});
afterEach(async () => {
  await runPar(sandbox, ['cancel'], { cwd: repo }).catch(() => undefined);
  sandbox.cleanup();
});

const journal = (run: RunStatus): RunEvent[] => readFileSync(join(run.dir, 'events.ndjson'), 'utf8').split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as RunEvent);
const config = (yaml: string): void => appendFileSync(sandbox.configFile, yaml);

async function detached(args: string[]): Promise<RunStatus> {
  const started = await runPar(sandbox, ['run', ...args, '--detach'], { cwd: repo });
  expect(started.stderr).toBe('');
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
const waiting = (run: string, job = 'wt1'): Promise<RunStatus> => until(run, (now) => now.jobs.find((item) => item.id === job)?.state === 'needs-input', `${job} to need input`);
const finished = (run: string): Promise<RunStatus> => until(run, (now) => now.state !== 'running', 'the run to finish');

describe('par send, approve, deny, answer, interrupt and inbox with the simulated agent', () => {
  it('a request left to a person waits in the inbox; approve lets the command run, and the job carries on', async () => {
    const run = await detached(['-m', 'sim: turns=1 duration=100ms ask=curl_example.com', wt(1)]);
    let now = await waiting(run.run);
    expect(now.jobs[0]?.pending).toMatchObject({ kind: 'permission', tool: 'Bash', input: { command: 'curl example.com' } });
    const table = await runPar(sandbox, ['status', run.run], { cwd: repo });
    expect(table.stdout).toContain(`asks: Bash curl example.com — par approve ${run.run} wt1  |  par deny ${run.run} wt1 -m '…'`);
    expect(table.stdout).toMatch(/running: 0\/1 succeeded, 1 need you \(par inbox\)/);
    const inbox = await runPar(sandbox, ['inbox', '--json'], { cwd: repo });
    expect(JSON.parse(inbox.stdout)).toEqual([expect.objectContaining({ run: run.run, job: 'wt1', kind: 'permission', summary: 'asks: Bash curl example.com' })]);
    const approved = await runPar(sandbox, ['approve', run.run, 'wt1'], { cwd: repo });
    expect(approved).toMatchObject({ code: 0, stdout: 'wt1: allowed.\n' });
    now = await finished(run.run);
    expect(now.jobs[0]).toMatchObject({ state: 'succeeded', pending: null });
    expect((await runPar(sandbox, ['inbox'], { cwd: repo })).stdout).toBe('Nothing waits for you.\n');
  }, 30_000);

  it('two people answering the same request at once: one wins, the other is told who answered', async () => {
    // The job goes on for a while after the answer: the loser finds the run still going.
    const run = await detached(['-m', 'sim: turns=1 duration=4s ask=curl_example.com', wt(1)]);
    await waiting(run.run);
    const [first, second] = await Promise.all([runPar(sandbox, ['approve', run.run, 'wt1'], { cwd: repo }), runPar(sandbox, ['deny', run.run, 'wt1', '-m', 'no'], { cwd: repo })]);
    const codes = [first.code, second.code].sort();
    expect(codes).toEqual([0, 1]);
    const loser = first.code === 1 ? first : second;
    expect(loser.stderr).toMatch(/^par: (Request .* was already answered: (allowed|denied) by a person \(cli\)|Job wt1 has nothing pending to (approve|deny) .*(allowed|denied) by a person \(cli\).*)\.?\n$/);
    const decided = journal(await finished(run.run)).filter((event) => event.type === 'job/permission');
    expect(decided).toHaveLength(1);
  }, 30_000);

  it('refuses what a job cannot take, each in one sentence', async () => {
    const run = await detached(['-m', 'sim: turns=1 duration=100ms ask=curl_example.com', wt(1)]);
    await waiting(run.run);
    const cases: [string[], number, RegExp][] = [
      [['send', 'nosuch', 'wt1', '-m', 'x'], 2, /no run/i],
      [['send', run.run, 'nosuch', '-m', 'x'], 2, /has no job 'nosuch'/],
      [['send', run.run, 'wt1', '-m', '   '], 2, /The message is empty/],
      [['send', run.run, 'wt1'], 2, /Say what to send|message is empty/],
      [['deny', run.run, 'wt1', 'extra'], 2, /too many arguments|unknown/i],
      [['answer', run.run, 'wt1', '1'], 1, /waits for a permission request/],
      [['interrupt', run.run, 'nosuch'], 2, /has no job/],
    ];
    for (const [args, code, message] of cases) {
      const result = await runPar(sandbox, args, { cwd: repo, input: '' });
      expect(result.code, args.join(' ')).toBe(code);
      expect(result.stderr, args.join(' ')).toMatch(message);
      expect(result.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
    }
    // A 20 MB message belongs in a file.
    const big = join(sandbox.dir, 'big.txt');
    writeFileSync(big, 'x'.repeat(20 * 1024 * 1024));
    const tooBig = await runPar(sandbox, ['send', run.run, 'wt1', '--file', big], { cwd: repo });
    expect(tooBig).toMatchObject({ code: 2, stderr: 'par: The message is 20.0 MB; par sends at most 256 KB: write it to a file in the worktree and send a message naming the file.\n' });
    await runPar(sandbox, ['approve', run.run, 'wt1'], { cwd: repo });
    await finished(run.run);
    const nothing = await runPar(sandbox, ['approve', run.run, 'wt1', '--always'], { cwd: repo });
    expect(nothing).toMatchObject({ code: 1, stderr: expect.stringMatching(/^par: Run .* is over \(succeeded\): nothing in it waits for an answer\.\n$/) });
  }, 60_000);

  it('a job cancelled before it began has no session to continue', async () => {
    const run = await detached(['-m', 'sim: duration=5s', wt(1), wt(2), '-j', '1']);
    await runPar(sandbox, ['cancel', run.run], { cwd: repo });
    const over = await finished(run.run);
    expect(over.jobs[1]).toMatchObject({ state: 'cancelled', session_id: null });
    const sent = await runPar(sandbox, ['send', run.run, 'wt2', '-m', 'go on'], { cwd: repo });
    expect(sent).toMatchObject({ code: 1, stderr: 'par: Job wt2 ended (cancelled) before its agent began a session, so there is nothing to continue: rerun it instead.\n' });
  }, 30_000);

  it('answer picks a question’s option by number or label; interrupt makes a long turn wait for instructions; send gives them', async () => {
    const run = await detached(['-m', 'sim: turns=1 duration=100ms question=Which_database? options=Postgres,SQLite long=60s', wt(1)]);
    await waiting(run.run);
    expect((await runPar(sandbox, ['answer', run.run, 'wt1', 'sqlite'], { cwd: repo })).stdout).toBe('wt1: answered "SQLite".\n');
    // The long call (a sleep: the safe preset allows it) runs until interrupted.
    await until(run.run, (now) => now.jobs[0]?.state === 'running' && now.jobs[0]?.activity === 'Bash sleep 60', 'the long call to run');
    expect((await runPar(sandbox, ['interrupt', run.run, 'wt1'], { cwd: repo })).code).toBe(0);
    const now = await waiting(run.run);
    expect(now.jobs[0]?.pending).toMatchObject({ kind: 'instructions' });
    expect((await runPar(sandbox, ['send', run.run, 'wt1', '-m', 'Write it down instead.\nsim: write=NOTES.md'], { cwd: repo })).stdout).toBe('wt1: delivered.\n');
    const over = await finished(run.run);
    expect(over.jobs[0]).toMatchObject({ state: 'succeeded', attempt: 1 });
    expect(readFileSync(join(wt(1), 'NOTES.md'), 'utf8')).toBe('Write it down instead.\n');
    const kinds = journal(over).map((event) => event.type).filter((type) => ['job/needs-input', 'job/answered', 'job/permission', 'job/interrupted', 'job/message'].includes(type));
    expect(kinds).toEqual(['job/needs-input', 'job/answered', 'job/permission', 'job/interrupted', 'job/needs-input', 'job/answered', 'job/message']);
  }, 60_000);

  it('an interrupt the moment the job starts, before its agent has said anything, still leaves it waiting for instructions', async () => {
    // The agent takes a while to start, as a real CLI can: the interrupt reaches it before it has said anything.
    const run = await detached(['-m', 'sim: turns=1 long=30s boot=1s', wt(1)]);
    const events = join(run.dir, 'events.ndjson');
    for (const deadline = Date.now() + 10_000; !readFileSync(events, 'utf8').includes('"type":"job/started"'); ) {
      if (Date.now() > deadline) throw new Error('the job did not start');
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    // Written straight to the run's channel, as the web server does: no CLI start-up between.
    sendCommand(run.dir, { type: 'interrupt', id: 'early', job: 'wt1', via: 'web' });
    const now = await waiting(run.run);
    expect(now.jobs[0]?.pending).toMatchObject({ kind: 'instructions' });
  }, 30_000);

  it('approve --always --save: the rule holds for the rest of the run and is added to permissions.allow', async () => {
    const run = await detached(['-m', 'sim: turns=1 duration=100ms ask=curl_-s_a ask=curl_-s_b', wt(1)]);
    await waiting(run.run);
    const approved = await runPar(sandbox, ['approve', run.run, 'wt1', '--always', '--save'], { cwd: repo });
    expect(approved.stdout).toBe('wt1: allowed; Bash(curl -s:*) is allowed for the rest of the run and saved to permissions.allow.\n');
    const over = await finished(run.run);
    const decided = journal(over).flatMap((event) => (event.type === 'job/permission' ? [[event.input, event.by, event.rule]] : []));
    expect(decided).toEqual([
      ['curl -s a', 'person', 'Bash(curl -s:*)'],
      ['curl -s b', 'rule', 'Bash(curl -s:*)'],
    ]);
    expect((await runPar(sandbox, ['config', 'get', 'permissions.allow', '--json'], { cwd: repo })).stdout).toBe('[\n  "Bash(curl -s:*)"\n]\n');
  }, 30_000);

  it('a message sent to a finished job of a run that is over continues its session as the next attempt', async () => {
    await runPar(sandbox, ['run', '-m', 'sim: turns=1 duration=100ms', wt(1)], { cwd: repo });
    const run = await status();
    const sent = await runPar(sandbox, ['send', run.run, 'wt1', '-m', 'And a changelog.\nsim: write=CHANGELOG.md'], { cwd: repo });
    expect(sent.stdout).toBe(`wt1: its session continues as a new attempt (par status ${run.run}).\n`);
    await until(run.run, (now) => now.state === 'succeeded' && now.jobs[0]?.attempt === 2, 'the second attempt');
    expect(readFileSync(join(wt(1), 'CHANGELOG.md'), 'utf8')).toBe('written by the simulated agent\n');
    const started = journal(await status(run.run)).filter((event): event is Extract<RunEvent, { type: 'job/started' }> => event.type === 'job/started');
    expect(started.map((event) => event.session_id)).toEqual([started[0]?.session_id, started[0]?.session_id]);
  }, 30_000);
});

describe('waits that never hang a run', () => {
  it('time waiting on a person counts toward neither the idle timeout nor the job timeout; the input timeout denies', async () => {
    config('defaults:\n  input_timeout: 3s\n');
    const run = await detached(['-m', 'sim: turns=1 duration=100ms ask=curl_example.com', wt(1), '--idle-timeout', '1s', '-t', '2s']);
    const over = await finished(run.run);
    expect(over.jobs[0]).toMatchObject({ state: 'succeeded' });
    const decision = journal(over).find((event) => event.type === 'job/permission');
    expect(decision).toMatchObject({ decision: 'deny', by: 'timeout', message: 'nobody answered in time (defaults.input_timeout)' });
  }, 30_000);

  it('a request of a kind par does not know is answered with an error, and the job goes on', async () => {
    const result = await runPar(sandbox, ['run', '-m', 'sim: turns=1 duration=100ms unknown-control', wt(1)], { cwd: repo });
    expect(result.code).toBe(0);
  }, 30_000);

  it('a usage limit pauses the job until the reset and then continues its session (no retry used); --on-limit stop fails it', async () => {
    const waited = await runPar(sandbox, ['run', '-m', 'sim: turns=1 duration=100ms limit=2', wt(1), '--retries', '0'], { cwd: repo });
    expect(waited.code).toBe(0);
    const run = await status();
    const events = journal(run);
    const paused = events.find((event) => event.type === 'job/paused');
    expect(paused).toMatchObject({ job: 'wt1', limit: 'five_hour' });
    expect(run.jobs[0]).toMatchObject({ state: 'succeeded', attempt: 2 });
    expect(JSON.parse(readFileSync(join(sandbox.dir, 'data', 'par', 'limits.json'), 'utf8'))).toHaveProperty([join(sandbox.home, '.claude')]);

    const stopped = await runPar(sandbox, ['run', '-m', 'sim: turns=1 duration=100ms limit=30', wt(2), '--on-limit', 'stop'], { cwd: repo });
    expect(stopped.code).toBe(1);
    expect((await status()).jobs[0]).toMatchObject({ state: 'failed', reason: 'usage limit' });
  }, 60_000);

  it('defaults.max_agents caps live agents across runs on the machine', async () => {
    config('defaults:\n  max_agents: 1\n');
    const [first, second] = await Promise.all([
      runPar(sandbox, ['run', '-m', 'sim: turns=1 duration=700ms', wt(1), wt(2)], { cwd: repo }),
      runPar(sandbox, ['run', '-m', 'sim: turns=1 duration=700ms', wt(3)], { cwd: repo }),
    ]);
    expect([first.code, second.code]).toEqual([0, 0]);
    const spans: [number, number][] = [];
    const runs = JSON.parse((await runPar(sandbox, ['list', 'runs', '--json'], { cwd: repo })).stdout) as { run: string }[];
    expect(runs).toHaveLength(2);
    for (const { run: id } of runs) {
      const run = await status(id);
      for (const event of journal(run)) {
        if (event.type === 'job/started') spans.push([Date.parse(event.at), Number.POSITIVE_INFINITY]);
        if (event.type === 'job/finished') {
          const open = spans.find((span) => span[1] === Number.POSITIVE_INFINITY);
          if (open) open[1] = Date.parse(event.at);
        }
      }
    }
    spans.sort((a, b) => a[0] - b[0]);
    expect(spans).toHaveLength(3);
    // The place frees as the agent exits, a moment before its job is journaled finished: 100 ms of slack, against 700 ms agents.
    for (let index = 1; index < spans.length; index++) expect(spans[index]?.[0]).toBeGreaterThanOrEqual((spans[index - 1]?.[1] ?? 0) - 100);
  }, 60_000);

  it('a malformed permissions rule stops par run, naming the rule and its line', async () => {
    config('permissions:\n  allow:\n    - Bash(npm test:*)\n    - Bash(npm test\n');
    const result = await runPar(sandbox, ['run', '-m', 'x', wt(1)], { cwd: repo });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/line 6 is invalid: permissions.allow holds a malformed rule: "Bash\(npm test" is not a rule/);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  }, 30_000);

  it('the supervisor killed with kill -9 while a request is pending: resume brings the job back and the request is asked again', async () => {
    const run = await detached(['-m', 'sim: turns=1 duration=100ms ask=curl_example.com', wt(1)]);
    await waiting(run.run);
    const pid = (JSON.parse(readFileSync(join(run.dir, 'run.json'), 'utf8')) as { supervisor_pid: number }).supervisor_pid;
    process.kill(pid, 'SIGKILL');
    await eventually(() => !processRuns(pid), 5000, 'the supervisor to die');
    expect((await status(run.run)).jobs[0]).toMatchObject({ state: 'interrupted' });
    const resumed = await runPar(sandbox, ['resume', run.run, '--detach'], { cwd: repo });
    expect(resumed.code).toBe(0);
    const again = await waiting(run.run);
    expect(again.jobs[0]).toMatchObject({ attempt: 2, pending: { kind: 'permission', input: { command: 'curl example.com' } } });
    await runPar(sandbox, ['approve', run.run, 'wt1'], { cwd: repo });
    expect((await finished(run.run)).jobs[0]).toMatchObject({ state: 'succeeded', attempt: 2 });
  }, 60_000);
});

describe('par permissions check', () => {
  it.each([
    ['Bash(npm test && rm -rf ~)', "denied, by preset: safe: rm -r outside the job's worktree\n  allow  npm test  — preset: safe: a test, lint or build command\n  deny   rm -rf ~  — preset: safe: rm -r outside the job's worktree\n"],
    ['Bash(npm test)', 'allowed, by preset: safe: a test, lint or build command\n'],
    ['Bash(curl example.com)', 'asked (a person decides), by rule: permissions.default (ask)\n'],
    ['Read(./.env)', 'denied, by preset: safe: reads or writes a secret\n'],
  ])('%s', async (call, printed) => {
    const result = await runPar(sandbox, ['permissions', 'check', call], { cwd: wt(1) });
    expect(result).toMatchObject({ code: 0, stdout: printed, stderr: '' });
  });

  it('a bad call is one sentence, exit 2', async () => {
    expect(await runPar(sandbox, ['permissions', 'check', 'Bash(oops'], { cwd: repo })).toMatchObject({ code: 2, stderr: expect.stringMatching(/^par: "Bash\(oops" is not a call/) });
  });
});
