import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createCommandRunner } from '../../src/os/command-runner.js';
import { createWorktrees } from '../../src/git/create-worktrees.js';
import { createGit } from '../../src/git/real-git.js';
import { WorktreeRegistry } from '../../src/git/worktree-registry.js';
import { ROOT } from '../helpers/par.js';
import { branches, git, makeRepo, writeFiles } from '../helpers/git-repo.js';
import { planWorktrees, type CreationRequest, type CreationResult } from '../../src/git/plan-worktrees.js';

let dir: string;
let repo: string;
let dataDir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'par-create-'));
  repo = makeRepo(join(dir, 'my app'), { 'src/app.ts': 'export const app = 1;\n', '.gitignore': '.env\n*.log\n' });
  dataDir = join(dir, 'data');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function request(overrides: Partial<CreationRequest> = {}): CreationRequest {
  return {
    git: createGit(),
    runner: createCommandRunner(),
    repoDir: repo,
    runId: '20261122-101010-abcd',
    jobs: ['t1', 't2', 't3'],
    dataDir,
    branchPattern: 'par/{run}/{job}',
    setup: [],
    ...overrides,
  };
}

async function createAll(overrides: Partial<CreationRequest> = {}): Promise<CreationResult[]> {
  const results: CreationResult[] = [];
  for await (const result of createWorktrees(await planWorktrees(request(overrides)))) results.push(result);
  return results;
}

describe('creating worktrees', () => {
  it('makes one checked-out worktree per job on its own branch, and records each', async () => {
    const results = await createAll();
    expect(results.map((result) => [result.job, result.ok]).sort()).toEqual([['t1', true], ['t2', true], ['t3', true]]);
    const base = git(repo, 'rev-parse', 'main');
    for (const result of results) {
      if (!result.ok) throw new Error(result.error);
      const { path, branch } = result.record;
      expect(path).toMatch(new RegExp(`/data/worktrees/my app-[0-9a-f]{8}/20261122-101010-abcd/${result.job}$`));
      expect(branch).toBe(`par/20261122-101010-abcd/${result.job}`);
      expect(readFileSync(join(path, 'src/app.ts'), 'utf8')).toBe('export const app = 1;\n');
      expect(git(path, 'status', '--porcelain')).toBe('');
      expect(git(path, 'rev-parse', 'HEAD')).toBe(base);
      expect(git(path, 'symbolic-ref', '--short', 'HEAD')).toBe(branch);
      expect(result.record).toMatchObject({ repo, base: 'main', base_commit: base, run: '20261122-101010-abcd', job: result.job });
    }
    expect(new WorktreeRegistry(dataDir).read().map((record) => record.job).sort()).toEqual(['t1', 't2', 't3']);
  });

  it('starts from -b when given', async () => {
    git(repo, 'checkout', '-q', '-b', 'release');
    writeFiles(repo, { 'release.txt': 'r\n' });
    git(repo, 'add', '-A');
    git(repo, 'commit', '-q', '-m', 'release');
    git(repo, 'checkout', '-q', 'main');
    const [result] = await createAll({ jobs: ['r1'], base: 'release' });
    expect(result?.ok && existsSync(join(result.record.path, 'release.txt'))).toBe(true);
  });

  it('defaults to origin/HEAD, then main or master, then the current branch', async () => {
    const clone = join(dir, 'clone');
    git(dir, 'clone', '-q', repo, clone);
    git(clone, 'checkout', '-q', '-b', 'elsewhere');
    const plan = await planWorktrees(request({ repoDir: clone, jobs: ['a'] }));
    expect(plan.baseName).toBe('origin/main');
    const lone = makeRepo(join(dir, 'lone'));
    git(lone, 'branch', '-m', 'main', 'trunk');
    expect((await planWorktrees(request({ repoDir: lone, jobs: ['a'] }))).baseName).toBe('trunk');
  });

  it('copies gitignored files listed in .worktreeinclude', async () => {
    writeFiles(repo, { '.env': 'SECRET=1\n', 'debug.log': 'noise\n', '.worktreeinclude': '.env\n' });
    const [result] = await createAll({ jobs: ['a'] });
    if (!result?.ok) throw new Error('expected success');
    expect(readFileSync(join(result.record.path, '.env'), 'utf8')).toBe('SECRET=1\n');
    expect(existsSync(join(result.record.path, 'debug.log'))).toBe(false);
  });

  it('runs the setup commands in each new worktree', async () => {
    const results = await createAll({ jobs: ['a', 'b'], setup: [['sh', '-c', 'pwd > setup-ran.txt']] });
    for (const result of results) {
      if (!result.ok) throw new Error(result.error);
      expect(readFileSync(join(result.record.path, 'setup-ran.txt'), 'utf8').trim()).toBe(result.record.path);
    }
  });

  it('fails the job whose setup fails, naming the command and its stderr', async () => {
    const [result] = await createAll({ jobs: ['a'], setup: [['sh', '-c', 'echo "npm ERR! missing package.json" >&2; exit 3']] });
    expect(result).toMatchObject({ job: 'a', ok: false });
    expect(result && !result.ok && result.error).toMatch(/setup command 'sh -c .*' failed in .*\/a \(exit 3\): npm ERR! missing package\.json$/);
    const [missing] = await createAll({ jobs: ['b'], setup: [['no-such-program-xyz']] });
    expect(missing && !missing.ok && missing.error).toMatch(/setup command 'no-such-program-xyz' failed/);
  });

  it('yields the first worktree before the last is checked out', async () => {
    const order: string[] = [];
    const plan = await planWorktrees(request({ jobs: ['a', 'b', 'c', 'd'], setup: [['sh', '-c', 'sleep 0.3; touch setup-done']] }));
    for await (const result of createWorktrees(plan)) {
      order.push(result.job);
      if (order.length === 1) {
        // The last worktree's setup has not finished when the first is handed out.
        expect(existsSync(join(plan.targets[3]?.path ?? '', 'setup-done'))).toBe(false);
      }
    }
    // The first is checked out alone; the rest two at a time, finishing in either order.
    expect(order[0]).toBe('a');
    expect([...order].sort()).toEqual(['a', 'b', 'c', 'd']);
  });
});

describe('bad input is refused before anything is created', () => {
  it('names an unknown base and the close matches', async () => {
    git(repo, 'branch', 'develop');
    await expect(planWorktrees(request({ base: 'devlop' }))).rejects.toThrow(
      /^There is no branch 'devlop' in .*my app \(close: develop\); pass an existing branch, tag or commit to -b\.$/,
    );
  });

  it('refuses an existing branch or path, naming it, and creates nothing', async () => {
    git(repo, 'branch', 'par/20261122-101010-abcd/t2');
    await expect(planWorktrees(request())).rejects.toThrow("branch 'par/20261122-101010-abcd/t2' already exists");
    git(repo, 'branch', '-D', 'par/20261122-101010-abcd/t2');
    const plan = await planWorktrees(request());
    mkdirSync(plan.targets[0]?.path ?? '', { recursive: true });
    await expect(planWorktrees(request())).rejects.toThrow(/t1 already exists\. Nothing was created\./);
    expect(branches(repo)).toEqual(['main']);
  });

  it('refuses a directory outside any repository', async () => {
    await expect(planWorktrees(request({ repoDir: dir }))).rejects.toThrow('is not inside a git repository');
  });

  it('refuses branch names git would refuse', async () => {
    await expect(planWorktrees(request({ branchPattern: 'par/{run}/{job}.lock' }))).rejects.toThrow('ends with ".lock"');
  });

  it('rolls back a half-created worktree: the branch git made is deleted, nothing is recorded', async () => {
    const plan = await planWorktrees(request({ jobs: ['a'] }));
    const runDir = join(plan.targets[0]?.path ?? '', '..');
    mkdirSync(join(runDir, '..'), { recursive: true });
    writeFileSync(runDir, 'a file where a directory must go');
    const results: CreationResult[] = [];
    for await (const result of createWorktrees(plan)) results.push(result);
    expect(results[0]).toMatchObject({ job: 'a', ok: false });
    expect(branches(repo)).toEqual(['main']);
    expect(git(repo, 'worktree', 'list', '--porcelain').match(/^worktree /gm)).toHaveLength(1);
    expect(new WorktreeRegistry(dataDir).read()).toEqual([]);
  });
});

describe('the lock across processes', () => {
  let worker: string;
  beforeAll(async () => {
    // Inside the project, so the bundle finds its packages in node_modules.
    worker = join(ROOT, 'node_modules', '.cache', `par-create-worker-${process.pid}.mjs`);
    await build({
      entryPoints: [join(ROOT, 'test/helpers/create-worker.ts')],
      bundle: true,
      platform: 'node',
      format: 'esm',
      packages: 'external',
      outfile: worker,
      logLevel: 'error',
    });
  });
  afterAll(() => rmSync(worker, { force: true }));

  function runWorker(prefix: string, count: number): Promise<CreationResult[]> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [worker, repo, dataDir, '20261122-101010-lock', String(count), prefix], {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      let err = '';
      child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
      child.on('error', reject);
      child.on('close', (code) =>
        code === 0 ? resolve(out.trim().split('\n').map((line) => JSON.parse(line) as CreationResult)) : reject(new Error(err)),
      );
    });
  }

  it('creates 64 worktrees at once, half from each of two processes, all on their own branches', async () => {
    const [first, second] = await Promise.all([runWorker('a', 32), runWorker('b', 32)]);
    const all = [...(first ?? []), ...(second ?? [])];
    const failures = all.filter((result) => !result.ok);
    expect(failures).toEqual([]);
    expect(all).toHaveLength(64);
    expect(branches(repo)).toHaveLength(65);
    expect(git(repo, 'worktree', 'list', '--porcelain').match(/^worktree /gm)).toHaveLength(65);
    expect(new WorktreeRegistry(dataDir).read()).toHaveLength(64);
    for (const result of all) if (result.ok) expect(git(result.record.path, 'status', '--porcelain')).toBe('');
  }, 120_000);
});
