import { mkdtempSync, realpathSync, renameSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createGit } from '../../src/git/real-git.js';
import { headFromFiles, worktreeEntryFromFiles } from '../../src/git/git-files.js';
import { parseWorktreeList } from '../../src/git/parse-worktrees.js';
import { commitResults, jobChanges, startingPoint } from '../../src/git/job-results.js';
import { git, makeRepo, writeFiles } from '../helpers/git-repo.js';

let dir: string;
let repo: string;
const real = createGit();

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'par-job-results-'));
  repo = makeRepo(join(dir, 'app'), { 'README.md': '# app\n', 'src/a.ts': 'one\ntwo\n' });
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const head = (cwd: string): string => git(cwd, 'rev-parse', 'HEAD');

describe("a worktree's HEAD from git's files", () => {
  it('agrees with git: main worktree, linked worktree, detached, packed refs, unborn branch', () => {
    expect(headFromFiles(repo)).toBe(head(repo));
    const linked = join(dir, 'wt');
    git(repo, 'worktree', 'add', '-q', linked, '-b', 'feature');
    writeFiles(linked, { 'b.txt': 'b\n' });
    git(linked, 'add', '-A');
    git(linked, 'commit', '-q', '-m', 'on feature');
    expect(headFromFiles(linked)).toBe(head(linked));
    expect(headFromFiles(linked)).not.toBe(head(repo));

    git(repo, 'pack-refs', '--all');
    expect(headFromFiles(linked)).toBe(head(linked));
    expect(headFromFiles(repo)).toBe(head(repo));

    git(linked, 'checkout', '-q', '--detach', 'main');
    expect(headFromFiles(linked)).toBe(head(repo));

    git(repo, 'checkout', '-q', '--orphan', 'fresh');
    expect(headFromFiles(repo)).toBeNull();
  });

  it('leaves to git what the files do not say plainly', () => {
    git(repo, 'symbolic-ref', 'refs/heads/alias', 'refs/heads/main');
    git(repo, 'symbolic-ref', 'HEAD', 'refs/heads/alias');
    expect(headFromFiles(repo)).toBeUndefined();
    expect(headFromFiles(join(dir, 'nowhere'))).toBeUndefined();
  });
});

describe("a worktree's entry from git's files", () => {
  const listed = (path: string) => parseWorktreeList(git(repo, 'worktree', 'list', '--porcelain', '-z')).find((entry) => entry.path === path);

  it("agrees with git's list: main worktree, a branch, detached, locked with and without a reason, an unborn branch", () => {
    const main = realpathSync(repo);
    const [a, b, c] = ['a', 'b', 'c'].map((name) => join(realpathSync(dir), name)) as [string, string, string];
    git(repo, 'worktree', 'add', '-q', a, '-b', 'feature');
    git(repo, 'worktree', 'add', '-q', '--detach', b);
    git(repo, 'worktree', 'add', '-q', c, '-b', 'other');
    git(repo, 'worktree', 'lock', '--reason', 'on a USB disk', a);
    git(repo, 'worktree', 'lock', b);
    git(repo, 'pack-refs', '--all');
    git(c, 'checkout', '-q', '--orphan', 'fresh');
    for (const path of [main, a, b, c]) expect(worktreeEntryFromFiles(path), path).toEqual(listed(path));
    expect(worktreeEntryFromFiles(a)).toMatchObject({ branch: 'feature', locked: true, lockedReason: 'on a USB disk' });
    expect(worktreeEntryFromFiles(b)).toMatchObject({ branch: null, detached: true, locked: true });
    expect(worktreeEntryFromFiles(c)).toMatchObject({ branch: 'fresh', head: null });
  });

  it('leaves to git a worktree whose record does not lead back to it, and what is not a worktree', () => {
    const moved = join(realpathSync(dir), 'moved');
    git(repo, 'worktree', 'add', '-q', join(dir, 'wt'), '-b', 'feature');
    renameSync(join(dir, 'wt'), moved);
    expect(worktreeEntryFromFiles(moved)).toBeUndefined();
    expect(worktreeEntryFromFiles(join(dir, 'nowhere'))).toBeUndefined();
  });
});

describe('what a job changed', () => {
  it('counts tracked changes, commits since the start and untracked files the job wrote, not those it found', async () => {
    // Untracked before the job: one it leaves alone, one it rewrites.
    writeFiles(repo, { 'notes.txt': 'mine\n', 'draft.txt': 'old\n' });
    const past = new Date(Date.now() - 60_000);
    for (const file of ['notes.txt', 'draft.txt']) utimesSync(join(repo, file), past, past);
    await new Promise((resolve) => setTimeout(resolve, 30));
    const start = await startingPoint(real, repo);
    expect(start.head).toBe(head(repo));

    expect(await jobChanges(real, repo, start.head, start.at)).toEqual({ diffstat: { files: 0, insertions: 0, deletions: 0 }, paths: [] });
    writeFileSync(join(repo, 'draft.txt'), 'new\nlines\n');
    // mtime put back as it was: the inode's change time still tells.
    utimesSync(join(repo, 'draft.txt'), past, past);
    writeFiles(repo, { 'src/new.ts': 'a\nb\nc' });
    writeFileSync(join(repo, 'src/a.ts'), 'one\n2\nthree\n');
    expect(await jobChanges(real, repo, start.head, start.at)).toEqual({ diffstat: { files: 3, insertions: 2 + 3 + 2, deletions: 1 }, paths: ['src/a.ts', 'draft.txt', 'src/new.ts'] });
    // A worktree par made counts every untracked file.
    expect((await jobChanges(real, repo, start.head, null)).diffstat).toEqual({ files: 4, insertions: 1 + 2 + 3 + 2, deletions: 1 });

    git(repo, 'add', 'src/a.ts');
    git(repo, 'commit', '-q', '-m', 'the job committed');
    expect((await jobChanges(real, repo, start.head, start.at)).diffstat).toEqual({ files: 3, insertions: 2 + 3 + 2, deletions: 1 });
    // A rename changes both its paths.
    git(repo, 'mv', 'src/a.ts', 'src/b.ts');
    expect((await jobChanges(real, repo, start.head, start.at)).paths).toEqual(expect.arrayContaining(['src/a.ts', 'src/b.ts']));
  });

  it('commits what a job left, or nothing when it left nothing', async () => {
    git(repo, 'config', 'user.name', 'test');
    git(repo, 'config', 'user.email', 'test@par.invalid');
    expect(await commitResults(real, repo, 'nothing')).toBe(false);
    writeFiles(repo, { 'src/b.ts': 'b\n' });
    expect(await commitResults(real, repo, 'par: job')).toBe(true);
    expect(git(repo, 'log', '-1', '--format=%s')).toBe('par: job');
    expect(git(repo, 'status', '--porcelain')).toBe('');
  });
});
