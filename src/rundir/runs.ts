import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { UserError } from '../core/errors.js';
import { foldRun, markInterrupted, needYou, runTotals, type JobView, type RunState } from '../core/run-state.js';
import { didYouMean } from '../core/suggest.js';
import { readEvents } from './journal.js';
import { processAlive, processCommandLine } from '../os/process-alive.js';
import type { RunPlan } from '../core/run-plan.js';
import { readRunPlan } from './plan.js';
import { runFiles, runsDir } from './files.js';

/** Run ids, oldest first (ids sort by time). */
export function runIds(dataDir: string): string[] {
  const dir = runsDir(dataDir);
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(dir, entry.name, 'run.json')))
    .map((entry) => entry.name)
    .sort();
}

/**
 * Finds a run by id or unique prefix; with none, the latest (newest
 * `started_at`), within `repository` when given and it has runs.
 */
export function findRun(dataDir: string, query: string | undefined, repository: string | null): string {
  // A whole id needs no listing of every run.
  if (query !== undefined && basename(query) === query && !query.startsWith('.') && existsSync(join(runsDir(dataDir), query, 'run.json'))) return query;
  const ids = runIds(dataDir);
  if (ids.length === 0) throw new UserError("There are no runs yet; start one with 'par run'.");
  if (query === undefined) {
    const plans = ids.map((id) => ({ id, plan: safePlan(join(runsDir(dataDir), id)) }));
    const mine = repository ? plans.filter(({ plan }) => plan?.repository === repository) : [];
    const pool = mine.length > 0 ? mine : plans;
    pool.sort((a, b) => (a.plan?.started_at ?? a.id).localeCompare(b.plan?.started_at ?? b.id));
    return (pool[pool.length - 1] as { id: string }).id;
  }
  if (ids.includes(query)) return query;
  const matches = ids.filter((id) => id.startsWith(query));
  if (matches.length === 1) return matches[0] as string;
  if (matches.length > 1) {
    throw new UserError(`'${query}' matches ${matches.length} runs (${matches.slice(-5).join(', ')}); give more of the id.`);
  }
  throw new UserError(`There is no run '${query}'; 'par status' shows the latest, and run ids look like ${ids[ids.length - 1]}.`);
}

function safePlan(runDir: string): RunPlan | undefined {
  try {
    return readRunPlan(runDir);
  } catch {
    return undefined;
  }
}

/** A run's state folded from its journal; a run whose supervisor is gone before its end reads as interrupted. */
export function loadRunState(dataDir: string, id: string): { state: RunState; plan: RunPlan; dir: string } {
  const dir = join(runsDir(dataDir), id);
  const plan = readRunPlan(dir);
  const events = readEvents(runFiles.events(dir));
  let state = foldRun(id, events);
  if (state.order.length === 0) state = plannedState(id, plan);
  if (state.state === 'running' && !isRunSupervisor(state.supervisor_pid ?? plan.supervisor_pid, dir)) {
    // Its jobs stopped when the supervisor did: at its last word, not whenever someone looks.
    state = markInterrupted(state, events.at(-1)?.at ?? plan.started_at);
  }
  return { state, plan, dir };
}

/** A run whose supervisor has not yet written run/started: its jobs as the plan asks for them. */
export function plannedState(id: string, plan: RunPlan): RunState {
  return foldRun(id, [{ seq: 0, at: plan.started_at, type: 'run/started', run: id, jobs: plan.jobs, supervisor_pid: plan.supervisor_pid ?? 0 }]);
}

/** A run as lists show it (`par list runs --json`, the web page's runs). */
export interface RunSummary {
  run: string;
  state: RunState['state'];
  repository: string | null;
  started_at: string;
  finished_at: string | null;
  jobs: number;
  succeeded: number;
  failed: number;
  cost_usd: number;
  need_you: number;
}

export function runSummary(id: string, state: RunState, plan: RunPlan): RunSummary {
  const totals = runTotals(state);
  return { run: id, state: state.state, repository: plan.repository, started_at: plan.started_at, finished_at: state.finished_at, jobs: totals.total, succeeded: totals.succeeded, failed: totals.failed, cost_usd: totals.cost_usd, need_you: needYou(state) };
}

/**
 * Whether a supervisor is at work on the run: the journal says it is going,
 * or a live supervisor of it holds its plan or its lock — one that has just
 * taken the run over (a resume, a rerun) before its first event.
 */
export function runIsGoing(dir: string, plan: RunPlan, state: RunState): boolean {
  if (state.state === 'running') return true;
  if (isRunSupervisor(plan.supervisor_pid, dir)) return true;
  return isRunSupervisor(supervisorLockHolder(dir), dir);
}

/** The pid in a run's `supervisor.lock`, or null. */
export function supervisorLockHolder(runDir: string): number | null {
  try {
    const pid = Number.parseInt(readFileSync(runFiles.lock(runDir), 'utf8'), 10);
    return Number.isInteger(pid) ? pid : null;
  } catch {
    return null;
  }
}

/**
 * Whether `pid` is the live supervisor of the run in `runDir`: alive, and
 * its command line is `… __supervise <run-dir> …`. A pid alone is not
 * enough: after a crash or a reboot another process may hold it, and a run
 * read as "running" because of that would stay so forever. When the command
 * line cannot be read at all, being alive is all there is to go on.
 */
export function isRunSupervisor(pid: unknown, runDir: string): boolean {
  if (!processAlive(pid)) return false;
  const command = processCommandLine(pid);
  if (command === null) return true;
  const run = basename(runDir);
  if ('line' in command) return command.line.includes(' __supervise ') && command.line.includes(run);
  const at = command.argv.indexOf('__supervise');
  return at >= 0 && basename(command.argv[at + 1] ?? '') === run;
}

/** A job of a run's state, or a UserError naming the run, the job, the closest id and the jobs there are. */
export function jobIn(state: RunState, jobId: string): JobView {
  const job = state.byId[jobId];
  if (!job) throw new UserError(`Run ${state.run} has no job '${jobId}'.${didYouMean(jobId, state.order)} Its jobs: ${state.order.join(', ')}.`);
  return job;
}
