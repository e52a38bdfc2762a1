import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunState } from '../core/run-state.js';
import type { RunPlan } from '../core/run-plan.js';
import { buildReport, reportHtml, reportMarkdown, type RunReport } from './report.js';

/** How the prompt is named in reports. */
export function promptLabel(plan: RunPlan): string {
  switch (plan.prompt.source) {
    case 'library':
      return `prompt ${plan.prompt.name ?? ''}`;
    case 'file':
      return `prompt file ${plan.prompt.name ?? ''}`;
    case 'tasks':
      return 'tasks';
    default:
      return 'ad-hoc prompt';
  }
}

/** A run's report (report.json's content) from its folded state and its plan. */
export function reportOf(state: RunState, plan: RunPlan): RunReport {
  return buildReport(state, { repository: plan.repository, prompt: promptLabel(plan) });
}

/** Writes report.json, summary.md and report.html into the run directory, and copies them to `outputDir` when set. */
export function writeReports(runDir: string, state: RunState, plan: RunPlan, outputDir: string | null): void {
  const report = reportOf(state, plan);
  const files: [string, string][] = [
    ['report.json', `${JSON.stringify(report, null, 2)}\n`],
    ['summary.md', reportMarkdown(report)],
    ['report.html', reportHtml(report)],
  ];
  for (const [name, text] of files) writeFileSync(join(runDir, name), text);
  if (outputDir) {
    const target = join(outputDir, plan.id);
    mkdirSync(target, { recursive: true });
    for (const [name] of files) copyFileSync(join(runDir, name), join(target, name));
  }
}
