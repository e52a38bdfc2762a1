// Reading what is on disk (DESIGN §12): `par status --json` of a finished
// run of 1,000 jobs and `par list runs` over 500 runs, against `node -e 0`.
// The runs are copies of one real run of the simulated agent, made bigger:
// the same files and journal lines, with other job ids and run ids.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeRunFixture } from './fixtures.js';
import { compareCommands, type BenchRow } from './measure.js';

const JOBS = 1000;
const RUNS = 500;

interface Line {
  seq: number;
  type: string;
  job?: string;
  jobs?: { id: string }[];
  [key: string]: unknown;
}

/** One real finished run of one job: its directory, its journal and plan. */
function realRun(parBin: string, fixture: ReturnType<typeof makeRunFixture>): string {
  const { repo, paths, env } = fixture;
  const result = spawnSync(process.execPath, [parBin, 'run', '-m', 'sim: duration=0 turns=3 write=notes.md', paths[0] ?? ''], { cwd: repo, env, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`the template run failed: ${result.stderr}`);
  const runs = join(fixture.dir, 'home', 'd', 'par', 'runs');
  const [id = ''] = readdirSync(runs);
  return join(runs, id);
}

/** The template's one job as `count` jobs: each job's journal lines and files copied under its own id. */
function widen(template: string, target: string, runId: string, count: number): void {
  const lines = readFileSync(join(template, 'events.ndjson'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Line);
  const plan = JSON.parse(readFileSync(join(template, 'run.json'), 'utf8')) as { id: string; jobs: ({ id: string } & Record<string, unknown>)[] };
  const [job] = plan.jobs;
  if (!job) throw new Error('the template run has no job');
  const ids = Array.from({ length: count }, (_, index) => `wt${index + 1}`);
  mkdirSync(join(target, 'jobs'), { recursive: true });
  for (const id of ids) cpSync(join(template, 'jobs', job.id), join(target, 'jobs', id), { recursive: true });
  const started = lines.find((line) => line.type === 'run/started') as Line;
  const jobLines = lines.filter((line) => line.job === job.id);
  const ended = lines.filter((line) => line.type === 'run/finished');
  const out: Line[] = [{ ...started, run: runId, jobs: ids.map((id) => ({ ...(started.jobs?.[0] ?? {}), id })) }];
  for (const id of ids) for (const line of jobLines) out.push({ ...line, job: id });
  out.push(...ended);
  writeFileSync(join(target, 'events.ndjson'), out.map((line, index) => JSON.stringify({ ...line, seq: index + 1 })).join('\n') + '\n');
  const jobs = ids.map((id) => ({ ...job, id, prompt_file: join(target, 'jobs', id, 'prompt.md') }));
  writeFileSync(join(target, 'run.json'), JSON.stringify({ ...plan, id: runId, jobs }, null, 2));
  for (const file of ['report.json', 'summary.md', 'report.html', 'commands.ndjson']) cpSync(join(template, file), join(target, file));
}

/** A run id `index` minutes before the template's, so the runs sort as a history. */
function olderId(templateId: string, index: number): string {
  const at = new Date(Date.UTC(2026, 0, 1) - index * 60_000).toISOString();
  return `${at.slice(0, 4)}${at.slice(5, 7)}${at.slice(8, 10)}-${at.slice(11, 13)}${at.slice(14, 16)}${at.slice(17, 19)}-${templateId.slice(-4)}`;
}

/** A par home holding 500 finished runs of two jobs and, newest, one of 1,000 jobs (`big`). */
export function makeHistory(parBin: string): { fixture: ReturnType<typeof makeRunFixture>; big: string } {
  const fixture = makeRunFixture(1, 'par-bench-reading-');
  const template = realRun(parBin, fixture);
  const runs = join(fixture.dir, 'home', 'd', 'par', 'runs');
  const stash = join(fixture.dir, 'template');
  cpSync(template, stash, { recursive: true });
  rmSync(runs, { recursive: true, force: true });
  for (let index = 1; index < RUNS; index++) {
    const id = olderId('run-' + index.toString(36).padStart(4, '0'), index);
    widen(stash, join(runs, id), id, 2);
  }
  const big = '20261231-235959-bigr';
  widen(stash, join(runs, big), big, JOBS);
  return { fixture, big };
}

export function benchReading(parBin: string): BenchRow[] {
  const { fixture, big } = makeHistory(parBin);
  try {
    const node = process.execPath;
    const times = compareCommands(
      {
        baseline: [node, '-e', '0'],
        status: [node, parBin, 'status', big, '--json'],
        list: [node, parBin, 'list', 'runs'],
      },
      15,
      fixture.env,
      fixture.repo,
    );
    const baseline = times.baseline ?? 1;
    return [
      { name: `par status --json of a finished run of ${JOBS.toLocaleString('en')} jobs (median of 15)`, baselineName: 'node -e 0', par: times.status ?? 0, baseline, unit: 'ms', target: 3 },
      { name: `par list runs with ${RUNS} runs on disk`, baselineName: 'node -e 0', par: times.list ?? 0, baseline, unit: 'ms', target: 3 },
    ];
  } finally {
    rmSync(fixture.dir, { recursive: true, force: true });
  }
}
