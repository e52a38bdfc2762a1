// `npm run bench`: every benchmark of DESIGN §12 that par can run so far,
// each against a baseline measured in the same run, printed as one table.
// `npm run bench -- startup discovery` runs only those.
import { join } from 'node:path';
import { benchCreation } from './creation.js';
import { benchDiscovery } from './discovery.js';
import { printTable, type BenchRow } from './measure.js';
import { benchScale, benchVolume, benchWaves } from './parallel.js';
import { benchReading } from './reading.js';
import { benchRemote } from './remote.js';
import { benchRunEngine } from './run-engine.js';
import { benchStartup } from './startup.js';
import { benchTalk } from './talk.js';
import { benchTui } from './tui.js';

const parBin = join(process.cwd(), 'dist', 'cli.js');
const benches: Record<string, () => BenchRow[] | Promise<BenchRow[]>> = {
  startup: () => benchStartup(parBin),
  discovery: () => benchDiscovery(parBin),
  creation: () => benchCreation(),
  run: () => benchRunEngine(parBin),
  waves: () => benchWaves(parBin),
  scale: () => benchScale(parBin),
  volume: () => benchVolume(parBin),
  tui: () => benchTui(parBin),
  talk: () => benchTalk(parBin),
  reading: () => benchReading(parBin),
  remote: () => benchRemote(parBin),
};
const chosen = process.argv.slice(2);
const unknown = chosen.filter((name) => !(name in benches));
if (unknown.length > 0) {
  console.error(`unknown benchmark ${unknown.join(', ')}; choose from ${Object.keys(benches).join(', ')}`);
  process.exit(2);
}
const rows: BenchRow[] = [];
const failures: string[] = [];
for (const [name, bench] of Object.entries(benches)) {
  if (chosen.length > 0 && !chosen.includes(name)) continue;
  console.error(`running ${name}…`);
  try {
    rows.push(...(await bench()));
  } catch (error) {
    failures.push(`${name}: ${(error as Error).message}`);
  }
}
const ok = printTable(rows);
for (const failure of failures) console.error(`not measured — ${failure}`);
process.exitCode = ok && failures.length === 0 ? 0 : 1;
