import { describe, expect, it } from 'vitest';
import { parseWorktreeList } from '../../src/git/parse-worktrees.js';
import { pathMatcher } from '../../src/core/path-glob.js';
import { parseStatus } from '../../src/git/worktree-status.js';

const SHA = '522e2b9986c2a4019c09f14fefd8b6e0d30720ed';
const z = (...records: string[][]): string => records.map((fields) => `${fields.join('\0')}\0\0`).join('');

const base = { head: SHA, branch: null, bare: false, detached: false, locked: false, lockedReason: null, prunable: false, prunableReason: null };

describe('git worktree list --porcelain -z', () => {
  it.each([
    ['a main worktree', z(['worktree /r/app', `HEAD ${SHA}`, 'branch refs/heads/main']), [{ ...base, path: '/r/app', branch: 'main' }]],
    ['a detached HEAD', z(['worktree /r/d', `HEAD ${SHA}`, 'detached']), [{ ...base, path: '/r/d', detached: true }]],
    ['locked with a reason', z(['worktree /r/l', `HEAD ${SHA}`, 'branch refs/heads/l', 'locked in use by CI']), [{ ...base, path: '/r/l', branch: 'l', locked: true, lockedReason: 'in use by CI' }]],
    ['locked without a reason', z(['worktree /r/l', `HEAD ${SHA}`, 'branch refs/heads/l', 'locked']), [{ ...base, path: '/r/l', branch: 'l', locked: true }]],
    [
      'prunable',
      z(['worktree /r/gone', `HEAD ${SHA}`, 'branch refs/heads/g', 'prunable gitdir file points to non-existent location']),
      [{ ...base, path: '/r/gone', branch: 'g', prunable: true, prunableReason: 'gitdir file points to non-existent location' }],
    ],
    ['a bare main repository', z(['worktree /r/app.git', 'bare'], ['worktree /r/wt', `HEAD ${SHA}`, 'branch refs/heads/main']), [
      { ...base, path: '/r/app.git', head: null, bare: true },
      { ...base, path: '/r/wt', branch: 'main' },
    ]],
    ['a path with spaces', z(['worktree /r/my app/wt 1', `HEAD ${SHA}`, 'branch refs/heads/x']), [{ ...base, path: '/r/my app/wt 1', branch: 'x' }]],
    ['a path with a newline', z(['worktree /r/odd\nname', `HEAD ${SHA}`, 'branch refs/heads/x']), [{ ...base, path: '/r/odd\nname', branch: 'x' }]],
    ['a unicode path and branch', z(['worktree /r/ünï 🌍', `HEAD ${SHA}`, 'branch refs/heads/feat/ü']), [{ ...base, path: '/r/ünï 🌍', branch: 'feat/ü' }]],
    ['an unborn branch', z(['worktree /r/new', `HEAD ${'0'.repeat(40)}`, 'branch refs/heads/main']), [{ ...base, path: '/r/new', head: null, branch: 'main' }]],
    ['unknown attributes are ignored', z(['worktree /r/a', `HEAD ${SHA}`, 'branch refs/heads/a', 'someday-new thing']), [{ ...base, path: '/r/a', branch: 'a' }]],
    ['empty output', '', []],
  ])('%s', (_name, output, expected) => {
    expect(parseWorktreeList(output)).toEqual(expected);
  });
});

describe('git status --porcelain=v2 --branch -z', () => {
  it.each([
    ['clean, no upstream', '# branch.oid abc\0# branch.head main\0', { dirty: false, ahead: null, behind: null }],
    ['ahead and behind', '# branch.oid abc\0# branch.head main\0# branch.upstream origin/main\0# branch.ab +2 -1\0', { dirty: false, ahead: 2, behind: 1 }],
    ['a modified file', '# branch.head main\0' + '1 .M N... 100644 100644 100644 a b src/x.ts\0', { dirty: true, ahead: null, behind: null }],
    ['an untracked file', '# branch.head main\0? new.txt\0', { dirty: true, ahead: null, behind: null }],
  ])('%s', (_name, output, expected) => {
    expect(parseStatus(output)).toEqual(expected);
  });
});

describe('exclude patterns match like find -path', () => {
  it.each([
    ['*/node_modules', '/code/app/node_modules', true],
    ['*/node_modules', '/code/app/node_modules/pkg', false],
    ['*/node_modules*', '/code/app/node_modules/pkg', true],
    ['*/vendor/*', '/code/a/vendor/b/c', true],
    ['/code/skip', '/code/skip', true],
    ['/code/skip', '/code/skipped', false],
    ['*/build-?', '/x/build-1', true],
    ['*/[ab]cache', '/x/bcache', true],
    ['*/[!ab]cache', '/x/bcache', false],
    ['*.git', '/x/repo.git', true],
  ])('%s against %s → %s', (pattern, path, matches) => {
    expect(pathMatcher([pattern])(path)).toBe(matches);
  });
});
