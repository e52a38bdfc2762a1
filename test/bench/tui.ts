// The TUI's benchmarks (DESIGN §12): the first frame against a minimal Ink
// screen bundled the same way, idle memory, and key → frame latency, CPU
// and memory while 16 simulated agents stream as fast as they can.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { makeRunFixture } from './fixtures.js';
import { median, type BenchRow } from './measure.js';

const COLUMNS = 120;
const ROWS = 40;
const ROUNDS = 7;
const TOGGLES = 30;

/** A program in a pseudo-terminal (util-linux `script`), its screen output collected as it comes. */
export class Pty {
  readonly child: ChildProcess;
  output = '';
  readonly started = performance.now();
  /** Waits for text, each checked as output arrives (no polling: a spinning harness would take the CPU it measures). */
  readonly #waiters = new Set<() => void>();

  constructor(command: string, options: { cwd: string; env: NodeJS.ProcessEnv }) {
    // The pty gets a fixed size, as a terminal window would give it.
    const inner = `stty cols ${COLUMNS} rows ${ROWS}; exec ${command}`;
    this.child = spawn('script', ['-qfec', inner, '/dev/null'], { cwd: options.cwd, env: { ...options.env, TERM: 'xterm-256color' }, stdio: ['pipe', 'pipe', 'ignore'] });
    this.child.stdout?.on('data', (chunk: Buffer) => {
      this.output += chunk.toString('utf8');
      for (const check of this.#waiters) check();
    });
  }

  /** Resolves with the time since `from` when `text` shows up in output written after `mark`. */
  waitFor(text: string, mark = 0, from = this.started, timeoutMs = 20_000): Promise<number> {
    return new Promise((resolve, reject) => {
      const done = (): void => {
        this.#waiters.delete(check);
        clearTimeout(timer);
      };
      const check = (): void => {
        if (this.output.indexOf(text, mark) < 0) return;
        done();
        resolve(performance.now() - from);
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`'${text}' never showed on the screen; it ends with ${JSON.stringify(this.output.slice(-600))}`));
      }, timeoutMs);
      this.#waiters.add(check);
      check();
    });
  }

  write(text: string): void {
    this.child.stdin?.write(text);
  }

  /** The program itself: the child of `script`. */
  programPid(): number {
    const pid = spawnSync('pgrep', ['-P', String(this.child.pid)], { encoding: 'utf8' }).stdout.trim().split('\n')[0];
    return Number(pid);
  }

  async stop(): Promise<void> {
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGTERM');
    const pid = this.programPid();
    if (pid) process.kill(pid, 'SIGTERM');
    await exited;
  }
}

function status(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const match = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : 0;
}

function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  // utime and stime, fields 14 and 15 of stat, in clock ticks (100 a second on Linux).
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** The baseline: the smallest Ink 6 app, bundled with esbuild exactly as par is. */
async function minimalInk(dir: string): Promise<string> {
  const source = join(dir, 'minimal-ink.mjs');
  writeFileSync(source, "import { render, Box, Text } from 'ink';\nimport { createElement } from 'react';\nrender(createElement(Box, null, createElement(Text, null, 'minimal screen ready')));\n");
  const outdir = join(dir, 'minimal-ink-dist');
  await build({
    entryPoints: [source],
    outdir,
    bundle: true,
    // Split like par's build, so Ink's dev-tools import stays in a chunk never loaded.
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    external: ['react-devtools-core'],
    nodePaths: [join(process.cwd(), 'node_modules')],
    define: { 'process.env.NODE_ENV': '"production"' },
    banner: { js: "import { createRequire as __c } from 'node:module';\nconst require = __c(import.meta.url);" },
    logLevel: 'warning',
  });
  return join(outdir, 'minimal-ink.js');
}

export async function benchTuiFirstFrame(parBin: string): Promise<BenchRow[]> {
  const { dir, repo, env } = makeRunFixture(3, 'par-bench-tui-');
  try {
    const prompts = join(dir, 'home', 'd', 'par', 'prompts');
    mkdirSync(prompts, { recursive: true });
    writeFileSync(join(prompts, 'fix-lint.md'), '---\ndescription: fix the lint\n---\nFix the lint.\n');
    const minimal = await minimalInk(dir);
    const par: number[] = [];
    const baseline: number[] = [];
    let idleMb = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const ink = new Pty(`${process.execPath} ${minimal}`, { cwd: repo, env });
      baseline.push(await ink.waitFor('minimal screen ready'));
      await ink.stop();
      // The Prompts pane is on screen when the library's prompts are.
      const tui = new Pty(`${process.execPath} ${parBin}`, { cwd: repo, env });
      par.push(await tui.waitFor('fix the lint'));
      if (round === 0) {
        await new Promise((resolve) => setTimeout(resolve, 1500));
        idleMb = status(tui.programPid(), 'VmRSS');
      }
      await tui.stop();
    }
    return [
      { name: `first TUI frame, Prompts pane listed (median of ${ROUNDS})`, baselineName: 'minimal Ink 6 screen, bundled', par: median(par), baseline: median(baseline), unit: 'ms', target: 1.2 },
      { name: '  idle RSS of the TUI, no jobs', baselineName: 'the 95 MiB target', par: idleMb, baseline: 95, unit: 'MiB', target: 1 },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

/** Key → frame latencies (ms) of TOGGLES `?` presses, and the CPU the TUI used meanwhile (cores). */
async function toggles(tui: Pty): Promise<{ latencies: number[]; cores: number; peakMb: number }> {
  const pid = tui.programPid();
  const cpuStart = cpuSeconds(pid);
  const wallStart = performance.now();
  const latencies: number[] = [];
  for (let toggle = 0; toggle < TOGGLES; toggle++) {
    // `?` opens the help (its last line says Everywhere:), `?` again brings back the grid and its STATE header.
    for (const [key, shows] of [['?', 'Everywhere:'], ['?', 'STATE']] as const) {
      const mark = tui.output.length;
      const sent = performance.now();
      tui.write(key);
      latencies.push(await tui.waitFor(shows, mark, sent, 5000));
    }
  }
  const cores = (cpuSeconds(pid) - cpuStart) / ((performance.now() - wallStart) / 1000);
  if (!(tui.output.lastIndexOf('running') > tui.output.lastIndexOf('STATE') - 5000)) throw new Error('the agents ended before the measurement did; make them stream longer');
  return { latencies, cores, peakMb: status(pid, 'VmHWM') };
}

/** Waits for a run's end, so its directory can go. */
async function runEnded(parBin: string, repo: string, env: NodeJS.ProcessEnv): Promise<void> {
  for (let wait = 0; wait < 100; wait++) {
    const state = spawnSync(process.execPath, [parBin, 'status', '--json'], { cwd: repo, env, encoding: 'utf8' }).stdout;
    if (!state.includes('"state": "running"')) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** 16 agents printing 100k lines of 200 B each over ~8 s: 200k lines a second in all. */
const STREAMING = 'sim: duration=8s turns=4 lines=100000 size=200';

/**
 * 16 streaming agents and the TUI on a terminal, key → frame once: the TUI
 * of `par run` itself, or (`attach`) `par attach` to the same run started
 * headless with `--detach`.
 */
async function underLoad(parBin: string, attach = false): Promise<{ latencies: number[]; cores: number; peakMb: number }> {
  const { dir, repo, paths, env } = makeRunFixture(16, 'par-bench-tui-load-');
  const par = (args: string[]): string => spawnSync(process.execPath, [parBin, ...args], { cwd: repo, env, encoding: 'utf8' }).stdout.trim();
  try {
    const run = attach ? par(['run', '-m', STREAMING, ...paths, '-j', '16', '--detach']) : '';
    const tui = new Pty(attach ? `${process.execPath} ${parBin} attach ${run}` : `${process.execPath} ${parBin} run -m '${STREAMING}' ${paths.join(' ')} -j 16`, { cwd: repo, env });
    try {
      await tui.waitFor('running');
      // Let every agent get going before measuring.
      await new Promise((resolve) => setTimeout(resolve, 1500));
      return await toggles(tui);
    } finally {
      // Quitting par run's TUI asks what to do with the jobs: c cancels them; an attached TUI just leaves.
      tui.write('q');
      if (!attach) {
        await new Promise((resolve) => setTimeout(resolve, 300));
        tui.write('c');
      }
      await tui.stop();
      if (attach) par(['cancel', run]);
    }
  } finally {
    // The cancelled agents get their grace period; the directory goes once the run has ended.
    await runEnded(parBin, repo, env);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Key → frame three times over (each run's p95 must make the target), then attached to a headless run. */
async function latencies(parBin: string): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  let cores = 0;
  let peakMb = 0;
  const medians: number[] = [];
  for (let round = 1; round <= 3; round++) {
    const measured = await underLoad(parBin);
    rows.push({ name: `key → frame p95 with 16 agents streaming, run ${round} of 3 (${measured.latencies.length} keys)`, baselineName: 'the 150 ms target', par: percentile(measured.latencies, 95), baseline: 150, unit: 'ms', target: 1 });
    medians.push(median(measured.latencies));
    cores = Math.max(cores, measured.cores);
    peakMb = Math.max(peakMb, measured.peakMb);
  }
  rows.push({ name: '  the same: median key → frame (median of the 3 runs)', baselineName: 'the 150 ms target', par: median(medians), baseline: 150, unit: 'ms', target: null });
  rows.push({ name: '  the same: CPU of the TUI process (highest of the 3)', baselineName: 'one core', par: cores * 100, baseline: 100, unit: '%', target: 1 });
  rows.push({ name: '  the same: peak RSS of the TUI process (highest of the 3)', baselineName: 'the 250 MB target', par: peakMb, baseline: 250, unit: 'MB', target: 1 });
  const attach = await underLoad(parBin, true);
  rows.push({ name: `par attach to that run started headless: key → frame p95 (${attach.latencies.length} keys)`, baselineName: 'the 150 ms target', par: percentile(attach.latencies, 95), baseline: 150, unit: 'ms', target: 1 });
  rows.push({ name: '  the same: CPU of the attached TUI', baselineName: 'one core', par: attach.cores * 100, baseline: 100, unit: '%', target: 1 });
  return rows;
}

/** Both TUI benchmarks. */
export async function benchTui(parBin: string): Promise<BenchRow[]> {
  return [...(await benchTuiFirstFrame(parBin)), ...(await latencies(parBin))];
}
