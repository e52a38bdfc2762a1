import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { UserError } from '../core/errors.js';
import type { AgentConfig } from '../config/schema.js';
import type { JobSpec } from '../core/events.js';

/** The agent a run uses, as the supervisor rebuilds it. */
export type AgentChoice =
  | { kind: 'claude'; name: 'claude'; binary: string; default_args: string[]; allowed_tools: string[]; disallowed_tools: string[] }
  | { kind: 'configured'; name: string; config: AgentConfig };

/** New worktrees the supervisor creates (`--new`, `--tasks`). */
export interface CreationSpec {
  repo_dir: string;
  base: string | null;
  data_dir: string;
  branch_pattern: string;
  setup: string[][];
}

/** `run.json`: what was asked (DESIGN §9), never the environment. */
export interface RunPlan {
  id: string;
  started_at: string;
  /** The main worktree of the repository par ran in, or null. */
  repository: string | null;
  cwd: string;
  prompt: { source: 'library' | 'message' | 'file' | 'tasks'; name: string | null };
  variables: Record<string, string>;
  agent: AgentChoice;
  options: {
    jobs: number;
    timeout_ms: number;
    idle_timeout_ms: number;
    model: string | null;
    permission_mode: string | null;
    commit_results: boolean;
    retries: number;
    fail_fast: boolean;
    budget_usd: number | null;
    /** `defaults.output_dir`: where copies of the reports go. */
    output_dir: string | null;
    /** `--plan`: plan first, execute once approved; absent in runs from before it existed. */
    plan?: boolean;
    /** `--yes` with `--plan`: every plan approved as it comes. */
    auto_approve?: boolean;
    /** `--term`: the terminal settings to open a following window per job with; absent or null: none. */
    term?: { command: string[] | null; use_ghostty: boolean; wait_after_command: boolean } | null;
  };
  jobs: (JobSpec & { prompt_file: string })[];
  creation: CreationSpec | null;
  supervisor_pid: number | null;
}

export function runJsonPath(runDir: string): string {
  return join(runDir, 'run.json');
}

/** Writes run.json atomically. */
export function writeRunPlan(runDir: string, plan: RunPlan): void {
  const temporary = join(runDir, `.run.json.${process.pid}.tmp`);
  writeFileSync(temporary, `${JSON.stringify(plan, null, 2)}\n`);
  renameSync(temporary, runJsonPath(runDir));
}

/**
 * Reads run.json. A file that is not a run's plan (torn, edited, from
 * something else) is the user's to mend: a UserError naming it and the fix,
 * never a crash.
 */
export function readRunPlan(runDir: string): RunPlan {
  const file = runJsonPath(runDir);
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

/** The files of a run directory. */
export const runFiles = {
  events: (runDir: string): string => join(runDir, 'events.ndjson'),
  commands: (runDir: string): string => join(runDir, 'commands.ndjson'),
  jobDir: (runDir: string, job: string): string => join(runDir, 'jobs', job),
};
