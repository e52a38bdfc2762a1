// Best-of-N (DESIGN §17): `--variants 3` with the simulated agent varying
// its edits, `par compare` with the check, `par keep` landing one and
// salvaging the others.
import { appendFileSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { git } from '../helpers/git-repo.js';
import { runPar, type Sandbox } from '../helpers/par.js';
import { makeSimRuns, runStatus, SIM, type RunStatus } from '../helpers/sim-runs.js';
import { attemptsDiff } from '../../src/git/job-results.js';
import { createGit } from '../../src/git/real-git.js';

let sandbox: Sandbox;
let repo: string;

const FILES = {
  'README.md': '# app\n',
  'a.txt': 'one\n',
  'calc.mjs': 'export const add = (a, b) => a + b;\n',
  'calc.test.mjs': "import test from 'node:test';\nimport assert from 'node:assert';\nimport { add } from './calc.mjs';\ntest('add', () => assert.equal(add(1, 2), 3));\n",
};

beforeEach(() => {
  ({ sandbox, repo } = makeSimRuns(1, FILES));
});
afterEach(() => sandbox.cleanup());

describe('best-of-N', () => {
  it('--variants 3: three attempts in fresh worktrees; compare shows them with the check; keep lands one and salvages the others', async () => {
    const ran = await runPar(sandbox, ['run', '-m', 'sim: turns=1 edit=a.txt line=random', '--new', '1', '--variants', '3', '-j', '3'], { cwd: repo });
    expect(ran.code, ran.stderr).toBe(0);
    const run = await runStatus(sandbox, repo);
    expect(run.jobs.map((job) => [job.id, job.target, job.variant, job.state])).toEqual([
      ['t1.v1', 't1', 1, 'succeeded'],
      ['t1.v2', 't1', 2, 'succeeded'],
      ['t1.v3', 't1', 3, 'succeeded'],
    ]);
    // Each in its own fresh worktree, each edit its own; attempts at one target do not overlap each other.
    const lines = run.jobs.map((job) => readFileSync(join(job.worktree as string, 'a.txt'), 'utf8'));
    expect(new Set(lines).size).toBe(3);
    expect(run.jobs.every((job) => (job as unknown as { overlaps: unknown[] }).overlaps.length === 0)).toBe(true);

    const compared = await runPar(sandbox, ['compare', run.run, '--check', 'node --test'], { cwd: repo });
    expect(compared.code, compared.stderr).toBe(0);
    expect(compared.stdout).toMatch(/^── t1: 3 attempts$/m);
    for (const id of ['t1.v1', 't1.v2', 't1.v3']) expect(compared.stdout).toMatch(new RegExp(`^${id.replace('.', '\\.')} +succeeded +1 file \\+1 -0 +a\\.txt +\\$[\\d.]+ +2 +passed`, 'm'));
    const json = JSON.parse((await runPar(sandbox, ['compare', run.run, 't1', '--json'], { cwd: repo })).stdout) as { targets: { target: string; variants: { job: string; diffstat: unknown; files_in_common: string[]; check: unknown }[] }[] };
    expect(json.targets).toHaveLength(1);
    expect(json.targets[0]?.variants.map((variant) => [variant.job, variant.files_in_common, variant.check])).toEqual([
      ['t1.v1', ['a.txt'], null],
      ['t1.v2', ['a.txt'], null],
      ['t1.v3', ['a.txt'], null],
    ]);
    expect(await runPar(sandbox, ['compare', run.run, 'nosuch'], { cwd: repo })).toMatchObject({ code: 2, stderr: `par: Run ${run.run} has no target 'nosuch'; its targets: t1.\n` });

    const kept = await runPar(sandbox, ['keep', run.run, 't1.v2', '--check', 'node --test'], { cwd: repo });
    expect(kept.code, kept.stdout + kept.stderr).toBe(0);
    expect(kept.stdout).toMatch(/^Kept t1\.v2: Landed t1\.v2 on main\.$/m);
    // One landing on main, with the kept attempt's line.
    expect(git(repo, 'log', '--merges', '--format=%s', 'main').split('\n').filter((subject) => subject.startsWith('Land '))).toHaveLength(1);
    expect(readFileSync(join(repo, 'a.txt'), 'utf8')).toBe(lines[1]);
    // The others: worktrees gone, their work saved with how to restore it.
    for (const job of [run.jobs[0], run.jobs[2]]) {
      expect(existsSync(job?.worktree as string)).toBe(false);
      const saved = join(sandbox.dir, 'data', 'par', 'salvage', run.run, job?.id as string);
      expect(readdirSync(saved)).toEqual(expect.arrayContaining(['RESTORE.txt']));
      expect(readFileSync(join(saved, 'RESTORE.txt'), 'utf8')).toContain(`git worktree add -b ${job?.branch}`);
    }
    expect(existsSync(run.jobs[1]?.worktree as string)).toBe(true);
  }, 90_000);

  it('variants of an existing worktree start from its HEAD; keep and compare refuse a run without attempts, and --variants 0', async () => {
    const wt1 = join(sandbox.dir, 'wt1');
    git(wt1, 'commit', '-q', '--allow-empty', '-m', 'only on b1');
    const ran = await runPar(sandbox, ['run', '-m', 'sim: turns=1 edit=a.txt line=random', wt1, '--variants', '2'], { cwd: repo });
    expect(ran.code, ran.stderr).toBe(0);
    const run = await runStatus(sandbox, repo);
    expect(run.jobs.map((job) => job.id)).toEqual(['wt1.v1', 'wt1.v2']);
    for (const job of run.jobs) {
      expect(job.worktree).not.toBe(wt1);
      expect(git(job.worktree as string, 'log', '-1', '--skip=1', '--format=%s')).toBe('only on b1');
    }
    const single = await runPar(sandbox, ['run', '-m', 'sim: turns=1', '--new', '1'], { cwd: repo });
    const plain = (await runStatus(sandbox, repo)).run;
    expect(single.code).toBe(0);
    expect(await runPar(sandbox, ['keep', plain, 't1'], { cwd: repo })).toMatchObject({ code: 2, stderr: `par: Job t1 is not one of several attempts (par run --variants N makes them); land it with par land ${plain} t1.\n` });
    expect(await runPar(sandbox, ['compare', plain], { cwd: repo })).toMatchObject({ code: 2, stderr: `par: Run ${plain} has no attempts to compare: par run --variants N (or --agent with several agents) gives each target several.\n` });
    expect(await runPar(sandbox, ['run', '-m', 'x', '--new', '1', '--variants', '0'], { cwd: repo })).toMatchObject({ code: 2, stderr: "par: --variants takes a whole number of 1 or more, not '0'.\n" });
  }, 60_000);

  it('--agent claude,other: one attempt per agent at each target, each run by its own agent; compare names them; the diff between two attempts', async () => {
    // A second agent, configured: the simulated agent one-shot, as an agent without the two-way channel runs.
    appendFileSync(sandbox.configFile, `agents:\n  other:\n    binary: ${JSON.stringify(SIM)}\n    args: [-p, --output-format, stream-json, --verbose]\n    prompt: stdin\n    output: stream-json\n`);
    const dry = JSON.parse((await runPar(sandbox, ['run', '-m', 'x', '--new', '1', '--agent', 'claude,other', '--variants', '2', '--dry-run', '--json'], { cwd: repo })).stdout) as { jobs: { id: string; agent: string; argv: string[] }[] };
    expect(dry.jobs.map((job) => [job.id, job.agent, job.argv.includes('--input-format')])).toEqual([
      ['t1.v1', 'claude', true],
      ['t1.v2', 'claude', true],
      ['t1.v3', 'other', false],
      ['t1.v4', 'other', false],
    ]);
    const ran = await runPar(sandbox, ['run', '-m', 'sim: turns=1 edit=a.txt line=random', '--new', '2', '--agent', 'claude,other'], { cwd: repo });
    expect(ran.code, ran.stderr).toBe(0);
    const run = await runStatus(sandbox, repo);
    expect(run.jobs.map((job) => [job.id, job.target, job.variant, (job as unknown as { agent: string }).agent, job.state])).toEqual([
      ['t1.v1', 't1', 1, 'claude', 'succeeded'],
      ['t1.v2', 't1', 2, 'other', 'succeeded'],
      ['t2.v1', 't2', 1, 'claude', 'succeeded'],
      ['t2.v2', 't2', 2, 'other', 'succeeded'],
    ]);
    // Each agent ran as itself: claude over the channel (its transcript has the prompt sent as a message), the other one-shot.
    const promptEchoed = (job: string) =>
      readFileSync(join(run.dir, 'jobs', job, 'output.log'), 'utf8')
        .split('\n')
        .some((line) => line.includes('"type":"user"') && line.includes('sim: turns=1'));
    expect([promptEchoed('t1.v1'), promptEchoed('t1.v2')]).toEqual([true, false]);
    const compared = await runPar(sandbox, ['compare', run.run, 't1'], { cwd: repo });
    expect(compared.stdout).toMatch(/^JOB +AGENT +STATE/m);
    expect(compared.stdout).toMatch(/^t1\.v2 +other +succeeded/m);
    // The diff from one attempt's result to the other's, as the compare pane shows it.
    const [a, b] = run.jobs as [RunStatus['jobs'][number], RunStatus['jobs'][number]];
    const lines = await attemptsDiff(createGit(), a, b);
    expect(lines[0]).toBe(`t1.v1 → t1.v2: git diff ${a.branch} ${b.branch}`);
    expect(lines).toContain(`-${readFileSync(join(a.worktree as string, 'a.txt'), 'utf8').trim().split('\n').pop()}`);
    expect(lines).toContain(`+${readFileSync(join(b.worktree as string, 'a.txt'), 'utf8').trim().split('\n').pop()}`);
    // Bad lists are refused with the fix, nothing started.
    expect(await runPar(sandbox, ['run', '-m', 'x', '--new', '1', '--agent', 'claude,claude'], { cwd: repo })).toMatchObject({ code: 2, stderr: "par: --agent names 'claude' twice; for several attempts by one agent use --variants N.\n" });
    expect(await runPar(sandbox, ['run', '-m', 'x', '--new', '1', '--agent', 'claude,'], { cwd: repo })).toMatchObject({ code: 2, stderr: "par: --agent 'claude,' has an empty name; give agents separated by commas, like claude,codex.\n" });
    expect((await runPar(sandbox, ['run', '-m', 'x', '--new', '1', '--agent', 'claude,nosuch'], { cwd: repo })).stderr).toBe("par: There is no agent 'nosuch'; use one of claude, codex, gemini, other, or configure it: par config set agents.nosuch '{binary: …}'.\n");
  }, 90_000);
});
