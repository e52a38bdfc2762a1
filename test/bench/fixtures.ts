import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const GIT_ENV = {
  ...process.env,
  GIT_AUTHOR_NAME: 'bench',
  GIT_AUTHOR_EMAIL: 'bench@par.invalid',
  GIT_COMMITTER_NAME: 'bench',
  GIT_COMMITTER_EMAIL: 'bench@par.invalid',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_CONFIG_NOSYSTEM: '1',
};

export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, env: GIT_ENV, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** A repository with one commit of `files` small files spread over folders. */
export function makeRepoWithFiles(dir: string, files: number): void {
  mkdirSync(dir, { recursive: true });
  git(dir, 'init', '-q', '-b', 'main');
  for (let index = 0; index < files; index++) {
    const folder = join(dir, 'src', `m${index % 90}`, `s${index % 7}`);
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, `f${index}.ts`), `export const v${index} = ${index};\n`.repeat(20));
  }
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'fixture');
}

/**
 * A tree of `repos` repositories (org-N/repo-M), each with a node_modules
 * folder of packages, some of which are git repositories themselves (they
 * must not be listed), and a few repositories nested inside repositories
 * (they must be).
 */
export function makeRepositoryTree(root: string, repos: number): { expected: number } {
  let expected = 0;
  for (let index = 0; index < repos; index++) {
    const repo = join(root, `org-${index % 10}`, `repo-${index}`);
    mkdirSync(join(repo, 'src'), { recursive: true });
    writeFileSync(join(repo, 'src', 'index.ts'), 'export {};\n');
    for (let pkg = 0; pkg < 20; pkg++) {
      const dir = join(repo, 'node_modules', `pkg-${pkg}`, 'lib');
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'index.js'), 'module.exports = {};\n');
    }
    git(repo, 'init', '-q', '-b', 'main');
    git(repo, 'add', 'src');
    git(repo, 'commit', '-q', '-m', 'init');
    expected++;
    if (index % 4 === 0) git(join(repo, 'node_modules', 'pkg-0'), 'init', '-q');
    if (index % 25 === 0) {
      const nested = join(repo, 'packages', 'inner');
      mkdirSync(nested, { recursive: true });
      git(nested, 'init', '-q', '-b', 'main');
      expected++;
    }
  }
  return { expected };
}

/** The simulated agent, as the benchmarks' claude. */
export const SIM = join(process.cwd(), 'assets', 'sim-agent.mjs');

/**
 * A repository with `worktrees` linked worktrees and a par home whose claude
 * is the simulated agent. With `files`, the repository has that many tracked
 * files over a few commits of history (git's work per job grows with it);
 * with `wrapper`, claude is a small /bin/sh script that runs the simulated
 * agent, as users' own wrappers do. `agent` is what par runs as claude.
 */
export function makeRunFixture(worktrees: number, prefix: string, options: { files?: number; wrapper?: boolean } = {}): { dir: string; repo: string; paths: string[]; env: NodeJS.ProcessEnv; agent: string } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const repo = join(dir, 'app');
  if (options.files) {
    makeRepoWithFiles(repo, options.files);
    // Some history: a few commits touching a tenth of the files each.
    for (let commit = 1; commit <= 4; commit++) {
      for (let index = commit; index < options.files; index += 10) {
        writeFileSync(join(repo, 'src', `m${index % 90}`, `s${index % 7}`, `f${index}.ts`), `export const v${index} = ${index * (commit + 1)};\n`.repeat(20));
      }
      git(repo, 'commit', '-q', '-am', `change ${commit}`);
    }
  } else {
    mkdirSync(repo);
    git(repo, 'init', '-q', '-b', 'main');
    writeFileSync(join(repo, 'README.md'), '# app\n');
    git(repo, 'add', '-A');
    git(repo, 'commit', '-q', '-m', 'init');
  }
  const paths = Array.from({ length: worktrees }, (_, index) => join(dir, `wt${index + 1}`));
  for (const [index, path] of paths.entries()) git(repo, 'worktree', 'add', '-q', path, '-b', `b${index + 1}`);
  const home = join(dir, 'home');
  const env = { ...GIT_ENV, HOME: home, XDG_CONFIG_HOME: join(home, 'c'), XDG_DATA_HOME: join(home, 'd'), XDG_STATE_HOME: join(home, 's') };
  let agent = SIM;
  if (options.wrapper) {
    agent = join(dir, 'claude-wrapper');
    writeFileSync(agent, `#!/bin/sh\n# A user's wrapper: set something up, then run the agent.\nexport AGENT_WRAPPED=1\nexec node ${JSON.stringify(SIM)} "$@"\n`, { mode: 0o755 });
  }
  mkdirSync(join(home, 'c', 'par'), { recursive: true });
  writeFileSync(join(home, 'c', 'par', 'config.yaml'), `claude:\n  binary_path: ${JSON.stringify(agent)}\n`);
  return { dir, repo, paths, env, agent };
}
