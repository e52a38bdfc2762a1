import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createCommandRunner } from '../../src/os/command-runner.js';
import { createWorktrees } from '../../src/git/create-worktrees.js';
import { createGit } from '../../src/git/real-git.js';
import type { WorktreeRecord } from '../../src/git/worktree-registry.js';
import { planWorktrees } from '../../src/git/plan-worktrees.js';

const DAY = 86_400_000;

/**
 * Makes a run as the run engine leaves it: worktrees made by the creation
 * module, `run.json`, and a journal that ends in `run/finished` when
 * `finishedDaysAgo` is given (else the run is running while `supervisorPid`
 * lives and is its supervisor: see `fakeSupervisor`).
 */
export async function makeRunWithWorktrees(options: {
  repo: string;
  dataDir: string;
  runId: string;
  jobs: string[];
  finishedDaysAgo?: number;
  result?: string;
  supervisorPid?: number;
}): Promise<Record<string, WorktreeRecord>> {
  const plan = await planWorktrees({
    git: createGit(),
    runner: createCommandRunner(),
    repoDir: options.repo,
    runId: options.runId,
    jobs: options.jobs,
    dataDir: options.dataDir,
    branchPattern: 'par/{run}/{job}',
    setup: [],
  });
  const records: Record<string, WorktreeRecord> = {};
  for await (const result of createWorktrees(plan)) {
    if (!result.ok) throw new Error(result.error);
    records[result.job] = result.record;
  }
  const runDir = join(options.dataDir, 'runs', options.runId);
  mkdirSync(runDir, { recursive: true });
  const started = new Date(Date.now() - (options.finishedDaysAgo ?? 0) * DAY - 60_000);
  const supervisor = options.supervisorPid ?? 999_999_999;
  const jobs = Object.values(records).map((record) => ({ id: record.job, worktree: record.path, branch: record.branch, created: true }));
  writeFileSync(
    join(runDir, 'run.json'),
    JSON.stringify({ id: options.runId, started_at: started.toISOString(), repository: options.repo, supervisor_pid: supervisor, options: {}, jobs }),
  );
  const events: Record<string, unknown>[] = [{ seq: 1, at: started.toISOString(), type: 'run/started', run: options.runId, jobs, supervisor_pid: supervisor }];
  if (options.finishedDaysAgo !== undefined) {
    events.push({ seq: 2, at: new Date(Date.now() - options.finishedDaysAgo * DAY).toISOString(), type: 'run/finished', state: options.result ?? 'succeeded' });
  }
  writeFileSync(join(runDir, 'events.ndjson'), `${events.map((event) => JSON.stringify(event)).join('\n')}\n`);
  return records;
}

/** A process whose command line is a supervisor's of the run in `runDir` (`… __supervise <run-dir>`); kill it when done. */
export function fakeSupervisor(runDir: string): ChildProcess {
  return spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)', '__supervise', runDir], { stdio: 'ignore' });
}
