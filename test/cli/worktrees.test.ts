import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { git, makeRepo } from '../helpers/git-repo.js';
import { makeSandbox, runPar, type Sandbox } from '../helpers/par.js';

let sandbox: Sandbox;
beforeEach(() => {
  sandbox = makeSandbox();
});
afterEach(() => sandbox.cleanup());

describe('par list worktrees', () => {
  it('reports locked, prunable, dirty, detached and plain worktrees as they are', async () => {
    const repo = makeRepo(join(sandbox.dir, 'app'));
    const wt = (name: string): string => join(sandbox.dir, name);
    for (const name of ['locked', 'gone', 'dirty', 'detached', 'plain wt ü']) git(repo, 'worktree', 'add', '-q', wt(name), '-b', `b-${name.split(' ')[0]}`);
    git(repo, 'worktree', 'lock', '--reason', 'in use by CI', wt('locked'));
    rmSync(wt('gone'), { recursive: true });
    writeFileSync(join(wt('dirty'), 'new.txt'), 'untracked\n');
    git(wt('detached'), 'checkout', '-q', '--detach');

    const result = await runPar(sandbox, ['list', 'worktrees', '--json'], { cwd: wt('dirty') });
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const listed = JSON.parse(result.stdout) as Record<string, unknown>[];
    const head = git(repo, 'rev-parse', 'HEAD');
    const common = { repo, head, ahead: null, behind: null };
    expect(listed[0]?.path).toBe(repo);
    const byPath = (a: Record<string, unknown>, b: Record<string, unknown>): number => String(a.path).localeCompare(String(b.path));
    expect(listed.sort(byPath)).toEqual([
      { ...common, path: repo, branch: 'main', dirty: false, locked: false, prunable: false, valid: true, reason: null },
      { ...common, path: wt('locked'), branch: 'b-locked', dirty: false, locked: true, prunable: false, valid: false, reason: 'locked: in use by CI' },
      { ...common, path: wt('gone'), branch: 'b-gone', dirty: null, locked: false, prunable: true, valid: false, reason: 'prunable: gitdir file points to non-existent location' },
      { ...common, path: wt('dirty'), branch: 'b-dirty', dirty: true, locked: false, prunable: false, valid: true, reason: null },
      { ...common, path: wt('detached'), branch: null, dirty: false, locked: false, prunable: false, valid: true, reason: null },
      { ...common, path: wt('plain wt ü'), branch: 'b-plain', dirty: false, locked: false, prunable: false, valid: true, reason: null },
    ].sort(byPath));

    const table = await runPar(sandbox, ['list', 'worktrees'], { cwd: repo });
    expect(table.stdout).toMatch(/^PATH +REPO +BRANCH +HEAD +DIRTY +± +STATUS$/m);
    expect(table.stdout).toMatch(/locked +app +b-locked +[0-9a-f]{8} +✗ locked: in use by CI/);
    expect(table.stdout).toMatch(/dirty +app +b-dirty +[0-9a-f]{8} +dirty +ok/);
    expect(table.stdout).toMatch(/detached +app +\(detached\)/);
  });

  it('says how to add search paths when run outside any repository', async () => {
    const result = await runPar(sandbox, ['list', 'worktrees']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `par: ${sandbox.dir} is not inside a git repository and worktrees.search_paths is empty; cd into a repository, or add places to look: par config set worktrees.search_paths '["~/code"]'.\n`,
    );
  });

  it('lists search paths, warning about a missing one, with ~ shortened', async () => {
    const code = join(sandbox.home, 'code');
    makeRepo(join(code, 'svc'));
    await runPar(sandbox, ['config', 'set', 'worktrees.search_paths', '["~/code", "~/missing"]']);
    const result = await runPar(sandbox, ['list', 'worktrees']);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe(`par: warning: search path ${join(sandbox.home, 'missing')} does not exist; it was skipped\n`);
    expect(result.stdout).toMatch(/^~\/code\/svc +svc +main/m);
  });

  it('shows prompts and worktrees with no argument', async () => {
    const repo = makeRepo(join(sandbox.dir, 'app'));
    const result = await runPar(sandbox, ['list'], { cwd: repo });
    expect(result.stdout).toMatch(/^Prompts\nNo prompts yet.*\n\nWorktrees\nPATH/);
    const json = JSON.parse((await runPar(sandbox, ['list', '--json'], { cwd: repo })).stdout) as { prompts: unknown[]; worktrees: unknown[] };
    expect(json.prompts).toEqual([]);
    expect(json.worktrees).toHaveLength(1);
  });
});
