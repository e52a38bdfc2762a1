import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WorktreeRegistry, type WorktreeRecord } from '../../src/git/worktree-registry.js';
import { branches, git, makeRepo, writeFiles } from '../helpers/git-repo.js';
import { makeSandbox, runPar, type Sandbox } from '../helpers/par.js';
import { makeRunWithWorktrees } from '../helpers/runs.js';

let sandbox: Sandbox;
let repo: string;
let dataDir: string;
beforeEach(() => {
  sandbox = makeSandbox();
  repo = makeRepo(join(sandbox.dir, 'app'), { 'src/app.ts': 'export const a = 1;\n' });
  dataDir = join(sandbox.dir, 'data', 'par');
});
afterEach(() => sandbox.cleanup());

const RUN = '20261101-090000-keep';

function finishedRun(jobs: string[]): Promise<Record<string, WorktreeRecord>> {
  return makeRunWithWorktrees({ repo, dataDir, runId: RUN, jobs, finishedDaysAgo: 1, result: 'failed' });
}

function commit(dir: string, files: Record<string, string>, message: string): string {
  writeFiles(dir, files);
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', message);
  return git(dir, 'rev-parse', 'HEAD');
}

/** A repository at `dir` inside a worktree, with two commits of its own and uncommitted work on top. */
function nestedRepo(dir: string): { commits: string[] } {
  makeRepo(dir, { 'Cargo.toml': '[package]\nname = "lib"\n' });
  const second = commit(dir, { 'src/lib.rs': 'pub fn f() {}\n' }, 'lib: f');
  writeFileSync(join(dir, 'src/lib.rs'), 'pub fn f() { todo!() }\n');
  writeFileSync(join(dir, 'NOTES.md'), 'not committed anywhere\n');
  return { commits: [git(dir, 'rev-parse', 'HEAD~1'), second] };
}

/** Every file under `dir` (outside .git) with a hash of its content. */
function files(dir: string): Record<string, string> {
  const found: Record<string, string> = {};
  const walk = (at: string): void => {
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      if (entry.name === '.git') continue;
      const path = join(at, entry.name);
      if (entry.isDirectory()) walk(path);
      else found[relative(dir, path)] = createHash('sha1').update(readFileSync(path)).digest('hex');
    }
  };
  walk(dir);
  return found;
}

/** Every commit a repository reaches from any ref or its HEAD. */
function commits(dir: string): string[] {
  return git(dir, 'rev-list', '--all', 'HEAD').split('\n').filter(Boolean).sort();
}

function clean(...flags: string[]) {
  return runPar(sandbox, ['clean', '--all', '-f', ...flags], { cwd: repo });
}

describe('par clean keeps what only the worktree holds', () => {
  it('keeps a worktree holding a nested repository, whether git sees it as untracked or as a committed gitlink', async () => {
    const made = await finishedRun(['untracked', 'gitlink']);
    nestedRepo(join(made.untracked!.path, 'vendor/lib'));
    // par's commit of a job's results records a nested repository as a gitlink: the worktree then reads clean,
    // while the nested repository's commits live only in its own .git.
    const lib = join(made.gitlink!.path, 'lib');
    nestedRepo(lib);
    commit(lib, {}, 'lib: all in');
    git(made.gitlink!.path, 'add', 'lib');
    git(made.gitlink!.path, 'commit', '-q', '-m', 'results');
    expect(git(made.gitlink!.path, 'status', '--porcelain')).toBe('');
    const before = { untracked: files(made.untracked!.path), gitlink: files(made.gitlink!.path) };

    const result = await clean();
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/kept .*\/untracked: nested repository vendor\/lib with its own history/);
    expect(result.stdout).toMatch(/kept .*\/gitlink: nested repository lib with its own history/);
    expect(files(made.untracked!.path)).toEqual(before.untracked);
    expect(files(made.gitlink!.path)).toEqual(before.gitlink);
    expect(existsSync(join(dataDir, 'runs', RUN))).toBe(true);
  });

  it('with --discard saves nested repositories whole: every commit and every file comes back from the salvage', async () => {
    const made = await finishedRun(['wip']);
    const wip = made.wip!;
    const outer = commit(wip.path, { 'feature.ts': 'export const f = 1;\n' }, 'feature');
    writeFileSync(join(wip.path, 'draft.md'), '# draft\n');
    const lib = join(wip.path, 'vendor/lib');
    const { commits: libCommits } = nestedRepo(lib);
    const inner = join(lib, 'deps/tiny');
    nestedRepo(inner);
    const before = { files: files(wip.path), lib: commits(lib), inner: commits(inner) };
    expect(before.lib).toEqual(expect.arrayContaining(libCommits));

    const result = await clean('--discard');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`discarded ${wip.path}`);
    expect(existsSync(wip.path)).toBe(false);

    const salvage = join(dataDir, 'salvage', RUN, 'wip');
    const restored = join(sandbox.dir, 'restored');
    git(repo, 'worktree', 'add', '-q', '-b', wip.branch, restored, wip.base_commit);
    git(restored, 'pull', '-q', '--ff-only', join(salvage, 'branch.bundle'), `refs/heads/${wip.branch}`);
    git(restored, 'apply', '--index', join(salvage, 'changes.patch'));
    for (const path of ['vendor/lib', 'vendor/lib/deps/tiny']) {
      const saved = join(salvage, 'nested', path);
      git(sandbox.dir, 'clone', '-q', join(saved, 'repository.bundle'), join(restored, path));
      git(join(restored, path), 'apply', '--index', join(saved, 'changes.patch'));
    }
    expect(git(restored, 'rev-parse', 'HEAD')).toBe(outer);
    expect(files(restored)).toEqual(before.files);
    expect(commits(join(restored, 'vendor/lib'))).toEqual(expect.arrayContaining(before.lib));
    expect(commits(join(restored, 'vendor/lib/deps/tiny'))).toEqual(expect.arrayContaining(before.inner));
    const notes = readFileSync(join(salvage, 'RESTORE.txt'), 'utf8');
    expect(notes).toContain(`git clone -q ${join(salvage, 'nested', 'vendor/lib', 'repository.bundle')} <dir>/vendor/lib`);
    expect(notes).toContain(`git -C <dir>/vendor/lib/deps/tiny apply --index`);
  });

  it('keeps a worktree whose detached HEAD holds commits on no branch; --discard bundles that HEAD first', async () => {
    const made = await finishedRun(['detached', 'saved']);
    for (const record of [made.detached!, made.saved!]) {
      git(record.path, 'checkout', '-q', '--detach');
      commit(record.path, { 'rebased.ts': `export const r = '${record.job}';\n` }, 'made during a paused rebase');
    }
    const stranded = git(made.detached!.path, 'rev-parse', 'HEAD');

    const kept = await clean();
    expect(kept.code).toBe(0);
    expect(kept.stdout).toMatch(new RegExp(`kept .*/detached: HEAD ${stranded.slice(0, 12)} holds 1 commit on no branch`));
    expect(git(made.detached!.path, 'rev-parse', 'HEAD')).toBe(stranded);

    const lost = git(made.saved!.path, 'rev-parse', 'HEAD');
    const discarded = await clean('--discard');
    expect(discarded.code).toBe(0);
    expect(existsSync(made.saved!.path)).toBe(false);
    const bundle = join(dataDir, 'salvage', RUN, 'saved', 'head.bundle');
    git(repo, 'fetch', '-q', bundle, 'HEAD');
    expect(git(repo, 'rev-parse', 'FETCH_HEAD')).toBe(lost);
    expect(git(repo, 'show', '-s', '--format=%s', lost)).toBe('made during a paused rebase');
  });

  it('leaves a locked worktree untouched, even with --discard: partial staging stays as it was', async () => {
    const made = await finishedRun(['locked']);
    const path = made.locked!.path;
    writeFileSync(join(path, 'src/app.ts'), 'export const a = 2;\n');
    git(path, 'add', 'src/app.ts');
    writeFileSync(join(path, 'src/app.ts'), 'export const a = 3;\n');
    writeFileSync(join(path, 'untracked.txt'), 'mine\n');
    git(repo, 'worktree', 'lock', '--reason', 'on a USB disk', path);
    const before = { staged: git(path, 'diff', '--cached'), unstaged: git(path, 'diff'), status: git(path, 'status', '--porcelain') };

    const result = await clean('--discard');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`kept ${path}: locked (on a USB disk); git worktree unlock ${path} lets par clean it`);
    expect({ staged: git(path, 'diff', '--cached'), unstaged: git(path, 'diff'), status: git(path, 'status', '--porcelain') }).toEqual(before);
    expect(existsSync(join(dataDir, 'salvage'))).toBe(false);
    expect(branches(repo)).toContain(made.locked!.branch);
    expect(new WorktreeRegistry(dataDir).read()).toHaveLength(1);
  });
});
