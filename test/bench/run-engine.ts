import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { compareCommands, type BenchRow } from './measure.js';
import { SIM, makeRunFixture } from './fixtures.js';


function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

async function until(predicate: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function setup(worktrees: number): ReturnType<typeof makeRunFixture> {
  return makeRunFixture(worktrees, 'par-bench-run-');
}

/** DESIGN §12: Ctrl+C to `par run` with 16 running jobs, each with a grandchild: every process gone within 6 s. */
async function cancelSixteen(parBin: string): Promise<BenchRow> {
  const { dir, repo, paths, env } = setup(16);
  try {
    writeFileSync(join(dir, 'p.md'), '---\ntemplate: true\n---\nsim: child duration=120s pids={{.WorktreePath}}.pids\n');
    spawnSync(process.execPath, [parBin, 'add', '--name', 'slow', '--file', join(dir, 'p.md')], { env });
    const child = spawn(process.execPath, [parBin, 'run', 'slow', ...paths, '-j', '16'], { cwd: repo, env, stdio: 'ignore' });
    const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
    await until(() => paths.every((path) => existsSync(`${path}.pids`)), 60_000);
    const pids = paths.flatMap((path) => readFileSync(`${path}.pids`, 'utf8').trim().split('\n').map(Number));
    const start = performance.now();
    child.kill('SIGINT');
    await exited;
    await until(() => pids.every((pid) => !running(pid)), 30_000);
    return { name: `Ctrl+C with 16 jobs running (${pids.length} processes), all gone`, baselineName: 'the 6 s target', par: performance.now() - start, baseline: 6000, unit: 'ms', target: 1 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * DESIGN §12: the fixed cost of a run — one job whose agent does nothing —
 * against that agent run alone plus the two node start-ups the design needs
 * (the CLI and the supervisor), target ≤ 1.5×.
 */
function overhead(parBin: string): BenchRow {
  const { dir, repo, paths, env } = setup(1);
  try {
    const prompt = 'sim: duration=0 turns=1';
    const times = compareCommands(
      {
        agent: ['sh', '-c', `printf '%s' "$1" | "$2" -p --output-format stream-json --verbose >/dev/null`, 'sh', prompt, SIM],
        node: [process.execPath, '-e', '0'],
        par: [process.execPath, parBin, 'run', '-m', prompt, paths[0] ?? ''],
      },
      15,
      env,
      repo,
    );
    const baseline = (times.agent ?? 0) + 2 * (times.node ?? 0);
    return { name: `par run of one 0-second job (median of 15; the agent alone: ${(times.agent ?? 0).toFixed(0)} ms, node -e 0: ${(times.node ?? 0).toFixed(0)} ms)`, baselineName: 'the agent + two node -e 0', par: times.par ?? 0, baseline, unit: 'ms', target: 1.5 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The run engine's benchmarks. */
export async function benchRunEngine(parBin: string): Promise<BenchRow[]> {
  return [await cancelSixteen(parBin), overhead(parBin)];
}
