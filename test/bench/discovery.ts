import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compareCommands, type BenchRow } from './measure.js';
import { GIT_ENV, makeRepositoryTree } from './fixtures.js';

/**
 * DESIGN §12: `par list worktrees --json` over 200+ repositories with
 * node_modules folders, against find -prune plus `git worktree list` and
 * `git status` per repository in a shell loop. Target ≤ 3×.
 */
export function benchDiscovery(parBin: string, runs = 5): BenchRow[] {
  const dir = mkdtempSync(join(tmpdir(), 'par-bench-discovery-'));
  try {
    const root = join(dir, 'code');
    const { expected } = makeRepositoryTree(root, 220);
    const home = join(dir, 'home');
    const env = { ...GIT_ENV, HOME: home, XDG_CONFIG_HOME: join(home, 'c'), XDG_DATA_HOME: join(home, 'd'), XDG_STATE_HOME: join(home, 's') };
    mkdirSync(join(home, 'c', 'par'), { recursive: true });
    writeFileSync(join(home, 'c', 'par', 'config.yaml'), `worktrees:\n  search_paths: [${JSON.stringify(root)}]\n  max_depth: 4\n`);

    const listed = JSON.parse(execFileSync(process.execPath, [parBin, 'list', 'worktrees', '--json'], { cwd: dir, env, encoding: 'utf8' })) as unknown[];
    if (listed.length !== expected) throw new Error(`par listed ${listed.length} worktrees, expected ${expected}`);

    const script = `find "$1" -maxdepth 5 \\( -path '*/node_modules' -o -path '*/target' \\) -prune -o -name .git -print -prune |
      while IFS= read -r g; do d=$(dirname "$g"); git -C "$d" worktree list --porcelain >/dev/null; git -C "$d" status --porcelain >/dev/null; done`;
    const check = spawnSync('sh', ['-c', script, 'sh', root], { env });
    if (check.status !== 0) throw new Error(`the baseline failed: ${check.stderr.toString()}`);

    const times = compareCommands(
      { baseline: ['sh', '-c', script, 'sh', root], par: [process.execPath, parBin, 'list', 'worktrees', '--json'] },
      runs,
      env,
      dir,
    );
    return [
      {
        name: `par list worktrees --json (${expected} repos)`,
        baselineName: 'find -prune + git loop',
        par: times.par ?? 0,
        baseline: times.baseline ?? 1,
        unit: 'ms',
        target: 3,
      },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
