import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { UserError } from '../core/errors.js';
import type { RunPlan } from '../core/run-plan.js';
import { runFiles } from './files.js';

/** Writes run.json atomically. */
export function writeRunPlan(runDir: string, plan: RunPlan): void {
  const temporary = join(runDir, `.run.json.${process.pid}.tmp`);
  writeFileSync(temporary, `${JSON.stringify(plan, null, 2)}\n`);
  renameSync(temporary, runFiles.plan(runDir));
}

/**
 * Reads run.json. A file that is not a run's plan (torn, edited, from
 * something else) is the user's to mend: a UserError naming it and the fix,
 * never a crash.
 */
export function readRunPlan(runDir: string): RunPlan {
  const file = runFiles.plan(runDir);
  const text = readFileSync(file, 'utf8');
  let plan: unknown;
  try {
    plan = JSON.parse(text);
  } catch (error) {
    throw brokenPlan(file, `it is not valid JSON (${(error as Error).message})`);
  }
  const fields = plan as Partial<RunPlan> | null;
  if (typeof fields !== 'object' || fields === null || typeof fields.id !== 'string' || !Array.isArray(fields.jobs) || typeof fields.options !== 'object' || fields.options === null) {
    throw brokenPlan(file, 'it does not hold a run (id, options and jobs are missing)');
  }
  return plan as RunPlan;
}

function brokenPlan(file: string, why: string): UserError {
  return new UserError(`The run file ${file} cannot be read: ${why}; restore it from a backup, or remove its run directory ${dirname(file)} (its worktrees and branches stay in git).`);
}
