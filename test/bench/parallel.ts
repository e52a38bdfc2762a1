import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { median, type BenchRow } from './measure.js';
import { makeRunFixture } from './fixtures.js';

/** Medians of this many rounds, par and GNU parallel interleaved: this machine's timings wander by ±10 % from run to run. */
const ROUNDS = 5;

/** GNU parallel running the same agent over the same worktrees, prompt on stdin. */
function parallelArgs(agent: string, jobs: number, prompt: string, paths: string[], results?: string): string[] {
  const command = `cd {} && printf '%s' ${JSON.stringify(prompt)} | ${agent} -p --output-format stream-json --verbose`;
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

interface Race {
  worktrees: number;
  jobs: number;
  prompt: string;
  /** GNU parallel keeps each job's output (`--results`), as par does. */
  results: boolean;
  fixture?: Parameters<typeof makeRunFixture>[2];
  /** Run once more after the timed rounds, untimed, with the fixture still there. */
  after?: (fixture: ReturnType<typeof makeRunFixture>, dataDir: string) => Promise<void>;
}

/** par and GNU parallel running the same agent over the same worktrees, interleaved; medians of ROUNDS. */
async function race(parBin: string, spec: Race): Promise<{ par: number; baseline: number; peakMb: number }> {
  const fixture = makeRunFixture(spec.worktrees, 'par-bench-parallel-', spec.fixture);
  const { dir, repo, paths, env, agent } = fixture;
  const dataDir = join(dir, 'home', 'd', 'par');
  try {
    const baselines: number[] = [];
    const pars: number[] = [];
    let peakMb = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const results = spec.results ? join(dir, `parallel-results-${round}`) : undefined;
      baselines.push(wall('parallel', parallelArgs(agent, spec.jobs, spec.prompt, paths, results), { cwd: repo, env }));
      if (results) rmSync(results, { recursive: true, force: true });
      const measured = await parWithPeak(parBin, ['run', '-m', spec.prompt, ...paths, '-j', String(spec.jobs)], { cwd: repo, env }, dataDir);
      pars.push(measured.ms);
      peakMb = Math.max(peakMb, measured.peakMb);
      rmSync(join(dataDir, 'runs'), { recursive: true, force: true });
    }
    await spec.after?.(fixture, dataDir);
    return { par: median(pars), baseline: median(baselines), peakMb };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function needParallel(): void {
  if (spawnSync('parallel', ['--version']).status !== 0) {
    throw new Error('GNU parallel is the baseline here and is not installed: apt-get install parallel');
  }
}

/** DESIGN §12: 32 jobs × 1 s at -j 8 in a repository of 2,000 files, the agent behind a shell wrapper, against GNU parallel. */
export async function benchWaves(parBin: string): Promise<BenchRow[]> {
  needParallel();
  const waves = await race(parBin, { worktrees: 32, jobs: 8, prompt: 'sim: duration=1s turns=1', results: false, fixture: { files: 2000, wrapper: true } });
  return [{ name: `32 jobs × 1 s, -j 8, 2,000-file repository, agent behind a /bin/sh wrapper (median of ${ROUNDS})`, baselineName: 'GNU parallel, same wrapper', par: waves.par, baseline: waves.baseline, unit: 'ms', target: 1.1 }];
}

/** DESIGN §12: 200 jobs × 2 s × 1,000 lines at -j 50 against GNU parallel --results; the supervisor's peak memory. */
export async function benchScale(parBin: string): Promise<BenchRow[]> {
  needParallel();
  const many = await race(parBin, { worktrees: 200, jobs: 50, prompt: 'sim: duration=2s turns=1 lines=1000', results: true });
  return [
    { name: `200 jobs × 2 s × 1,000 lines, -j 50 (median of ${ROUNDS})`, baselineName: 'GNU parallel --results', par: many.par, baseline: many.baseline, unit: 'ms', target: 1.15 },
    { name: '  the same: peak RSS of the supervisor (highest of the runs)', baselineName: 'the 300 MB target', par: many.peakMb, baseline: 300, unit: 'MB', target: 1 },
  ];
}

/** DESIGN §12: 16 jobs × 100,000 lines × 200 B at -j 16 against GNU parallel --results; logs byte-identical; peak memory. */
export async function benchVolume(parBin: string): Promise<BenchRow[]> {
  needParallel();
  const prompt = 'sim: duration=0 turns=1 lines=100000 size=200';
  const loud = await race(parBin, {
    worktrees: 16,
    jobs: 16,
    prompt,
    results: true,
    // Then, untimed, the same run with each agent also keeping what it printed, to compare with par's logs.
    async after({ repo, paths, env }, dataDir) {
      await parWithPeak(parBin, ['run', '-m', `${prompt}\nsim: tee=.printed.log`, ...paths, '-j', '16'], { cwd: repo, env }, dataDir);
      const [run = ''] = readdirSync(join(dataDir, 'runs'));
      const identical = paths.every((path, index) => readFileSync(join(dataDir, 'runs', run, 'jobs', `wt${index + 1}`, 'output.log')).equals(readFileSync(join(path, '.printed.log'))));
      if (!identical) throw new Error('an output.log differs from what its agent printed');
    },
  });
  return [
    { name: `16 jobs × 100k lines × 200 B, -j 16 (median of ${ROUNDS}; logs byte-identical)`, baselineName: 'GNU parallel --results', par: loud.par, baseline: loud.baseline, unit: 'ms', target: 1.5 },
    { name: '  the same: peak RSS of the supervisor (highest of the runs)', baselineName: 'the 200 MB target', par: loud.peakMb, baseline: 200, unit: 'MB', target: 1 },
  ];
}
