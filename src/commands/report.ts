import { existsSync, statSync, writeFileSync } from 'node:fs';
import { dirname, extname } from 'node:path';
import { UserError } from '../core/errors.js';
import { findRun, loadRunState } from '../rundir/runs.js';
import { reportHtml, reportMarkdown } from '../reports/report.js';
import { reportOf } from '../reports/write-reports.js';
import type { CommandContext } from './context.js';

const FORMATS = ['html', 'md', 'json'] as const;
type Format = (typeof FORMATS)[number];

/** `par report <run> [--format html|md|json] [-o FILE]`: renders any run's report, finished or not. */
export function runReport(ctx: CommandContext, query: string, given: { format?: string; output?: string }): number {
  // `-o -` is standard output, as for most tools that write a file.
  const options = given.output === '-' ? { ...given, output: undefined } : given;
  const fromExtension = options.output ? ({ '.html': 'html', '.htm': 'html', '.md': 'md', '.json': 'json' } as Record<string, Format>)[extname(options.output).toLowerCase()] : undefined;
  const format = (options.format ?? fromExtension ?? 'md') as Format;
  if (!FORMATS.includes(format)) throw new UserError(`--format takes html, md or json, not '${options.format}'.`);
  if (options.output) {
    const dir = dirname(options.output);
    if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UserError(`The directory ${dir} for -o does not exist; create it or write the report elsewhere.`);
  }
  const id = findRun(ctx.paths.dataDir, query, null);
  const { state, plan } = loadRunState(ctx.paths.dataDir, id);
  const report = reportOf(state, plan);
  const text = format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : format === 'md' ? reportMarkdown(report) : reportHtml(report);
  if (options.output) {
    writeFileSync(options.output, text);
    ctx.stdout.write(`Wrote the ${format} report of run ${id} to ${options.output}\n`);
  } else ctx.stdout.write(text);
  return 0;
}
