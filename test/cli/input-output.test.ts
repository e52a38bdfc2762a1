import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { git, makeRepo } from '../helpers/git-repo.js';
import { runPar, type Sandbox } from '../helpers/par.js';
import { makeSimRuns, runStatus, type RunStatus } from '../helpers/sim-runs.js';
import { PERMISSION_MODES } from '../../src/config/settings.js';

let sandbox: Sandbox;
let repo: string;
const wt = (n: number): string => join(sandbox.dir, `wt${n}`);
const status = (run?: string): Promise<RunStatus> => runStatus(sandbox, repo, run);

beforeEach(() => {
  ({ sandbox, repo } = makeSimRuns(1));
});
afterEach(() => sandbox.cleanup());

describe('bad input is refused before anything starts', () => {
  it('an unknown --permission-mode, on the command line or in a prompt’s front matter', async () => {
    const modes = PERMISSION_MODES.join(', ');
    const flag = await runPar(sandbox, ['run', '-m', 'x', wt(1), '--permission-mode', 'bogus'], { cwd: repo });
    expect(flag).toMatchObject({ code: 2, stdout: '', stderr: `par: --permission-mode 'bogus' is not a permission mode of claude; use one of ${modes}.\n` });

    mkdirSync(sandbox.promptsDir, { recursive: true });
    const prompt = join(sandbox.promptsDir, 'careful.md');
    writeFileSync(prompt, '---\ndescription: careful\npermission_mode: bogus\n---\nDo it carefully.\n');
    const front = await runPar(sandbox, ['run', 'careful', wt(1)], { cwd: repo });
    expect(front).toMatchObject({ code: 2, stdout: '' });
    expect(front.stderr).toBe(`par: The front matter of ${prompt} sets permission_mode: "bogus", which is not a permission mode of claude; use one of ${modes} there.\n`);
    expect(existsSync(join(sandbox.dir, 'data', 'par', 'runs'))).toBe(false);

    // A valid mode in the front matter reaches claude.
    writeFileSync(prompt, '---\ndescription: careful\npermission_mode: plan\n---\nDo it carefully.\n');
    const dry = await runPar(sandbox, ['run', 'careful', wt(1), '--dry-run'], { cwd: repo });
    expect(dry.stdout).toContain('--permission-mode plan');
  });

  it('par merge from inside another repository, with the job’s worktree gone, merges into the run’s repository', async () => {
    await runPar(sandbox, ['run', '-m', 'sim: turns=1 write=feature.txt', '--new', '1'], { cwd: repo });
    const run = await status();
    const job = run.jobs[0]!;
    git(repo, 'worktree', 'remove', '--force', job.worktree as string);
    const elsewhere = makeRepo(join(sandbox.dir, 'elsewhere'));
    const merged = await runPar(sandbox, ['merge', run.run, 't1'], { cwd: elsewhere });
    expect(merged).toMatchObject({ code: 0, stderr: '', stdout: `Merged ${job.branch} into main (1 file changed).\n` });
    expect(readFileSync(join(repo, 'feature.txt'), 'utf8')).toBe('written by the simulated agent\n');
    expect(existsSync(join(elsewhere, 'feature.txt'))).toBe(false);

    git(repo, 'branch', '-D', job.branch as string);
    const gone = await runPar(sandbox, ['merge', run.run, 't1'], { cwd: elsewhere });
    expect(gone).toMatchObject({ code: 2, stderr: `par: The branch ${job.branch} of job t1 is gone from ${repo} (deleted by par clean or by hand); there is nothing to merge.\n` });

    rmSync(repo, { recursive: true, force: true });
    const noRepo = await runPar(sandbox, ['merge', run.run, 't1'], { cwd: elsewhere });
    expect(noRepo.code).toBe(2);
    expect(noRepo.stderr).toBe(`par: Cannot find the repository of run ${run.run} (${repo}); it was moved or deleted, so job t1 cannot be merged.\n`);
  });
});

describe('what par prints is what happened', () => {
  it('a second par merge --squash of the same job says it is already in and makes no commit', async () => {
    await runPar(sandbox, ['run', '-m', 'sim: turns=1 write=feature.txt', '--new', '1'], { cwd: repo });
    const run = await status();
    const branch = run.jobs[0]?.branch as string;
    const first = await runPar(sandbox, ['merge', run.run, 't1', '--squash'], { cwd: repo });
    expect(first.stdout).toBe(`Merged ${branch} into main as one commit (1 file changed).\n`);
    const commits = git(repo, 'rev-list', '--count', 'HEAD');
    const second = await runPar(sandbox, ['merge', run.run, 't1', '--squash'], { cwd: repo });
    expect(second).toMatchObject({ code: 0, stderr: '', stdout: `main already holds every change of ${branch} (merged before); nothing to merge, no commit made.\n` });
    expect(git(repo, 'rev-list', '--count', 'HEAD')).toBe(commits);
    expect(git(repo, 'status', '--porcelain')).toBe('');
    expect(existsSync(join(repo, '.git', 'SQUASH_MSG'))).toBe(false);
  });

  it('a job of 119.6 s reads 2m00s in par status and 2 min 0 s in its report, never 1m60s', async () => {
    await runPar(sandbox, ['run', '-m', 'sim: turns=1', wt(1)], { cwd: repo });
    const run = await status();
    // The journal as a job of 119.6 s would have left it.
    const file = join(run.dir, 'events.ndjson');
    const events = readFileSync(file, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { type: string; at: string });
    const started = Date.parse(events.find((event) => event.type === 'job/started')?.at ?? '');
    for (const event of events) if (event.type === 'job/finished' || event.type === 'run/finished') event.at = new Date(started + 119_600).toISOString();
    writeFileSync(file, `${events.map((event) => JSON.stringify(event)).join('\n')}\n`);
    const table = await runPar(sandbox, ['status', run.run], { cwd: repo });
    expect(table.stdout).toMatch(/wt1 +succeeded +2m00s/);
    const report = await runPar(sandbox, ['report', run.run], { cwd: repo });
    expect(report.stdout).toContain('2 min 0 s');
    expect(`${table.stdout}${report.stdout}`).not.toMatch(/1m60s|1 min 60 s/);
  });

  it('par report RUN -o - writes the report to stdout, not to a file named -', async () => {
    await runPar(sandbox, ['run', '-m', 'sim: turns=1', wt(1)], { cwd: repo });
    const run = await status();
    const report = await runPar(sandbox, ['report', run.run, '-o', '-'], { cwd: repo });
    expect(report.code).toBe(0);
    expect(report.stdout).toContain(`# Run ${run.run}: succeeded`);
    expect(existsSync(join(repo, '-'))).toBe(false);
    const html = await runPar(sandbox, ['report', run.run, '-o', '-', '--format', 'html'], { cwd: repo });
    expect(html.stdout).toMatch(/^<!doctype html>/i);
  });
});
