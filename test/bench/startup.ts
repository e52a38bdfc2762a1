import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compareCommands, type BenchRow } from './measure.js';

/** DESIGN §12: `par --version` and `par --help` against `node -e 0`, target ≤ 2×. */
export function benchStartup(parBin: string, runs = 30): BenchRow[] {
  const home = mkdtempSync(join(tmpdir(), 'par-bench-'));
  const env = { ...process.env, HOME: home, XDG_CONFIG_HOME: join(home, 'c'), XDG_DATA_HOME: join(home, 'd'), XDG_STATE_HOME: join(home, 's') };
  try {
    const node = process.execPath;
    const times = compareCommands(
      {
        baseline: [node, '-e', '0'],
        version: [node, parBin, '--version'],
        help: [node, parBin, '--help'],
        list: [node, parBin, 'list', 'prompts', '--json'],
      },
      runs,
      env,
    );
    const baseline = times.baseline ?? 1;
    return [
      { name: 'par --version', baselineName: 'node -e 0', par: times.version ?? 0, baseline, unit: 'ms', target: 2 },
      { name: 'par --help', baselineName: 'node -e 0', par: times.help ?? 0, baseline, unit: 'ms', target: 2 },
      // Reads and validates the config (conf + YAML) and the library: not a §12 target, shown for reference.
      { name: 'par list prompts --json', baselineName: 'node -e 0', par: times.list ?? 0, baseline, unit: 'ms', target: null },
    ];
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}
