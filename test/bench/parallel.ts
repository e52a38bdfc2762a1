import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { median, type BenchRow } from './measure.js';

const ROUNDS = 3;
import { SIM, makeRunFixture } from './fixtures.js';


function setup(worktrees: number): ReturnType<typeof makeRunFixture> {
  return makeRunFixture(worktrees, 'par-bench-parallel-');
}

/** GNU parallel running the same agent over the same worktrees, prompt on stdin. */
function parallelArgs(jobs: number, prompt: string, paths: string[], results?: string): string[] {
  const command = `cd {} && printf '%s' ${JSON.stringify(prompt)} | ${SIM} -p --output-format stream-json --verbose`;
  return ['--will-cite', '-j', String(jobs), ...(results ? ['--results', results] : []), command + (results ? '' : ' > /dev/null'), ':::', ...paths];
}

function wall(command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }): number {
  const start = performance.now();
  const result = spawnSync(command, args, { ...options, stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 1 << 30 });
  if (result.status !== 0 && result.status !== 1) throw new Error(`${command} failed: ${result.stderr.toString().slice(-500)}`);
  return performance.now() - start;
}

/** Runs `par run` and samples the supervisor's peak resident memory (VmHWM) while it runs. */
async function parWithPeak(parBin: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }, dataDir: string): Promise<{ ms: number; peakMb: number }> {
  const start = performance.now();
  const child = spawn(process.execPath, [parBin, ...args], { ...options, stdio: 'ignore' });
  let peak = 0;
  const sample = setInterval(() => {
    try {
      for (const run of readdirSync(join(dataDir, 'runs'))) {
        const plan = JSON.parse(readFileSync(join(dataDir, 'runs', run, 'run.json'), 'utf8')) as { supervisor_pid: number | null };
        if (!plan.supervisor_pid) continue;
        const status = readFileSync(`/proc/${plan.supervisor_pid}/status`, 'utf8');
        const hwm = /VmHWM:\s+(\d+) kB/.exec(status);
        if (hwm) peak = Math.max(peak, Number(hwm[1]) / 1024);
      }
    } catch {
      // Not started yet, or already gone.
    }
  }, 20);
  await new Promise<void>((resolve) => child.on('close', () => resolve()));
  clearInterval(sample);
  return { ms: performance.now() - start, peakMb: peak };
}

/**
 * DESIGN §12 against GNU parallel, the simulated agent on both sides:
 * 32 jobs × 1 s at -j 8 (≤ 1.15×), and 16 jobs × 100,000 lines × 200 B at
 * -j 16 (≤ 1.5× `parallel --results`, logs byte-identical, peak RSS ≤ 200 MB).
 */
export async function benchParallel(parBin: string): Promise<BenchRow[]> {
  if (spawnSync('parallel', ['--version']).status !== 0) {
    throw new Error('GNU parallel is the baseline here and is not installed: apt-get install parallel');
  }
  const rows: BenchRow[] = [];
  {
    const { dir, repo, paths, env } = setup(32);
    try {
      const prompt = 'sim: duration=1s turns=1';
      const baselines: number[] = [];
      const pars: number[] = [];
      // Medians of three, interleaved: this machine's timings wander by ±10 % from run to run.
      for (let round = 0; round < ROUNDS; round++) {
        baselines.push(wall('parallel', parallelArgs(8, prompt, paths), { cwd: repo, env }));
        pars.push((await parWithPeak(parBin, ['run', '-m', prompt, ...paths, '-j', '8'], { cwd: repo, env }, join(dir, 'home', 'd', 'par'))).ms);
      }
      rows.push({ name: `32 jobs × 1 s, -j 8 (median of ${ROUNDS})`, baselineName: 'GNU parallel', par: median(pars), baseline: median(baselines), unit: 'ms', target: 1.15 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  {
    const { dir, repo, paths, env } = setup(16);
    try {
      const prompt = 'sim: duration=0 turns=1 lines=100000 size=200';
      const dataDir = join(dir, 'home', 'd', 'par');
      const baselines: number[] = [];
      const pars: number[] = [];
      let peakMb = 0;
      for (let round = 0; round < ROUNDS; round++) {
        const results = join(dir, `parallel-results-${round}`);
        baselines.push(wall('parallel', parallelArgs(16, prompt, paths, results), { cwd: repo, env }));
        rmSync(results, { recursive: true, force: true });
        const measured = await parWithPeak(parBin, ['run', '-m', prompt, ...paths, '-j', '16'], { cwd: repo, env }, dataDir);
        pars.push(measured.ms);
        peakMb = Math.max(peakMb, measured.peakMb);
        rmSync(join(dataDir, 'runs'), { recursive: true, force: true });
      }
      const ms = median(pars);
      const baseline = median(baselines);
      // Then, untimed, the same run with each agent also keeping what it printed, to compare with par's logs.
      await parWithPeak(parBin, ['run', '-m', `${prompt}\nsim: tee=.printed.log`, ...paths, '-j', '16'], { cwd: repo, env }, dataDir);
      const [run = ''] = readdirSync(join(dataDir, 'runs'));
      const identical = paths.every((path, index) => readFileSync(join(dataDir, 'runs', run, 'jobs', `wt${index + 1}`, 'output.log')).equals(readFileSync(join(path, '.printed.log'))));
      if (!identical) throw new Error('an output.log differs from what its agent printed');
      rows.push({ name: `16 jobs × 100k lines × 200 B, -j 16 (median of ${ROUNDS}; logs byte-identical)`, baselineName: 'GNU parallel --results', par: ms, baseline, unit: 'ms', target: 1.5 });
      rows.push({ name: '  the same: peak RSS of the supervisor (highest of the runs)', baselineName: 'the 200 MB target', par: peakMb, baseline: 200, unit: 'MB', target: 1 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return rows;
}
