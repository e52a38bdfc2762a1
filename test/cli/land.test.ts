// `par land` (DESIGN §17) on a real repository with a real test: the
// conflict forecast, the queue's order, conflicts and failing checks that
// leave the target as it was, nothing landed twice, and a kill -9 mid-queue.
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunEvent } from '../../src/core/events.js';
import { git } from '../helpers/git-repo.js';
import { eventually, runPar, startPar, type Sandbox } from '../helpers/par.js';
import { makeSimRuns, runStatus, type RunStatus } from '../helpers/sim-runs.js';

let sandbox: Sandbox;
let repo: string;

const FILES = {
  'README.md': '# app\n',
  'a.txt': 'one\n',
  'b.txt': 'two\n',
  'c.txt': 'three\n',
  'calc.mjs': 'export const add = (a, b) => a + b;\n',
  'calc.test.mjs': "import test from 'node:test';\nimport assert from 'node:assert';\nimport { add } from './calc.mjs';\ntest('add', () => assert.equal(add(1, 2), 3));\n",
  'package.json': '{ "name": "app", "private": true, "scripts": { "test": "node --test" } }\n',
  'slow-check.sh': '#!/bin/sh\nsleep 0.8\nexec node --test\n',
};

beforeEach(() => {
  ({ sandbox, repo } = makeSimRuns(0, FILES));
  chmodSync(join(repo, 'slow-check.sh'), 0o755);
  git(repo, 'update-index', '--chmod=+x', 'slow-check.sh');
  git(repo, 'commit', '-q', '-m', 'executable check');
});
afterEach(() => sandbox.cleanup());

/** A finished run of one job per task, each in a fresh worktree with its work committed. */
async function runTasks(tasks: string[]): Promise<RunStatus> {
  const file = join(sandbox.dir, 'tasks.json');
  writeFileSync(file, JSON.stringify({ prompts: tasks }));
  const result = await runPar(sandbox, ['run', '--tasks', file, '-j', '4'], { cwd: repo });
  expect(result.code, result.stderr).toBe(0);
  return runStatus(sandbox, repo);
}

const journal = (dir: string): RunEvent[] => readFileSync(join(dir, 'events.ndjson'), 'utf8').split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as RunEvent);
/** The landings on main: par's merge commits. */
const merges = (): string[] => git(repo, 'log', '--merges', '--format=%s', 'main').split('\n').filter((subject) => subject.startsWith('Land '));

describe('par land', () => {
  it('lands the disjoint jobs, reports the conflict with its file and the failed check with its tail, leaves main passing its test; nothing lands twice', async () => {
    const run = await runTasks(['sim: turns=1 edit=a.txt line=from_t1', 'sim: turns=1 edit=b.txt line=from_t2', 'sim: turns=1 edit=a.txt line=from_t3', 'sim: turns=1 write=calc.mjs']);
    // The forecast: t1 and t3 both changed a.txt.
    expect(run.jobs.map((job) => [job.id, (job as unknown as { overlaps: unknown }).overlaps])).toEqual([
      ['t1', [{ job: 't3', files: ['a.txt'] }]],
      ['t2', []],
      ['t3', [{ job: 't1', files: ['a.txt'] }]],
      ['t4', []],
    ]);
    const plan = await runPar(sandbox, ['land', run.run, '--dry-run'], { cwd: repo });
    expect(plan.code).toBe(0);
    // Disjoint jobs first, then the overlapping ones, each pair by finish time.
    const order = plan.stdout.split('\n').filter((line) => /^\d /.test(line)).map((line) => line.split(/\s+/)[1] as string);
    expect([order.slice(0, 2).sort(), order.slice(2).sort()]).toEqual([['t2', 't4'], ['t1', 't3']]);
    expect(plan.stdout).toContain('⚔ t3: a.txt');
    const before = git(repo, 'rev-parse', 'main');
    expect(git(repo, 'rev-parse', 'main')).toBe(before);

    const landed = await runPar(sandbox, ['land', run.run, '--check', 'npm test'], { cwd: repo });
    expect(landed.code).toBe(1);
    expect(landed.stdout).toMatch(/^t2 +landed +main at [0-9a-f]{10}$/m);
    // Of the two that changed a.txt, the one that finished first lands; the other conflicts.
    const [lands, conflicts] = order.slice(2) as [string, string];
    expect(landed.stdout).toMatch(new RegExp(`^${lands} +landed +main at [0-9a-f]{10}$`, 'm'));
    expect(landed.stdout).toMatch(new RegExp(`^${conflicts} +conflict +conflict in a\\.txt$`, 'm'));
    expect(landed.stdout).toMatch(/^t4 +check failed +npm test exited 1/m);
    expect(landed.stdout).toMatch(/── t4: npm test exited 1:\n[\s\S]*(fail|SyntaxError)/);
    // Exactly two new merges; main's worktree is clean, never mid-merge, and passes its test.
    expect(merges()).toHaveLength(2);
    expect(git(repo, 'status', '--porcelain')).toBe('');
    expect(existsSync(join(repo, '.git', 'MERGE_HEAD'))).toBe(false);
    expect(readFileSync(join(repo, 'a.txt'), 'utf8')).toBe(`one\nfrom ${lands}\n`);
    expect(readFileSync(join(repo, 'b.txt'), 'utf8')).toBe('two\nfrom t2\n');
    git(repo, 'clean', '-fdq');
    expect(() => git(repo, 'rev-parse', '--verify', '-q', 'refs/heads/par-land/x')).toThrow();
    // Journaled, and read back into each job.
    const events = journal(run.dir).filter((event) => event.type === 'job/landed' || event.type === 'job/land-failed');
    expect(events.map((event) => (event as { job: string }).job)).toEqual(order);
    expect(events).toEqual(expect.arrayContaining([
      expect.objectContaining({ type: 'job/landed', job: 't2', onto: 'main', how: 'merge' }),
      expect.objectContaining({ type: 'job/land-failed', job: 't4', onto: 'main', reason: 'check', files: [] }),
      expect.objectContaining({ type: 'job/landed', job: lands, onto: 'main' }),
      expect.objectContaining({ type: 'job/land-failed', job: conflicts, onto: 'main', reason: 'conflict', files: ['a.txt'] }),
    ]));
    const status = await runStatus(sandbox, repo, run.run);
    expect(status.jobs.find((job) => job.id === conflicts)?.landing).toMatchObject({ outcome: 'conflict', files: ['a.txt'] });
    const table = (await runPar(sandbox, ['status', run.run], { cwd: repo })).stdout;
    expect(table).toMatch(new RegExp(`^${lands} .* landed on main · Done`, 'm'));
    expect(table).toMatch(new RegExp(`^${conflicts} .* not landed: conflict in a\\.txt · ⚔ ${lands} · Done`, 'm'));
    expect(table).toMatch(/^t4 .* not landed: the check failed · Done/m);

    // Again, as is: the two that failed fail again, nothing lands twice.
    const again = await runPar(sandbox, ['land', run.run, '--check', 'npm test'], { cwd: repo });
    expect(again.code).toBe(1);
    expect(again.stdout).not.toMatch(new RegExp(`^(t2|${lands}) `, 'm'));
    expect(merges()).toHaveLength(2);
    // Fixed by hand in the conflicting job's worktree: merge main, keep both lines, commit; then it lands.
    const worktree = status.jobs.find((job) => job.id === conflicts)?.worktree as string;
    const both = `one\nfrom ${lands}\nfrom ${conflicts}\n`;
    try {
      git(worktree, 'merge', '-q', 'main');
    } catch {
      writeFileSync(join(worktree, 'a.txt'), both);
      git(worktree, 'commit', '-qam', 'resolve a.txt');
    }
    const fixed = await runPar(sandbox, ['land', run.run, conflicts, '--check', 'npm test'], { cwd: repo });
    expect(fixed.code).toBe(0);
    expect(merges()).toHaveLength(3);
    expect(readFileSync(join(repo, 'a.txt'), 'utf8')).toBe(both);
    // Named again once landed: it says so and lands nothing.
    const twice = await runPar(sandbox, ['land', run.run, conflicts], { cwd: repo });
    expect(twice.stdout).toMatch(new RegExp(`^${conflicts} +landed before +main already holds it$`, 'm'));
    expect(merges()).toHaveLength(3);
  }, 120_000);

  it('refuses a dirty target (exit 2) and bad options, each in one sentence', async () => {
    const run = await runTasks(['sim: turns=1 edit=b.txt line=x']);
    writeFileSync(join(repo, 'README.md'), '# changed\n');
    expect(await runPar(sandbox, ['land', run.run], { cwd: repo })).toMatchObject({ code: 2, stderr: `par: ${repo} (main) has uncommitted changes; commit or stash them first, so landings cannot mix with them.\n` });
    git(repo, 'checkout', '-q', '--', 'README.md');
    expect(await runPar(sandbox, ['land', run.run, '--squash', '--rebase'], { cwd: repo })).toMatchObject({ code: 2, stderr: 'par: Land by --squash or by --rebase, not both.\n' });
    expect(await runPar(sandbox, ['land', run.run, '--onto', 'nosuch'], { cwd: repo })).toMatchObject({ code: 2, stderr: `par: There is no branch nosuch in ${repo}; name one with --onto BRANCH.\n` });
    expect(await runPar(sandbox, ['land', run.run, '--check', 'npm "test'], { cwd: repo })).toMatchObject({ code: 2, stderr: 'par: The check command "npm \\"test" has an unclosed " quote; close it, or put the command in a script.\n' });
    expect(await runPar(sandbox, ['land', run.run, 'nosuch'], { cwd: repo })).toMatchObject({ code: 2 });
    const away = await runPar(sandbox, ['land', run.run, '--onto', 'main'], { cwd: sandbox.dir });
    expect(away, away.stderr).toMatchObject({ code: 0 });
    expect(merges()).toHaveLength(1);
  }, 60_000);

  it('squash and rebase land one commit each, and a branch without a worktree moves too', async () => {
    const run = await runTasks(['sim: turns=1 edit=b.txt line=squashed', 'sim: turns=1 edit=c.txt line=rebased']);
    git(repo, 'branch', 'release', 'main');
    expect((await runPar(sandbox, ['land', run.run, 't1', '--squash', '--onto', 'release'], { cwd: repo })).code).toBe(0);
    expect((await runPar(sandbox, ['land', run.run, 't2', '--rebase', '--onto', 'release'], { cwd: repo })).code).toBe(0);
    expect(git(repo, 'log', '--format=%s', 'main..release').split('\n')).toEqual([expect.stringMatching(/^par: t2 /), expect.stringMatching(/^Land .*job t1\)$/)]);
    expect(git(repo, 'show', 'release:b.txt')).toBe('two\nsquashed');
    expect(git(repo, 'show', 'release:c.txt')).toBe('three\nrebased');
    expect(git(repo, 'rev-parse', 'main')).not.toBe(git(repo, 'rev-parse', 'release'));
  }, 60_000);

  it('kill -9 mid-queue leaves the target clean at its last good landing; a second par land finishes the rest', async () => {
    const run = await runTasks(['sim: turns=1 edit=a.txt line=k1', 'sim: turns=1 edit=b.txt line=k2', 'sim: turns=1 edit=c.txt line=k3']);
    const first = startPar(sandbox, ['land', run.run, '--check', './slow-check.sh'], { cwd: repo });
    await eventually(() => journal(run.dir).some((event) => event.type === 'job/landed'), 30_000, 'the first landing');
    // Into the second landing's check.
    await new Promise((resolve) => setTimeout(resolve, 400));
    first.child.kill('SIGKILL');
    await first.result;
    const landedSoFar = journal(run.dir).filter((event) => event.type === 'job/landed');
    expect(landedSoFar.length).toBeGreaterThanOrEqual(1);
    expect(landedSoFar.length).toBeLessThan(3);
    expect(git(repo, 'rev-parse', 'main')).toBe((landedSoFar.at(-1) as { commit: string }).commit);
    expect(git(repo, 'status', '--porcelain')).toBe('');
    expect(existsSync(join(repo, '.git', 'MERGE_HEAD'))).toBe(false);
    const second = await runPar(sandbox, ['land', run.run, '--check', './slow-check.sh'], { cwd: repo });
    expect(second.code, second.stdout + second.stderr).toBe(0);
    expect(merges()).toHaveLength(3);
    expect(git(repo, 'worktree', 'list').split('\n')).toHaveLength(4);
    for (const [file, line] of [['a.txt', 'k1'], ['b.txt', 'k2'], ['c.txt', 'k3']] as const) expect(readFileSync(join(repo, file), 'utf8')).toMatch(new RegExp(`${line}\\n$`));
  }, 90_000);
});
