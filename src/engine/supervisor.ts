import { closeSync, existsSync, openSync, readFileSync, rmSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { adapterFor } from '../agents/adapter-for.js';
import { FINAL_STATES, type JobState, type NewRunEvent } from '../core/events.js';
import { createWorktrees, planWorktrees, type CreationResult } from '../git/create-worktrees.js';
import type { Git } from '../git/git.js';
import type { Logger } from '../logging/logger.js';
import { commandsWritten, receiveCommands } from '../rundir/channel.js';
import { Executor, type ExecutorJob } from './executor.js';
import { isRunSupervisor, supervisorLockHolder } from '../rundir/runs.js';
import { JournalWriter, readEvents } from '../rundir/journal.js';
import { foldRun, runTotals, type JobView, type RunState } from '../core/run-state.js';
import { writeReports } from '../reports/write-reports.js';
import { followWindow, parLocation } from '../terminal/job-window.js';
import { launchFor, openWindow } from '../terminal/open-window.js';
import type { CommandRunner } from '../os/command-runner.js';
import type { ProcessSpawner } from '../os/process-group.js';
import type { ParLauncher } from '../os/launch-detached.js';
import type { RunPlan } from '../core/run-plan.js';
import { readRunPlan, writeRunPlan } from '../rundir/plan.js';
import { runFiles } from '../rundir/files.js';

/** The ports a supervisor runs with. */
export interface SupervisorDeps {
  git: Git;
  spawner: ProcessSpawner;
  runner: CommandRunner;
  log: Logger;
  /** This par: its environment is the run's, and windows following jobs start it again. */
  launcher: ParLauncher;
}

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
}

/** What a continued session is told. */
export const CONTINUE_PROMPT = 'You were interrupted. Continue where you left off and finish the task.\n';

/**
 * `--term`: a window following each job's transcript, opened as the job
 * first starts. The job itself stays headless; a window that cannot open is
 * logged, never a failure of the job.
 */
function followWindows(plan: RunPlan, deps: SupervisorDeps): ((event: NewRunEvent) => void) | undefined {
  const term = plan.options.term;
  if (!term) return undefined;
  const worktrees = new Map(plan.jobs.map((job) => [job.id, job.worktree]));
  const opened = new Set<string>();
  return (event) => {
    if (event.type === 'job/worktree-ready') worktrees.set(event.job, event.worktree);
    if (event.type !== 'job/started' || opened.has(event.job)) return;
    const worktree = worktrees.get(event.job);
    if (!worktree) return;
    opened.add(event.job);
    const request = followWindow({ node: deps.launcher.node, script: deps.launcher.script, env: parLocation(deps.launcher.env) }, plan.id, { id: event.job, worktree }, term.wait_after_command);
    void (async () => {
      try {
        await openWindow(launchFor(request, term, deps.launcher.env), request, deps.launcher.env);
      } catch (error) {
        deps.log.warn('could not open a window for the job', { job: event.job, error });
      }
    })();
  };
}

/** How often a supervisor checks that its run directory still exists. */
const ORPHAN_CHECK_MS = 2000;

/** A supervisor that has written its run's end exits within moments; a new one waits this long for it. */
const CLAIM_WAIT_MS = 3000;

/**
 * One supervisor per run at a time: `supervisor.lock` holds its pid. A
 * lock whose process is gone is taken over; a live holder (one that just
 * finished the run and is exiting) is waited for a little. Returns false
 * when another supervisor keeps the run.
 */
async function claimRun(runDir: string): Promise<boolean> {
  const path = runFiles.lock(runDir);
  const deadline = Date.now() + CLAIM_WAIT_MS;
  for (;;) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    if (Date.now() > deadline) return false;
    const holder = supervisorLockHolder(runDir);
    // No pid in it: released between our two looks, or its taker is between creating and writing it.
    const info = holder === null ? statSync(path, { throwIfNoEntry: false }) : undefined;
    const settling = holder === null && (info === undefined || Date.now() - info.mtimeMs < 1000);
    if (!settling && !isRunSupervisor(holder, runDir)) {
      // A dead holder's lock (or a pid reused since by another process); another taker may remove it first.
      rmSync(path, { force: true });
      continue;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function releaseRun(runDir: string): void {
  try {
    unlinkSync(runFiles.lock(runDir));
  } catch {
    // Already gone: nothing to release.
  }
}

/** The executor's view of a job that ran before and runs again. */
function againJob(runDir: string, plan: RunPlan, job: JobView, resume: ResumeRequest): ExecutorJob {
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
    prompt: continued ? CONTINUE_PROMPT : readFileSync(spec?.prompt_file ?? '', 'utf8'),
    attempts: job.attempt,
    resumeSessionId: continued ? job.session_id : null,
    baseHead: job.head,
  };
}

/**
 * The supervisor of one run (DESIGN §9): the journal's only writer and the
 * owner of the run's agents. Started detached by `par run`; takes commands
 * through the run directory; writes `run/finished` when every job has ended.
 * With `resume`, it takes over a run that ended and runs those jobs again
 * as new attempts.
 */
export async function supervise(runDir: string, deps: SupervisorDeps, resume?: ResumeRequest): Promise<void> {
  // A failure nobody awaited would end this process with nothing in the log, and the run would just read
  // "interrupted": it is logged first. The agents then end with their watchdogs, as after any supervisor death.
  process.on('unhandledRejection', (reason) => {
    deps.log.error('the supervisor failed', { run: runDir, error: reason });
    process.exit(1);
  });
  if (!(await claimRun(runDir))) {
    deps.log.warn('another supervisor holds the run', { runDir });
    return;
  }
  try {
    await superviseClaimed(runDir, deps, resume);
  } finally {
    releaseRun(runDir);
  }
}

async function superviseClaimed(runDir: string, deps: SupervisorDeps, resume?: ResumeRequest): Promise<void> {
  const plan = readRunPlan(runDir);
  plan.supervisor_pid = process.pid;
  writeRunPlan(runDir, plan);
  const earlier = resume ? readEvents(runFiles.events(runDir)) : [];
  const before: RunState | null = resume ? foldRun(plan.id, earlier) : null;
  const journal = new JournalWriter(runFiles.events(runDir), { lastSeq: earlier.at(-1)?.seq ?? 0 });
  const finalStates = new Map<string, JobState>();
  const windows = followWindows(plan, deps);
  // Set when the run directory is removed under a running supervisor: there is nowhere left to write.
  let orphaned = false;
  const emit = (event: NewRunEvent): void => {
    if (orphaned) return;
    if (event.type === 'job/finished') finalStates.set(event.job, event.outcome.state);
    if (event.type === 'job/requeued') finalStates.delete(event.job);
    journal.append(event);
    windows?.(event);
  };
  const againJobs: ExecutorJob[] = [];
  if (before && resume) {
    for (const id of before.order) {
      const job = before.byId[id];
      if (job && FINAL_STATES.has(job.state) && !resume.jobs.includes(id)) finalStates.set(id, job.state);
    }
    const chosen = resume.jobs.map((id) => before.byId[id]).filter((job): job is JobView => job !== undefined);
    emit({ type: 'run/resumed', supervisor_pid: process.pid, jobs: chosen.map((job) => job.id) });
    for (const job of chosen) {
      if (!job.worktree || !existsSync(job.worktree)) {
        emit({ type: 'job/finished', job: job.id, outcome: { state: 'failed', reason: null, exit_code: null, signal: null, error: `its worktree ${job.worktree ?? ''} is gone; it cannot run again there`.replace('  ', ' '), result: null, denials: [], session_id: job.session_id, cost_usd: job.cost_usd, turns: job.turns, tokens: job.tokens, diffstat: null } });
      } else againJobs.push(againJob(runDir, plan, job, resume));
    }
  } else {
    emit({ type: 'run/started', run: plan.id, jobs: plan.jobs.map(({ prompt_file: _file, ...spec }) => spec), supervisor_pid: process.pid });
  }

  // Cancelling the run stops the making of its worktrees at once, setup commands included.
  const stopCreation = new AbortController();
  let worktrees: AsyncIterable<CreationResult> | undefined;
  if (plan.creation && !resume) {
    const creation = plan.creation;
    const createdJobs = plan.jobs.filter((job) => job.created).map((job) => job.id);
    worktrees = (async function* () {
      let planned;
      try {
        planned = await planWorktrees({
          git: deps.git,
          runner: deps.runner,
          repoDir: creation.repo_dir,
          runId: plan.id,
          jobs: createdJobs,
          ...(creation.base === null ? {} : { base: creation.base }),
          dataDir: creation.data_dir,
          branchPattern: creation.branch_pattern,
          setup: creation.setup,
          supervisorPid: process.pid,
          signal: stopCreation.signal,
        });
      } catch (error) {
        // Something changed since par run checked (a branch appeared, the base went): every new job fails, saying why.
        for (const job of createdJobs) yield { job, ok: false, error: (error as Error).message } as CreationResult;
        return;
      }
      yield* createWorktrees(planned);
    })();
  }

  const executor = new Executor({
    runId: plan.id,
    runDir,
    jobs: resume ? againJobs : plan.jobs.map((spec) => ({ id: spec.id, worktree: spec.worktree, branch: spec.branch, created: spec.created, prompt: readFileSync(spec.prompt_file, 'utf8') })),
    concurrency: plan.options.jobs,
    timeoutMs: plan.options.timeout_ms,
    idleTimeoutMs: plan.options.idle_timeout_ms,
    adapter: adapterFor(plan.agent, deps.launcher.env),
    model: plan.options.model,
    permissionMode: plan.options.permission_mode,
    commitResults: plan.options.commit_results,
    retries: plan.options.retries,
    failFast: plan.options.fail_fast,
    budgetUsd: plan.options.budget_usd,
    // A run taken over has spent what its jobs cost so far: --budget is for the whole run.
    spentUsd: before ? runTotals(before).cost_usd : 0,
    plan: plan.options.plan === true,
    autoApprove: plan.options.auto_approve === true,
    git: deps.git,
    spawner: deps.spawner,
    emit,
    onCancelAll: () => stopCreation.abort(),
    supervisorPid: process.pid,
    env: deps.launcher.env,
    ...(worktrees ? { worktrees } : {}),
    log: deps.log,
  });

  let cancelled = false;
  const cancel = (job: string | null, reason: string): void => {
    if (job === null) cancelled = true;
    emit({ type: 'run/cancel-requested', job, reason });
    executor.cancel(job, reason);
  };
  const rerun = (id: string): void => {
    const job = foldRun(plan.id, readEvents(runFiles.events(runDir))).byId[id];
    // Only a job that has ended runs again; a second rerun of the same job is already queued.
    if (!job || !FINAL_STATES.has(job.state) || !job.worktree || !existsSync(job.worktree)) return;
    emit({ type: 'job/requeued', job: id });
    executor.rerun(againJob(runDir, plan, job, { jobs: [id], continueSessions: false }));
  };
  // A new run's channel is all for this supervisor; a run taken over starts where the taker found it.
  const commandsFrom = resume ? (resume.commandsFrom ?? commandsWritten(runDir)) : 0;
  const commands = receiveCommands(runDir, (command) => {
    switch (command.type) {
      case 'cancel':
        return cancel(command.job, command.reason);
      case 'rerun':
        return rerun(command.job);
      case 'approve':
        return void executor.approve(command.job, command.plan);
      case 'reject':
        return void executor.reject(command.job);
    }
  }, commandsFrom);
  process.on('SIGTERM', () => cancel(null, 'signal'));
  // A run whose directory is gone (deleted by hand, or with the home it lived in) has no one to report to:
  // its jobs are stopped and the supervisor ends, rather than wait for an approval that cannot come.
  const orphanCheck = setInterval(() => {
    if (orphaned || existsSync(runDir)) return;
    deps.log.warn('the run directory is gone; stopping the run', { runDir });
    orphaned = true;
    executor.cancel(null, 'run directory removed');
  }, ORPHAN_CHECK_MS);
  // No terminal of its own: a hangup or Ctrl+C meant for the client must not end the run.
  process.on('SIGHUP', () => undefined);
  process.on('SIGINT', () => undefined);

  try {
    await executor.run();
    // A rerun asked for just as the last job ended still runs.
    commands.poll();
    await executor.drain();
  } finally {
    commands.stop();
    clearInterval(orphanCheck);
  }
  if (orphaned) return;
  const states = plan.jobs.map((job) => finalStates.get(job.id));
  const state = states.every((value) => value === 'succeeded') ? 'succeeded' : cancelled ? 'cancelled' : 'failed';
  try {
    // Reports come before run/finished, so a client that sees the end finds them written.
    const events = readEvents(runFiles.events(runDir));
    const final = foldRun(plan.id, [...events, { seq: events.length + 1, at: new Date().toISOString(), type: 'run/finished', state }]);
    writeReports(runDir, final, plan, plan.options.output_dir);
  } catch (error) {
    deps.log.error('writing the reports failed', { run: plan.id, error });
  }
  emit({ type: 'run/finished', state });
  journal.close();
  deps.log.info('run finished', { run: plan.id, state });
}
