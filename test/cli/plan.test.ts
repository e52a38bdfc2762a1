import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SIM, makeSimRuns, runStatus, type RunStatus } from '../helpers/sim-runs.js';
import { eventually, processRuns, runPar, type Sandbox } from '../helpers/par.js';

let sandbox: Sandbox;
let repo: string;
const wt = (n: number): string => join(sandbox.dir, `wt${n}`);
const status = (run?: string): Promise<RunStatus> => runStatus(sandbox, repo, run);

beforeEach(() => {
  ({ sandbox, repo } = makeSimRuns(3));
});
afterEach(() => sandbox.cleanup());

function journal(dir: string): { type: string; job?: string; session_id?: string; phase?: string; plan?: string }[] {
  return readFileSync(join(dir, 'events.ndjson'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { type: string });
}

describe('par run --plan', () => {
  it('--yes: each job plans read-only, then executes its plan in the same session', async () => {
    const asked = join(sandbox.dir, 'asked.ndjson');
    const result = await runPar(sandbox, ['run', '-m', `Add a changelog.\nsim: write=CHANGELOG.md asked=${asked}`, wt(1), wt(2), wt(3), '--plan', '--yes'], { cwd: repo });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/wt1 {2}planning {2}pid \d+ {2}read-only, writing a plan/);
    expect(result.stdout).toMatch(/wt1 {2}awaiting-approval {2}plan ready for review \(\$0\.\d+\):\n {4}│ 1\. Read README\.md and the tests\n/);
    const run = await status();
    expect(run.state).toBe('succeeded');
    expect(run.jobs.map((job) => [job.state, job.attempt, job.denials])).toEqual([['succeeded', 1, []], ['succeeded', 1, []], ['succeeded', 1, []]]);
    const events = journal(run.dir);
    expect(events.filter((event) => event.type === 'job/plan-ready')).toHaveLength(3);
    expect(events.filter((event) => event.type === 'job/approved')).toHaveLength(3);
    for (const job of ['wt1', 'wt2', 'wt3']) {
      const started = events.filter((event) => event.type === 'job/started' && event.job === job);
      expect(started.map((event) => event.phase ?? 'run')).toEqual(['plan', 'run']);
      expect(started[1]?.session_id).toBe(started[0]?.session_id);
      // The execution made the change the plan announced.
      expect(existsSync(join(wt(Number(job.slice(2))), 'CHANGELOG.md'))).toBe(true);
    }
    const calls = readFileSync(asked, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { argv: string[]; prompt: string });
    const planning = calls.filter((call) => call.argv.includes('plan'));
    const executing = calls.filter((call) => call.argv.includes('--resume'));
    expect(planning).toHaveLength(3);
    expect(planning[0]?.argv).toEqual(expect.arrayContaining(['--permission-mode', 'plan', '--disallowedTools', 'Edit', 'Write', 'NotebookEdit', '--session-id']));
    expect(executing).toHaveLength(3);
    expect(executing[0]?.argv).toEqual(expect.arrayContaining(['--permission-mode', 'acceptEdits']));
    expect(executing[0]?.prompt).toMatch(/^Your plan is approved\. Carry it out now, as planned:\n\n1\. Read README\.md and the tests\n/);
    // The planning transcript and the execution's are both in the log.
    const log = readFileSync(join(run.dir, 'jobs', 'wt1', 'output.log'), 'utf8');
    expect(log).toContain('"name":"ExitPlanMode"');
    expect(log).toContain('Done: the change is made');
  }, 60_000);

  it('without --yes off a terminal: prints the plans and how to approve, exits 0, and par approve --all finishes the run', async () => {
    const result = await runPar(sandbox, ['run', '-m', 'sim: write=NOTES.md plan=1._Write_NOTES.md', wt(1), wt(2), '--plan'], { cwd: repo });
    expect(result.code).toBe(0);
    const run = await status();
    expect(result.stdout).toContain(`Run ${run.run} waits for its plans to be reviewed: par approve ${run.run} --all approves them all`);
    expect(result.stdout).toContain('    │ 1. Write NOTES.md\n');
    expect(run.state).toBe('running');
    expect(run.jobs.map((job) => [job.state, job.plan])).toEqual([['awaiting-approval', '1. Write NOTES.md'], ['awaiting-approval', '1. Write NOTES.md']]);
    expect(existsSync(join(wt(1), 'NOTES.md'))).toBe(false);

    const none = await runPar(sandbox, ['approve', run.run], { cwd: repo });
    expect(none.code).toBe(2);
    expect(none.stderr).toBe(`par: Say which plans to approve: par approve ${run.run} JOB, or --all (waiting: wt1, wt2).\n`);
    const one = await runPar(sandbox, ['approve', run.run, 'wt1'], { cwd: repo });
    expect(one).toMatchObject({ code: 0, stdout: `Approved wt1; it executes as places free up (par status ${run.run}).\n` });
    await eventually(() => journal(run.dir).some((event) => event.type === 'job/finished' && event.job === 'wt1'), 15_000, 'wt1 to finish');
    const again = await runPar(sandbox, ['approve', run.run, 'wt1'], { cwd: repo });
    expect(again.code).toBe(2);
    expect(again.stderr).toBe('par: Job wt1 is succeeded, not awaiting approval; waiting: wt2.\n');
    expect((await runPar(sandbox, ['approve', run.run, '--all'], { cwd: repo })).code).toBe(0);
    await eventually(() => journal(run.dir).some((event) => event.type === 'run/finished'), 15_000, 'the run to finish');
    const done = await status(run.run);
    expect(done.state).toBe('succeeded');
    expect(existsSync(join(wt(2), 'NOTES.md'))).toBe(true);
  }, 60_000);

  it('plans waiting for review hold no place: with -j 1 all three plan, then the run waits', async () => {
    const result = await runPar(sandbox, ['run', '-m', 'sim: turns=1', wt(1), wt(2), wt(3), '--plan', '-j', '1'], { cwd: repo });
    expect(result.code).toBe(0);
    const run = await status();
    expect(run.jobs.map((job) => job.state)).toEqual(['awaiting-approval', 'awaiting-approval', 'awaiting-approval']);
    // Nothing is left waiting after the test.
    expect((await runPar(sandbox, ['cancel', run.run], { cwd: repo })).stdout).toContain(`Run ${run.run}: cancelled`);
  }, 60_000);

  it('a supervisor whose run directory is removed stops its run and ends, instead of waiting forever', async () => {
    await runPar(sandbox, ['run', '-m', 'sim: turns=1', wt(1), '--plan'], { cwd: repo });
    const run = await status();
    const { supervisor_pid: pid } = JSON.parse(readFileSync(join(run.dir, 'run.json'), 'utf8')) as { supervisor_pid: number };
    expect(processRuns(pid)).toBe(true);
    rmSync(run.dir, { recursive: true, force: true });
    await eventually(() => !processRuns(pid), 10_000, 'the supervisor to end');
  }, 60_000);

  it('--json leaves with a waiting line; a job cancelled while its plan waits ends cancelled', async () => {
    const result = await runPar(sandbox, ['run', '-m', 'sim: turns=1', wt(1), '--plan', '--json'], { cwd: repo });
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as { type: string; state?: string; plan?: string; approve?: string; run?: string });
    expect(lines.some((line) => line.type === 'job' && line.state === 'awaiting-approval' && typeof line.plan === 'string')).toBe(true);
    const last = lines.at(-1);
    expect(last).toEqual({ type: 'waiting', run: last?.run, approve: `par approve ${last?.run} --all` });
    const cancelled = await runPar(sandbox, ['cancel', last?.run ?? '', 'wt1'], { cwd: repo });
    expect(cancelled.code).toBe(0);
    const run = await status(last?.run);
    expect(run.jobs[0]).toMatchObject({ state: 'cancelled', reason: 'user' });
  }, 60_000);

  it('fails a job whose agent changed files while planning, and refuses --plan for an agent that cannot plan', async () => {
    const result = await runPar(sandbox, ['run', '-m', 'sim: wrong-plan', wt(1), '--plan', '--yes'], { cwd: repo });
    expect(result.code).toBe(1);
    expect((await status()).jobs[0]).toMatchObject({ state: 'failed', error: 'the agent changed files while planning; nothing was executed (see git status in its worktree)' });
    writeFileSync(sandbox.configFile, `claude:\n  binary_path: ${JSON.stringify(SIM)}\nagents:\n  echo:\n    binary: sh\n    args: ["-c", "cat"]\n    prompt: stdin\n    output: text\n`);
    const refused = await runPar(sandbox, ['run', '-m', 'x', wt(1), '--plan', '--agent', 'echo'], { cwd: repo });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toBe("par: --plan uses claude's plan mode; the agent 'echo' cannot plan, so run it without --plan.\n");
  }, 60_000);
});
