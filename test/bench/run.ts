// `npm run bench`: every benchmark of DESIGN §12 that par can run so far,
// each against a baseline measured in the same run, printed as one table.
import { join } from 'node:path';
import { printTable } from './measure.js';
import { benchStartup } from './startup.js';

const parBin = join(process.cwd(), 'dist', 'cli.js');
const rows = [...benchStartup(parBin)];
const ok = printTable(rows);
process.exitCode = ok ? 0 : 1;
