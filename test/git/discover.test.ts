import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { discoverWorktrees, type DiscoveryOptions } from '../../src/git/discover.js';
import { createGit } from '../../src/git/real-git.js';
import { git, makeRepo } from '../helpers/git-repo.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'par-discover-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function options(overrides: Partial<DiscoveryOptions>): DiscoveryOptions {
  return { git: createGit(), cwd: dir, searchPaths: [], maxDepth: 4, excludePatterns: ['*/node_modules', '*/.git', '*/target'], ...overrides };
}

describe('discovery under search paths', () => {
  it('finds repositories to max_depth, nested ones too, never inside excluded folders or through symlinks', async () => {
    const root = join(dir, 'code');
    makeRepo(join(root, 'a'));
    makeRepo(join(root, 'a', 'packages', 'nested'));
    makeRepo(join(root, 'group', 'b'));
    makeRepo(join(root, 'a', 'node_modules', 'dep'));
    makeRepo(join(root, 'x', 'target', 'gen'));
    makeRepo(join(root, 'd1', 'd2', 'd3', 'at-depth-4'));
    makeRepo(join(root, 'd1', 'd2', 'd3', 'd4', 'at-depth-5'));
    const outside = makeRepo(join(dir, 'outside'));
    symlinkSync(outside, join(root, 'link-to-outside'));
    git(join(root, 'group', 'b'), 'worktree', 'add', '-q', join(dir, 'elsewhere', 'b-feature'), '-b', 'feature');

    const result = await discoverWorktrees(options({ searchPaths: [root] }));
    expect(result.warnings).toEqual([]);
    expect(result.worktrees.map((worktree) => worktree.path.slice(dir.length + 1))).toEqual([
      'code/a',
      'code/a/packages/nested',
      'code/d1/d2/d3/at-depth-4',
      'code/group/b',
      'elsewhere/b-feature',
    ]);
    const feature = result.worktrees.find((worktree) => worktree.branch === 'feature');
    expect(feature?.repo).toBe(join(root, 'group', 'b'));
  });

  it('puts the current repository first, then search paths, each listed once', async () => {
    const root = join(dir, 'code');
    const here = makeRepo(join(root, 'here'));
    makeRepo(join(root, 'other'));
    const result = await discoverWorktrees(options({ cwd: join(here), searchPaths: [root] }));
    expect(result.currentWorktree).toBe(here);
    expect(result.worktrees.map((worktree) => worktree.path)).toEqual([here, join(root, 'other')]);
  });

  it('warns about a missing search path, a file as a search path and a corrupt .git file, and goes on', async () => {
    const root = join(dir, 'code');
    makeRepo(join(root, 'good'));
    mkdirSync(join(root, 'broken'), { recursive: true });
    writeFileSync(join(root, 'broken', '.git'), 'gitdir: /nowhere/at/all\n');
    writeFileSync(join(dir, 'a-file'), 'x');
    const result = await discoverWorktrees(options({ searchPaths: [join(dir, 'missing'), join(dir, 'a-file'), root] }));
    expect(result.worktrees.map((worktree) => worktree.path)).toEqual([join(root, 'good')]);
    expect(result.warnings).toEqual([
      `search path ${join(dir, 'missing')} does not exist; it was skipped`,
      `search path ${join(dir, 'a-file')} is a file, not a directory; it was skipped`,
      `skipped ${join(root, 'broken')}: its .git file points to /nowhere/at/all, which does not exist`,
    ]);
  });
});
