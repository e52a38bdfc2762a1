import { spawnSync } from 'node:child_process';

/** A row of the benchmark table: par against a baseline measured in the same run. */
export interface BenchRow {
  name: string;
  baselineName: string;
  par: number;
  baseline: number;
  unit: string;
  /** The largest acceptable par ÷ baseline; null: reported, no target. */
  target: number | null;
}

/** Wall time of one run of `argv`, in milliseconds. */
export function timeCommand(argv: readonly string[], env: NodeJS.ProcessEnv = process.env, cwd?: string): number {
  const [command = '', ...args] = argv;
  const start = process.hrtime.bigint();
  const result = spawnSync(command, args, { env, cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  const elapsed = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) throw new Error(`${argv.join(' ')} exited ${result.status}: ${result.stderr.toString()}`);
  return elapsed;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

/**
 * Median wall times of several commands, run interleaved (a, b, a, b, …)
 * so drift in the machine's load affects each alike; one warm-up each.
 */
export function compareCommands(
  commands: Record<string, readonly string[]>,
  runs: number,
  env?: NodeJS.ProcessEnv,
  cwd?: string,
): Record<string, number> {
  const samples: Record<string, number[]> = {};
  for (const [name, argv] of Object.entries(commands)) {
    timeCommand(argv, env, cwd);
    samples[name] = [];
  }
  for (let run = 0; run < runs; run++) {
    for (const [name, argv] of Object.entries(commands)) samples[name]?.push(timeCommand(argv, env, cwd));
  }
  return Object.fromEntries(Object.entries(samples).map(([name, values]) => [name, median(values)]));
}

/** Prints the table with ratios; returns false when a row misses its target. */
export function printTable(rows: readonly BenchRow[]): boolean {
  const header = ['benchmark', 'par', 'baseline', 'baseline value', 'ratio', 'target', ''];
  const lines = rows.map((row) => {
    const ratio = row.par / row.baseline;
    return [
      row.name,
      `${row.par.toFixed(1)} ${row.unit}`,
      row.baselineName,
      `${row.baseline.toFixed(1)} ${row.unit}`,
      `${ratio.toFixed(2)}×`,
      row.target === null ? '—' : `≤ ${row.target}×`,
      row.target === null ? '' : ratio <= row.target ? 'ok' : 'MISSED',
    ];
  });
  const widths = header.map((cell, index) => Math.max(cell.length, ...lines.map((line) => (line[index] ?? '').length)));
  const format = (cells: string[]): string => cells.map((cell, index) => cell.padEnd(widths[index] ?? 0)).join('  ').trimEnd();
  console.log(format(header));
  console.log(widths.map((width) => '-'.repeat(width)).join('  '));
  for (const line of lines) console.log(format(line));
  return rows.every((row) => row.target === null || row.par / row.baseline <= row.target);
}
