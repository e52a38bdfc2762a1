import { mkdirSync, writeFileSync } from 'node:fs';
import type { RunPlan } from '../core/run-plan.js';
import { runDirOf, runFiles } from './files.js';
import { writeRunPlan } from './plan.js';

/**
 * Writes a new run's directory (DESIGN §9): each job's prompt, `run.json`
 * (the plan's `prompt_file`s filled in) and an empty journal. Returns it.
 */
export function createRunDirectory(dataDir: string, plan: RunPlan, prompts: ReadonlyMap<string, string>): string {
  const dir = runDirOf(dataDir, plan.id);
  for (const job of plan.jobs) {
    mkdirSync(runFiles.jobDir(dir, job.id), { recursive: true });
    job.prompt_file = runFiles.prompt(dir, job.id);
    writeFileSync(job.prompt_file, prompts.get(job.id) ?? '');
  }
  writeRunPlan(dir, plan);
  writeFileSync(runFiles.events(dir), '');
  return dir;
}
