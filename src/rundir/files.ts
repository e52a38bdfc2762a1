import { join } from 'node:path';

/**
 * The files of a run directory (DESIGN §9), named in this one place:
 * `<data>/runs/<run-id>/` with `run.json`, `events.ndjson`, `commands.ndjson`,
 * `supervisor.lock`, `jobs/<job>/{prompt.md,output.log,stderr.log}` and the
 * reports.
 */
export const runFiles = {
  plan: (runDir: string): string => join(runDir, 'run.json'),
  events: (runDir: string): string => join(runDir, 'events.ndjson'),
  commands: (runDir: string): string => join(runDir, 'commands.ndjson'),
  lock: (runDir: string): string => join(runDir, 'supervisor.lock'),
  jobDir: (runDir: string, job: string): string => join(runDir, 'jobs', job),
  prompt: (runDir: string, job: string): string => join(runDir, 'jobs', job, 'prompt.md'),
  /** The agent's stdout, byte for byte, every attempt. */
  output: (runDir: string, job: string): string => join(runDir, runFiles.outputInRun(job)),
  /** The same, relative to the run directory (a report's link to it). */
  outputInRun: (job: string): string => join('jobs', job, 'output.log'),
  stderr: (runDir: string, job: string): string => join(runDir, 'jobs', job, 'stderr.log'),
};

/** Where runs live: `<data>/runs`. */
export function runsDir(dataDir: string): string {
  return join(dataDir, 'runs');
}

/** One run's directory. */
export function runDirOf(dataDir: string, runId: string): string {
  return join(runsDir(dataDir), runId);
}
