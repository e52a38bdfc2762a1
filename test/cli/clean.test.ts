import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, onTestFinished } from 'vitest';
import { WorktreeRegistry, type WorktreeRecord } from '../../src/git/worktree-registry.js';
import { branches, git, makeRepo, writeFiles } from '../helpers/git-repo.js';
import { makeSandbox, runPar, type Sandbox } from '../helpers/par.js';
import { fakeSupervisor, makeRunWithWorktrees } from '../helpers/runs.js';

let sandbox: Sandbox;
let repo: string;
let dataDir: string;
beforeEach(() => {
  sandbox = makeSandbox();
  repo = makeRepo(join(sandbox.dir, 'app'), { 'src/app.ts': 'export const a = 1;\n' });
  dataDir = join(sandbox.dir, 'data', 'par');
});
afterEach(() => sandbox.cleanup());

function makeRun(runId: string, jobs: string[], state: { finishedDaysAgo?: number; result?: string; supervisorPid?: number }): Promise<Record<string, WorktreeRecord>> {
  return makeRunWithWorktrees({ repo, dataDir, runId, jobs, ...state });
}

function snapshot(): { worktrees: string; branches: string[]; registry: number } {
  return { worktrees: git(repo, 'worktree', 'list', '--porcelain'), branches: branches(repo), registry: new WorktreeRegistry(dataDir).read().length };
}

function commitIn(path: string, file: string, content: string): void {
  writeFiles(path, { [file]: content });
  git(path, 'add', '-A');
  git(path, 'commit', '-q', '-m', `add ${file}`);
}

describe('par clean never loses work', () => {
  it('keeps dirty worktrees and unmerged branches, removes the rest, never touches a foreign worktree', async () => {
    const runId = '20261101-090000-aaaa';
    const made = await makeRun(runId, ['clean', 'committed', 'dirty', 'gone'], { finishedDaysAgo: 10 });
    commitIn(made.committed!.path, 'feature.ts', 'export const f = 1;\n');
    writeFileSync(join(made.dirty!.path, 'notes.txt'), 'work in progress\n');
    rmSync(made.gone!.path, { recursive: true });
    const foreign = join(sandbox.dir, 'mine');
    git(repo, 'worktree', 'add', '-q', foreign, '-b', 'my-branch');

    const before = snapshot();
    const dry = await runPar(sandbox, ['clean', '--dry-run'], { cwd: repo });
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain(`Run ${runId} (succeeded)`);
    expect(dry.stdout).toMatch(/remove +.*\/clean +\(branch par\/.*\/clean merged: deleted\)/);
    expect(dry.stdout).toMatch(/remove +.*\/committed +\(branch par\/.*\/committed kept: 1 commit not in main\)/);
    expect(dry.stdout).toMatch(/keep +.*\/dirty +\(uncommitted changes: 1 untracked\)/);
    expect(dry.stdout).toMatch(/forget +.*\/gone +\(already deleted; branch .* merged: deleted\)/);
    expect(dry.stdout).toContain('keep     run data (a worktree of it stays)');
    expect(snapshot()).toEqual(before);

    const refused = await runPar(sandbox, ['clean'], { cwd: repo });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toBe('par: par clean asks before removing anything; pass -f to go ahead, or --dry-run to only list.\n');
    expect(snapshot()).toEqual(before);

    const done = await runPar(sandbox, ['clean', '-f'], { cwd: repo });
    expect(done.code).toBe(0);
    expect(done.stdout).toMatch(/kept .*\/dirty: uncommitted changes: 1 untracked/);
    expect(existsSync(made.clean!.path)).toBe(false);
    expect(existsSync(made.committed!.path)).toBe(false);
    expect(readFileSync(join(made.dirty!.path, 'notes.txt'), 'utf8')).toBe('work in progress\n');
    expect(existsSync(foreign)).toBe(true);
    expect(branches(repo)).toEqual(['main', 'my-branch', `par/${runId}/committed`, `par/${runId}/dirty`].sort());
    expect(git(repo, 'log', '--format=%s', `par/${runId}/committed`, '-1')).toBe('add feature.ts');
    expect(new WorktreeRegistry(dataDir).read().map((record) => record.job)).toEqual(['dirty']);
    expect(existsSync(join(dataDir, 'runs', runId))).toBe(true);
  });

  it('with --discard saves the work first, and the salvage restores it', async () => {
    const runId = '20261101-090000-bbbb';
    const made = await makeRun(runId, ['wip'], { finishedDaysAgo: 1, result: 'failed' });
    const wip = made.wip!;
    commitIn(wip.path, 'done.ts', 'export const done = true;\n');
    writeFileSync(join(wip.path, 'src/app.ts'), 'export const a = 2;\n');
    writeFileSync(join(wip.path, 'draft.md'), '# draft ü\n');

    const result = await runPar(sandbox, ['clean', '--all', '--discard', '-f'], { cwd: repo });
    expect(result.code).toBe(0);
    const salvage = join(dataDir, 'salvage', runId, 'wip');
    expect(result.stdout).toContain(`discarded ${wip.path}`);
    expect(result.stdout).toContain(salvage);
    expect(existsSync(wip.path)).toBe(false);
    expect(branches(repo)).toEqual(['main']);
    expect(existsSync(join(dataDir, 'runs', runId))).toBe(false);

    const restored = join(sandbox.dir, 'restored');
    git(repo, 'worktree', 'add', '-q', '-b', wip.branch, restored, wip.base_commit);
    git(restored, 'pull', '-q', '--ff-only', join(salvage, 'branch.bundle'), `refs/heads/${wip.branch}`);
    git(restored, 'apply', '--index', join(salvage, 'changes.patch'));
    expect(readFileSync(join(restored, 'done.ts'), 'utf8')).toBe('export const done = true;\n');
    expect(readFileSync(join(restored, 'src/app.ts'), 'utf8')).toBe('export const a = 2;\n');
    expect(readFileSync(join(restored, 'draft.md'), 'utf8')).toBe('# draft ü\n');
    expect(readFileSync(join(salvage, 'RESTORE.txt'), 'utf8')).toContain('git -C <dir> apply --index');
  });

  it('leaves running runs and recent runs alone, and --failed picks failed runs only', async () => {
    // A live supervisor of run1; a mere live pid (this test's own) no longer makes a run "running".
    const supervisor = fakeSupervisor(join(dataDir, 'runs', '20261101-090000-run1'));
    onTestFinished(() => void supervisor.kill('SIGKILL'));
    await makeRun('20261101-090000-run1', ['a'], { supervisorPid: supervisor.pid as number });
    await makeRun('20261101-090000-new1', ['a'], { finishedDaysAgo: 1 });
    await makeRun('20261101-090000-old1', ['a'], { finishedDaysAgo: 30, result: 'succeeded' });
    await makeRun('20261101-090000-old2', ['a'], { finishedDaysAgo: 30, result: 'failed' });

    const aged = await runPar(sandbox, ['clean', '--dry-run'], { cwd: repo });
    expect(aged.stdout).not.toContain('run1');
    expect(aged.stdout).not.toContain('new1');
    expect(aged.stdout).toContain('Run 20261101-090000-old1 (succeeded)');
    expect(aged.stdout).toContain('Run 20261101-090000-old2 (failed)');

    const failed = await runPar(sandbox, ['clean', '--dry-run', '--all', '--failed'], { cwd: repo });
    expect(failed.stdout).not.toContain('old1');
    expect(failed.stdout).toContain('Run 20261101-090000-old2 (failed)');
    expect(failed.stdout).not.toContain('run1');

    const done = await runPar(sandbox, ['clean', '--all', '-f'], { cwd: repo });
    expect(done.code).toBe(0);
    expect(new WorktreeRegistry(dataDir).read().map((record) => record.run)).toEqual(['20261101-090000-run1']);
    expect(existsSync(join(dataDir, 'runs', '20261101-090000-old1'))).toBe(false);
    expect(existsSync(join(dataDir, 'runs', '20261101-090000-run1'))).toBe(true);
  });

  it('says there is nothing to clean', async () => {
    const result = await runPar(sandbox, ['clean'], { cwd: repo });
    expect(result).toMatchObject({ code: 0, stdout: 'Nothing older than 7 days to clean (--all cleans every finished run).\n' });
  });
});
