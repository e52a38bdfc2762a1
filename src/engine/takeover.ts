import { existsSync, readFileSync, statSync } from 'node:fs';
import { FINAL_STATES, type JobState, type NewRunEvent } from '../core/events.js';
import type { RunPlan } from '../core/run-plan.js';
import type { JobView, RunState } from '../core/run-state.js';
import { runFiles } from '../rundir/files.js';
import type { ExecutorJob } from './executor.js';

/** Jobs to run again in a run that ended (rerun, `par resume`). */
export interface ResumeRequest {
  jobs: string[];
  /** Continue each job's agent session where its transcript exists, instead of a fresh one. */
  continueSessions: boolean;
  /**
   * Where the command channel stood when this takeover was asked for: only
   * commands written after it are for this supervisor. Unset: where it
   * stands as the supervisor starts.
   */
  commandsFrom?: number;
  /** What a continued session is told instead of "continue" (`par send` to a finished job). */
  message?: string;
}

/** What a continued session is told. */
export const CONTINUE_PROMPT = 'You were interrupted. Continue where you left off and finish the task.\n';

/** The executor's view of a job that ran before and runs again. */
export function againJob(runDir: string, plan: RunPlan, job: JobView, resume: ResumeRequest): ExecutorJob {
  const spec = plan.jobs.find((candidate) => candidate.id === job.id);
  // A session can be continued only when the agent got far enough to write something of it.
  const output = runFiles.output(runDir, job.id);
  const hasTranscript = existsSync(output) && statSync(output).size > 0;
  const continued = resume.continueSessions && job.session_id !== null && hasTranscript;
  return {
    id: job.id,
    worktree: job.worktree,
    branch: job.branch,
    created: spec?.created ?? false,
    prompt: continued ? (resume.message ?? CONTINUE_PROMPT) : readFileSync(spec?.prompt_file ?? '', 'utf8'),
    attempts: job.attempt,
    resumeSessionId: continued ? job.session_id : null,
    baseHead: job.head,
    ...(spec?.agent === undefined ? {} : { agent: spec.agent }),
    // Where it ran, it runs again: its session (and, elsewhere, its worktree) is there.
    ...(job.attempt > 0 ? { executor: job.executor } : {}),
    ...(continued && resume.message !== undefined ? { appendOutput: true } : {}),
  };
}

/**
 * A supervisor taking over a run that ended (`par resume`, a rerun): the
 * jobs it runs again (`run/resumed` written first), each continuing from
 * its last attempt; one whose worktree is gone fails at once, saying so.
 * `finalStates` gets the jobs that stay as they ended.
 */
export function takeOverJobs(options: { runDir: string; plan: RunPlan; before: RunState; resume: ResumeRequest; emit: (event: NewRunEvent) => void; finalStates: Map<string, JobState> }): ExecutorJob[] {
  const { before, resume, emit } = options;
  for (const id of before.order) {
    const job = before.byId[id];
    if (job && FINAL_STATES.has(job.state) && !resume.jobs.includes(id)) options.finalStates.set(id, job.state);
  }
  const chosen = resume.jobs.map((id) => before.byId[id]).filter((job): job is JobView => job !== undefined);
  emit({ type: 'run/resumed', supervisor_pid: process.pid, jobs: chosen.map((job) => job.id) });
  const jobs: ExecutorJob[] = [];
  for (const job of chosen) {
    if (job.worktree && existsSync(job.worktree)) {
      jobs.push(againJob(options.runDir, options.plan, job, resume));
      continue;
    }
    const error = `its worktree ${job.worktree ?? ''} is gone; it cannot run again there`.replace('  ', ' ');
    emit({ type: 'job/finished', job: job.id, outcome: { state: 'failed', reason: null, exit_code: null, signal: null, error, result: null, denials: [], session_id: job.session_id, cost_usd: job.cost_usd, turns: job.turns, tokens: job.tokens, diffstat: null } });
  }
  return jobs;
}
