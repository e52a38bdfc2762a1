import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeSimRuns, runStatus, type RunStatus } from '../helpers/sim-runs.js';
import { git } from '../helpers/git-repo.js';
import { eventually, processRuns, runPar, type Sandbox } from '../helpers/par.js';

let sandbox: Sandbox;
let repo: string;
const wt = (n: number): string => join(sandbox.dir, `wt${n}`);
const status = (run?: string): Promise<RunStatus> => runStatus(sandbox, repo, run);

beforeEach(() => {
  ({ sandbox, repo } = makeSimRuns(3));
});
afterEach(() => sandbox.cleanup());

/** Starts a detached run, then kills its supervisor with SIGKILL once `ready` holds. */
async function interruptedRun(prompt: string, worktrees: string[], ready: (run: RunStatus) => boolean): Promise<RunStatus> {
  const started = await runPar(sandbox, ['run', '-m', prompt, ...worktrees, '--detach'], { cwd: repo });
  const id = started.stdout.trim();
  const { dir } = await status(id);
  const plan = (): { supervisor_pid: number | null } => JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as { supervisor_pid: number | null };
  for (let tries = 0; tries < 200 && !ready(await status(id)); tries++) await new Promise((resolve) => setTimeout(resolve, 50));
  const pid = plan().supervisor_pid as number;
  process.kill(pid, 'SIGKILL');
  await eventually(() => !processRuns(pid), 5000, 'the supervisor to die');
  return status(id);
}

describe('par resume', () => {
  it('after kill -9 of the supervisor, reruns the interrupted jobs as attempt 2, continuing their sessions', async () => {
    const asked = join(sandbox.dir, 'asked.ndjson');
    writeFileSync(join(wt(1), '.sim-knobs'), `asked=${asked}\n`);
    // Killed once every agent has begun its session (written some of it): the watchdogs end the agents at once.
    const run = await interruptedRun('sim: duration=4 turns=4', [wt(1), wt(2), wt(3)], (now) => now.jobs.every((job) => job.state === 'running' && job.turns > 0));
    expect(run.state).toBe('interrupted');
    expect(run.jobs.map((job) => job.state)).toEqual(['interrupted', 'interrupted', 'interrupted']);
    const sessions = run.jobs.map((job) => job.session_id);

    const resumed = await runPar(sandbox, ['resume', run.run], { cwd: repo });
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toMatch(/wt1 {2}queued {2}again, attempt 2/);
    expect(resumed.stdout).toContain('succeeded: 3/3 succeeded');
    const after = await status(run.run);
    expect(after.state).toBe('succeeded');
    expect(after.jobs.map((job) => [job.state, job.attempt])).toEqual([['succeeded', 2], ['succeeded', 2], ['succeeded', 2]]);
    expect(after.jobs.map((job) => job.session_id)).toEqual(sessions);
    // The agent was asked to continue its session, with a short prompt.
    const started = readFileSync(join(run.dir, 'events.ndjson'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { type: string; job?: string; attempt?: number });
    expect(started.filter((event) => event.type === 'run/resumed')).toHaveLength(1);
    const calls = readFileSync(asked, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { argv: string[]; prompt: string });
    expect(calls).toHaveLength(2);
    expect(calls[0]?.argv).toContain('--session-id');
    expect(calls[1]?.argv).toEqual(expect.arrayContaining(['--resume', sessions[0]]));
    expect(calls[1]?.argv).not.toContain('--session-id');
    expect(calls[1]?.prompt).toBe('You were interrupted. Continue where you left off and finish the task.\n');
    const report = JSON.parse(readFileSync(join(run.dir, 'report.json'), 'utf8')) as { jobs: { id: string; attempt: number }[] };
    expect(report.jobs.map((job) => job.attempt)).toEqual([2, 2, 2]);
  }, 60_000);

  it('reruns only what did not succeed; a job whose worktree is gone fails saying so, the others resume', async () => {
    writeFileSync(join(wt(2), '.sim-knobs'), 'fail\n');
    writeFileSync(join(wt(3), '.sim-knobs'), 'fail\n');
    const first = await runPar(sandbox, ['run', '-m', 'sim: turns=1', wt(1), wt(2), wt(3)], { cwd: repo });
    expect(first.code).toBe(1);
    rmSync(join(wt(2), '.sim-knobs'));
    git(repo, 'worktree', 'remove', '--force', wt(3));
    const run = await status();
    const resumed = await runPar(sandbox, ['resume', run.run.slice(0, 17), '--json'], { cwd: repo });
    expect(resumed.code).toBe(1);
    const after = await status(run.run);
    expect(after.jobs.map((job) => [job.id, job.state, job.attempt])).toEqual([
      ['wt1', 'succeeded', 1],
      ['wt2', 'succeeded', 2],
      ['wt3', 'failed', 1],
    ]);
    expect(after.jobs[2]?.error).toBe(`its worktree ${wt(3)} is gone; it cannot run again there`);
    const lines = resumed.stdout.trim().split('\n').map((line) => JSON.parse(line) as { type: string; id?: string });
    expect(lines.at(-1)?.type).toBe('summary');
    expect(lines.some((line) => line.id === 'wt1')).toBe(false);
  }, 60_000);

  it('refuses a run still going (exit 2), and says when there is nothing to resume', async () => {
    const started = await runPar(sandbox, ['run', '-m', 'sim: duration=3', wt(1), '--detach'], { cwd: repo });
    const id = started.stdout.trim();
    const busy = await runPar(sandbox, ['resume', id], { cwd: repo });
    expect(busy.code).toBe(2);
    expect(busy.stderr).toMatch(new RegExp(`^par: Run ${id} is still going \\(supervisor pid \\d+\\); let it end, or stop it with par cancel ${id}, then resume it\\.\\n$`));
    await eventually(() => readFileSync(join(sandbox.dir, 'data', 'par', 'runs', id, 'events.ndjson'), 'utf8').includes('run/finished'), 15_000);
    const nothing = await runPar(sandbox, ['resume', id], { cwd: repo });
    expect(nothing).toMatchObject({ code: 0, stdout: `Every job of run ${id} succeeded; there is nothing to resume.\n` });
    const unknown = await runPar(sandbox, ['resume', 'nope'], { cwd: repo });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^par: There is no run 'nope'/);
  }, 60_000);

  it('--detach --json prints the run alone and returns; a second resume meanwhile refuses', async () => {
    writeFileSync(join(wt(1), '.sim-knobs'), 'fail\n');
    await runPar(sandbox, ['run', '-m', 'sim: turns=1', wt(1)], { cwd: repo });
    rmSync(join(wt(1), '.sim-knobs'));
    writeFileSync(join(wt(1), '.sim-knobs'), 'duration=2\n');
    const run = await status();
    const detached = await runPar(sandbox, ['resume', run.run, '--detach', '--json'], { cwd: repo });
    expect(detached).toMatchObject({ code: 0, stdout: `${JSON.stringify({ run: run.run })}\n` });
    const second = await runPar(sandbox, ['resume', run.run], { cwd: repo });
    expect(second.code).toBe(2);
    await eventually(() => readFileSync(join(run.dir, 'events.ndjson'), 'utf8').trim().endsWith('"state":"succeeded"}'), 15_000, 'the resumed run to succeed');
    expect((await status(run.run)).jobs[0]).toMatchObject({ state: 'succeeded', attempt: 2 });
  }, 60_000);
});
