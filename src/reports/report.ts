import { formatSpan } from '../core/duration.js';
import type { RunState, JobView } from '../core/run-state.js';
import { jobsJson, OVERLAPS_LISTED, type Overlap } from '../core/forecast.js';
import { runTotals } from '../core/run-state.js';
import { runFiles } from '../rundir/files.js';

/** report.json: the §9 job fields plus the run's totals. */
export interface RunReport {
  run: string;
  state: string;
  started_at: string | null;
  finished_at: string | null;
  repository: string | null;
  prompt: string;
  totals: ReturnType<typeof runTotals> & { duration_ms: number | null };
  jobs: (JobView & { log: string; duration_ms: number | null; overlaps: Overlap[]; overlaps_more: number })[];
}

/** The forecast's pairs listed, each once (the jobs that changed the same files, and which), and how many pairs there are in all. */
function overlapPairs(report: RunReport): { pairs: { a: string; b: string; files: string[] }[]; total: number } {
  const seen = new Set<string>();
  const pairs: { a: string; b: string; files: string[] }[] = [];
  let ends = 0;
  for (const job of report.jobs) {
    ends += job.overlaps.length + job.overlaps_more;
    for (const other of job.overlaps) {
      if (seen.has(`${other.job}\n${job.id}`)) continue;
      seen.add(`${job.id}\n${other.job}`);
      pairs.push({ a: job.id, b: other.job, files: other.files });
    }
  }
  return { pairs, total: ends / 2 };
}

/** The line under a long forecast: how many pairs it does not list. */
function unlisted(forecast: { pairs: unknown[]; total: number }): string {
  const more = forecast.total - forecast.pairs.length;
  return more > 0 ? `…and ${more.toLocaleString('en')} more pairs (each job lists the first ${OVERLAPS_LISTED} it overlaps).` : '';
}

function span(from: string | null, to: string | null): number | null {
  if (!from || !to) return null;
  const ms = Date.parse(to) - Date.parse(from);
  return Number.isNaN(ms) ? null : ms;
}

/** The report of a run, from its folded state. */
export function buildReport(state: RunState, info: { repository: string | null; prompt: string }): RunReport {
  return {
    run: state.run,
    state: state.state,
    started_at: state.started_at,
    finished_at: state.finished_at,
    repository: info.repository,
    prompt: info.prompt,
    totals: { ...runTotals(state), duration_ms: span(state.started_at, state.finished_at) },
    jobs: jobsJson(state).map((job) => ({ ...job, log: runFiles.outputInRun(job.id), duration_ms: span(job.started_at, job.finished_at) })),
  };
}

function duration(ms: number | null): string {
  return ms === null ? '—' : formatSpan(ms, true);
}

const money = (value: number | null): string => (value === null ? '—' : `$${value.toFixed(4)}`);
const changes = (job: RunReport['jobs'][number]): string =>
  job.diffstat ? `${job.diffstat.files} file${job.diffstat.files === 1 ? '' : 's'}, +${job.diffstat.insertions} −${job.diffstat.deletions}` : '—';

/** summary.md: a table and each job's result or error. */
export function reportMarkdown(report: RunReport): string {
  const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n+/g, ' ');
  const lines = [
    `# Run ${report.run}: ${report.state}`,
    '',
    `${report.totals.succeeded} of ${report.totals.total} jobs succeeded${report.totals.failed ? `, ${report.totals.failed} failed` : ''}; ${money(report.totals.cost_usd)}; ${duration(report.totals.duration_ms)}.`,
    report.repository ? `Repository: \`${report.repository}\`. Prompt: ${cell(report.prompt)}.` : `Prompt: ${cell(report.prompt)}.`,
    '',
    '| job | state | time | attempts | turns | cost | changes | denials |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...report.jobs.map((job) =>
      `| ${cell(job.id)} | ${job.state}${job.reason ? ` (${job.reason})` : ''} | ${duration(job.duration_ms)} | ${job.attempt} | ${job.turns || '—'} | ${money(job.cost_usd)} | ${changes(job)} | ${job.denials.length ? `⚠ ${job.denials.length}` : ''} |`,
    ),
    '',
  ];
  const forecast = overlapPairs(report);
  if (forecast.pairs.length > 0) {
    lines.push('## Overlaps', '', 'Jobs that changed the same files: landing one may conflict with the other.', '');
    for (const pair of forecast.pairs) lines.push(`- ⚔ ${cell(pair.a)} and ${cell(pair.b)}: ${pair.files.map((file) => `\`${file}\``).join(', ')}`);
    lines.push(...(unlisted(forecast) ? ['', unlisted(forecast)] : []), '');
  }
  for (const job of report.jobs) {
    lines.push(`## ${job.id} — ${job.state}`, '');
    if (job.branch) lines.push(`Branch \`${job.branch}\`${job.worktree ? ` in \`${job.worktree}\`` : ''}${job.executor !== 'local' ? `, run on ${job.executor}` : ''}. Log: [${job.log}](${job.log}).`, '');
    if (job.error) lines.push('**Error:**', '', '```', job.error, '```', '');
    else if (job.result) lines.push(job.result, '');
    if (job.denials.length) lines.push(`Denied: ${[...new Set(job.denials)].join(', ')}.`, '');
  }
  return `${lines.join('\n')}\n`;
}

/** The forecast as a section of the HTML report, or nothing when no two jobs changed the same files. */
function overlapsHtml(report: RunReport): string {
  const forecast = overlapPairs(report);
  if (forecast.pairs.length === 0) return '';
  const more = unlisted(forecast);
  const items = forecast.pairs.map((pair) => `<li>⚔ <b>${escapeHtml(pair.a)}</b> and <b>${escapeHtml(pair.b)}</b>: ${pair.files.map((file) => `<code>${escapeHtml(file)}</code>`).join(', ')}</li>`).join('\n');
  return `<section class="overlaps"><h2>Overlaps</h2><p>Jobs that changed the same files: landing one may conflict with the other.</p><ul>\n${items}\n</ul>${more ? `<p class="dim">${escapeHtml(more)}</p>` : ''}</section>\n`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char] ?? char);
}

const STATE_COLOUR: Record<string, string> = {
  succeeded: '#1a7f37',
  failed: '#cf222e',
  'timed-out': '#bc4c00',
  cancelled: '#6e7781',
  interrupted: '#8250df',
  running: '#0969da',
  retrying: '#9a6700',
  queued: '#6e7781',
};

/** report.html: one self-contained page (no external files), readable on a phone. */
export function reportHtml(report: RunReport): string {
  const badge = (state: string): string => `<span class="badge" style="background:${STATE_COLOUR[state] ?? '#6e7781'}">${escapeHtml(state)}</span>`;
  const cards = report.jobs
    .map((job) => {
      const facts = [
        ...(job.executor !== 'local' ? [['ran on', job.executor]] : []),
        ['time', duration(job.duration_ms)],
        ['attempts', String(job.attempt)],
        ['turns', job.turns ? String(job.turns) : '—'],
        ['cost', money(job.cost_usd)],
        ['changes', changes(job)],
      ]
        .map(([label, value]) => `<div><dt>${label}</dt><dd>${escapeHtml(value ?? '')}</dd></div>`)
        .join('');
      const body = job.error
        ? `<pre class="error">${escapeHtml(job.error)}</pre>`
        : job.result
          ? `<p class="result">${escapeHtml(job.result)}</p>`
          : '';
      const denials = job.denials.length ? `<p class="warn">⚠ ${job.denials.length} denied: ${escapeHtml([...new Set(job.denials)].join(', '))}</p>` : '';
      return `<section class="job" id="job-${escapeHtml(job.id)}">
  <header><h2>${escapeHtml(job.id)}</h2>${badge(job.state)}${job.reason ? `<span class="reason">${escapeHtml(job.reason)}</span>` : ''}</header>
  ${job.branch ? `<p class="branch"><code>${escapeHtml(job.branch)}</code></p>` : ''}
  <dl>${facts}</dl>
  ${body}${denials}
  <p><a href="${escapeHtml(job.log)}">output log</a></p>
</section>`;
    })
    .join('\n');
  const totals = report.totals;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>par run ${escapeHtml(report.run)} — ${escapeHtml(report.state)}</title>
<style>
  :root { color-scheme: light dark; --fg: #1f2328; --muted: #656d76; --bg: #ffffff; --card: #f6f8fa; --line: #d0d7de; }
  @media (prefers-color-scheme: dark) { :root { --fg: #e6edf3; --muted: #8d96a0; --bg: #0d1117; --card: #161b22; --line: #30363d; } }
  * { box-sizing: border-box; }
  body { margin: 0; font: 15px/1.5 -apple-system, BlinkMacSystemFont, "Segoe UI", Helvetica, Arial, sans-serif; color: var(--fg); background: var(--bg); }
  main { max-width: 980px; margin: 0 auto; padding: 16px; }
  h1 { font-size: 1.4rem; margin: 0 0 4px; overflow-wrap: anywhere; }
  .meta { color: var(--muted); margin: 0 0 16px; }
  .totals { display: grid; grid-template-columns: repeat(auto-fit, minmax(120px, 1fr)); gap: 8px; margin-bottom: 20px; }
  .totals div { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 8px 12px; }
  .totals b { display: block; font-size: 1.3rem; }
  .jobs { display: grid; grid-template-columns: repeat(auto-fill, minmax(280px, 1fr)); gap: 12px; }
  .job { background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 12px 14px; overflow: hidden; }
  .job header { display: flex; align-items: center; gap: 8px; flex-wrap: wrap; }
  .job h2 { font-size: 1.05rem; margin: 0; word-break: break-all; }
  .badge { display: inline-block; white-space: nowrap; vertical-align: middle; color: #fff; border-radius: 999px; padding: 1px 10px; font-size: 0.8rem; font-weight: 600; }
  .reason { color: var(--muted); font-size: 0.85rem; }
  .branch { margin: 6px 0; font-size: 0.85rem; word-break: break-all; }
  dl { display: grid; grid-template-columns: repeat(auto-fit, minmax(80px, 1fr)); gap: 4px 12px; margin: 8px 0; }
  dt { color: var(--muted); font-size: 0.75rem; text-transform: uppercase; }
  dd { margin: 0; }
  .error { white-space: pre-wrap; word-break: break-word; background: rgba(207,34,46,0.08); border-left: 3px solid #cf222e; padding: 8px; margin: 8px 0; font-size: 0.85rem; }
  .result { margin: 8px 0; white-space: pre-wrap; word-break: break-word; }
  .warn { color: #9a6700; margin: 4px 0; }
  a { color: #0969da; }
</style>
</head>
<body>
<main>
<h1>Run ${escapeHtml(report.run)} ${badge(report.state)}</h1>
<p class="meta">${escapeHtml(report.started_at?.replace('T', ' ').slice(0, 19) ?? '')} UTC${report.repository ? ` · ${escapeHtml(report.repository)}` : ''} · ${escapeHtml(report.prompt)}</p>
<div class="totals">
  <div><b>${totals.succeeded}/${totals.total}</b>succeeded</div>
  <div><b>${totals.failed}</b>failed</div>
  <div><b>${money(totals.cost_usd)}</b>cost</div>
  <div><b>${duration(totals.duration_ms)}</b>wall time</div>
</div>
${overlapsHtml(report)}<div class="jobs">
${cards}
</div>
</main>
</body>
</html>
`;
}
