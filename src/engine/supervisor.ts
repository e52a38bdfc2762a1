import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { adapterFor } from '../agents/adapter-for.js';
import type { JobState, NewRunEvent, RunStateName } from '../core/events.js';
import { agentOf, type AgentChoice, type RunPlan } from '../core/run-plan.js';
import { foldRun, runTotals, type RunState } from '../core/run-state.js';
import { FINAL_STATES } from '../core/events.js';
import { createWorktrees } from '../git/create-worktrees.js';
import type { Git } from '../git/git.js';
import type { Logger } from '../logging/logger.js';
import type { CommandRunner } from '../os/command-runner.js';
import { acquireFileLock } from '../os/file-lock.js';
import type { ParLauncher } from '../os/launch-detached.js';
import type { ProcessSpawner } from '../os/process-group.js';
import { writeReports } from '../reports/write-reports.js';
import { commandsWritten, receiveCommands, type RunCommand } from '../rundir/channel.js';
import { runFiles } from '../rundir/files.js';
import { JournalWriter, readEvents } from '../rundir/journal.js';
import { readRunPlan, writeRunPlan } from '../rundir/plan.js';
import { isRunSupervisor } from '../rundir/runs.js';
import { claudeConfigKey, machineGate } from './agent-gate.js';
import { Executor } from './executor.js';
import type { JobHost } from './hosts.js';
import type { ExecutorConfig } from '../core/executor-config.js';
import { runTalk } from './talk.js';
import { followWindows } from './follow-windows.js';
import { againJob, takeOverJobs, type ResumeRequest } from './takeover.js';
import { planWorktrees, type CreationResult } from '../git/plan-worktrees.js';

export type { ResumeRequest } from './takeover.js';

/** The ports a supervisor runs with. */
export interface SupervisorDeps {
  git: Git;
  spawner: ProcessSpawner;
  runner: CommandRunner;
  log: Logger;
  /** This par: its environment is the run's, and windows following jobs start it again. */
  launcher: ParLauncher;
  /**
   * Lowers this process's CPU priority with its agents' (`defaults.nice`):
   * the run's work — the supervisor and its agents — goes below the person's
   * programs, and within it keeps the balance it had (agents lowered alone
   * would leave the supervisor favoured over them). Absent where the
   * supervisor runs inside another program (tests).
   */
  lowerPriority?: (nice: number) => void;
}

/** How often a supervisor checks that its run directory still exists. */
const ORPHAN_CHECK_MS = 2000;

/** A supervisor that has written its run's end exits within moments; a new one waits this long for it. */
const CLAIM_WAIT_MS = 3000;

/**
 * The supervisor of one run (DESIGN §9): the journal's only writer and the
 * owner of the run's agents. Started detached by `par run`; takes commands
 * through the run directory; writes `run/finished` when every job has ended.
 * With `resume`, it takes over a run that ended and runs those jobs again
 * as new attempts. One supervisor per run: `supervisor.lock`, whose holder
 * counts only while it is still that run's supervisor.
 */
export async function supervise(runDir: string, deps: SupervisorDeps, resume?: ResumeRequest): Promise<void> {
  // A failure nobody awaited would end this process with nothing in the log, and the run would just read
  // "interrupted": it is logged first. The agents then end with their watchdogs, as after any supervisor death.
  const onFailure = (reason: unknown): never => {
    deps.log.error('the supervisor failed', { run: runDir, error: reason });
    process.exit(1);
  };
  // No terminal of its own: a hangup or Ctrl+C meant for the client must not end the run.
  const ignore = (): void => undefined;
  process.on('unhandledRejection', onFailure);
  process.on('SIGHUP', ignore);
  process.on('SIGINT', ignore);
  try {
    const release = await acquireFileLock(runFiles.lock(runDir), { holderAlive: (pid) => isRunSupervisor(pid, runDir), staleAfterMs: null, waitMs: CLAIM_WAIT_MS, pollMs: 50 });
    if (!release) {
      deps.log.warn('another supervisor holds the run', { runDir });
      return;
    }
    try {
      await superviseClaimed(runDir, deps, resume);
    } finally {
      await release();
    }
  } finally {
    process.off('unhandledRejection', onFailure);
    process.off('SIGHUP', ignore);
    process.off('SIGINT', ignore);
  }
}

/** The journal as this supervisor writes it: each event appended, the jobs' final states kept, windows told. */
class RunRecorder {
  readonly finalStates = new Map<string, JobState>();
  /** Set when the run directory is removed under a running supervisor: there is nowhere left to write. */
  orphaned = false;
  readonly #journal: JournalWriter;
  readonly #windows: ((event: NewRunEvent) => void) | undefined;

  constructor(runDir: string, plan: RunPlan, deps: SupervisorDeps, lastSeq: number) {
    this.#journal = new JournalWriter(runFiles.events(runDir), { lastSeq });
    this.#windows = followWindows(plan, deps);
  }

  readonly emit = (event: NewRunEvent): void => {
    if (this.orphaned) return;
    if (event.type === 'job/finished') this.finalStates.set(event.job, event.outcome.state);
    if (event.type === 'job/requeued') this.finalStates.delete(event.job);
    this.#journal.append(event);
    this.#windows?.(event);
  };

  close(): void {
    this.#journal.close();
  }
}

/** New worktrees as they are made (`--new`, `--tasks`), stopped by `signal`; a plan that no longer holds fails every new job. */
function newWorktrees(plan: RunPlan, deps: SupervisorDeps, signal: AbortSignal): AsyncIterable<CreationResult> | undefined {
  const creation = plan.creation;
  if (!creation) return undefined;
  const createdJobs = plan.jobs.filter((job) => job.created).map((job) => job.id);
  return (async function* () {
    let planned;
    try {
      planned = await planWorktrees({
        git: deps.git,
        runner: deps.runner,
        repoDir: creation.repo_dir,
        runId: plan.id,
        jobs: createdJobs,
        ...(creation.base === null ? {} : { base: creation.base }),
        ...(creation.bases ? { bases: creation.bases } : {}),
        dataDir: creation.data_dir,
        branchPattern: creation.branch_pattern,
        setup: creation.setup,
        supervisorPid: process.pid,
        ...(plan.options.nice ? { nice: plan.options.nice } : {}),
        signal,
      });
    } catch (error) {
      // Something changed since par run checked (a branch appeared, the base went): every new job fails, saying why.
      for (const job of createdJobs) yield { job, ok: false, error: (error as Error).message } as CreationResult;
      return;
    }
    yield* createWorktrees(planned);
  })();
}

/** The run's executors that are not this machine (`--on`), connected as their first job needs them. */
async function runHosts(plan: RunPlan, deps: SupervisorDeps): Promise<Map<string, JobHost>> {
  const remote = (plan.options.executors ?? []).filter((place) => place.config !== null);
  if (remote.length === 0) return new Map();
  const { hostFor } = await import('../remote/hosts.js');
  const setup = plan.options.remote_setup ?? [];
  const hosts = new Map(remote.map((place) => [place.name, hostFor(place.name, place.config as ExecutorConfig, { spawner: deps.spawner, runner: deps.runner, git: deps.git, supervisorPid: process.pid, env: deps.launcher.env, log: deps.log, setup, repository: plan.repository })]));
  for (const host of hosts.values()) host.warm();
  return hosts;
}

function newExecutor(runDir: string, plan: RunPlan, deps: SupervisorDeps, setup: { recorder: RunRecorder; before: RunState | null; resume?: ResumeRequest; hosts: Map<string, JobHost> }): Executor {
  const { recorder, before, resume, hosts } = setup;
  // Cancelling the run stops the making of its worktrees at once, setup commands included.
  const stopCreation = new AbortController();
  const worktrees = resume ? undefined : newWorktrees(plan, deps, stopCreation.signal);
  const jobs =
    before && resume
      ? takeOverJobs({ runDir, plan, before, resume, emit: recorder.emit, finalStates: recorder.finalStates })
      : plan.jobs.map((spec) => ({ id: spec.id, worktree: spec.worktree, branch: spec.branch, created: spec.created, prompt: readFileSync(spec.prompt_file, 'utf8'), ...(spec.agent === undefined ? {} : { agent: spec.agent }) }));
  const { options } = plan;
  const talk = options.talk;
  const env = deps.launcher.env;
  // The channel needs the run's policy; a run from before it (no talk) runs one-shot.
  const withChannel = (choice: AgentChoice): AgentChoice => (choice.kind === 'claude' ? { ...choice, channel: choice.channel === true && talk !== undefined } : choice);
  // Only claude's jobs wait out claude's usage limits.
  const gateFor = (choice: AgentChoice) => machineGate({ dataDir: plan.creation?.data_dir ?? dirname(dirname(runDir)), runDir, maxAgents: talk?.max_agents ?? null, limitKey: choice.kind === 'claude' ? claudeConfigKey(env) : null });
  const agent = withChannel(plan.agent);
  const agents = plan.agents ? new Map(plan.agents.map((choice) => [choice.name, { adapter: adapterFor(withChannel(choice), env), gate: gateFor(choice) }])) : undefined;
  return new Executor({
    runId: plan.id,
    runDir,
    jobs,
    concurrency: options.jobs,
    timeoutMs: options.timeout_ms,
    idleTimeoutMs: options.idle_timeout_ms,
    adapter: adapterFor(agent, env),
    ...(talk ? { talk: runTalk(talk, { runner: deps.runner, env }), stopOnLimit: talk.on_limit === 'stop' } : {}),
    gate: gateFor(agent),
    ...(agents ? { agents } : {}),
    ...(options.executors ? { places: options.executors, hosts } : {}),
    model: options.model,
    permissionMode: options.permission_mode,
    commitResults: options.commit_results,
    retries: options.retries,
    failFast: options.fail_fast,
    budgetUsd: options.budget_usd,
    // A run taken over has spent what its jobs cost so far: --budget is for the whole run.
    spentUsd: before ? runTotals(before).cost_usd : 0,
    plan: options.plan === true,
    autoApprove: options.auto_approve === true,
    git: deps.git,
    spawner: deps.spawner,
    emit: recorder.emit,
    onCancelAll: () => stopCreation.abort(),
    supervisorPid: process.pid,
    ...(options.nice ? { nice: options.nice } : {}),
    env: deps.launcher.env,
    ...(worktrees ? { worktrees } : {}),
    log: deps.log,
  });
}

/**
 * Applies the commands clients send (cancel, rerun, approve, reject) and
 * SIGTERM, and stops the run when its directory is removed. A new run's
 * channel is all for this supervisor; a run taken over starts where the
 * taker found it. Returns what stops listening, and whether the whole run
 * was cancelled.
 */
function listen(runDir: string, plan: RunPlan, executor: Executor, recorder: RunRecorder, deps: SupervisorDeps, resume?: ResumeRequest) {
  let cancelled = false;
  const cancel = (job: string | null, reason: string): void => {
    if (job === null) cancelled = true;
    recorder.emit({ type: 'run/cancel-requested', job, reason });
    executor.cancel(job, reason);
  };
  const rerun = (id: string): void => {
    const job = foldRun(plan.id, readEvents(runFiles.events(runDir))).byId[id];
    // Only a job that has ended runs again; a second rerun of the same job is already queued.
    if (!job || !FINAL_STATES.has(job.state) || !job.worktree || !existsSync(job.worktree)) return;
    recorder.emit({ type: 'job/requeued', job: id });
    executor.rerun(againJob(runDir, plan, job, { jobs: [id], continueSessions: false }));
  };
  const refuse = (command: { id: string; job: string }, reason: string | null | undefined): void => {
    if (reason) recorder.emit({ type: 'command/refused', command: command.id, job: command.job, reason });
  };
  const commands = receiveCommands(
    runDir,
    (command) => {
      if (command.type === 'cancel') cancel(command.job, command.reason);
      else if (command.type === 'rerun') rerun(command.job);
      else if (command.type === 'approve') executor.approve(command.job, command.plan);
      else if (command.type === 'reject') executor.reject(command.job);
      else if (command.type === 'send') refuse(command, send(runDir, plan, executor, recorder, command));
      else if (command.type === 'interrupt') refuse(command, executor.interrupt(command.job, command.via, command.id));
      else {
        const { id, job, type: _type, request_id: requestId, ...answer } = command;
        refuse(command, executor.answer(job, { ...answer, requestId, command: id }));
      }
    },
    resume ? (resume.commandsFrom ?? commandsWritten(runDir)) : 0,
  );
  const onTerm = (): void => cancel(null, 'signal');
  process.on('SIGTERM', onTerm);
  // A run whose directory is gone (deleted by hand, or with the home it lived in) has no one to report to:
  // its jobs are stopped and the supervisor ends, rather than wait for an approval that cannot come.
  const orphanCheck = setInterval(() => {
    if (recorder.orphaned || existsSync(runDir)) return;
    deps.log.warn('the run directory is gone; stopping the run', { runDir });
    recorder.orphaned = true;
    executor.cancel(null, 'run directory removed');
  }, ORPHAN_CHECK_MS);
  return {
    /** Reads what came just now: a rerun asked for as the last job ended still runs. */
    poll: () => commands.poll(),
    stop(): void {
      commands.stop();
      clearInterval(orphanCheck);
      process.off('SIGTERM', onTerm);
    },
    cancelled: () => cancelled,
  };
}

/**
 * `par send` in the supervisor: to a job being run (its conversation, or its
 * next attempt), or to a finished job, whose session continues as its next
 * attempt. A sentence saying why not otherwise.
 */
function send(runDir: string, plan: RunPlan, executor: Executor, recorder: RunRecorder, command: Extract<RunCommand, { type: 'send' }>): string | null {
  const taken = executor.send(command.job, command.text, command.via, command.id);
  if (taken !== undefined) return taken;
  const job = foldRun(plan.id, readEvents(runFiles.events(runDir))).byId[command.job];
  if (!job) return `run ${plan.id} has no job ${command.job}`;
  if (!FINAL_STATES.has(job.state)) return `job ${command.job} is ${job.state} and cannot take a message now`;
  const why = continuable(runDir, plan, job);
  if (why) return why;
  recorder.emit({ type: 'job/requeued', job: job.id });
  recorder.emit({ type: 'job/message', job: job.id, text: command.text, queued: false, via: command.via, command: command.id });
  executor.rerun(againJob(runDir, plan, job, { jobs: [job.id], continueSessions: true, message: command.text }));
  return null;
}

/** Why a finished job's session cannot be continued, or null when it can. */
export function continuable(runDir: string, plan: RunPlan, job: { id: string; session_id: string | null; worktree: string | null; state: string }): string | null {
  const agent = agentOf(plan, job.id);
  if (agent.kind === 'configured' && agent.config.resume_args.length === 0) return `job ${job.id} runs ${agent.name}, whose sessions par cannot continue (agents.${agent.name}.resume_args is not set): rerun it instead`;
  const output = runFiles.output(runDir, job.id);
  if (!job.session_id || !existsSync(output) || statSync(output).size === 0) return `job ${job.id} ended (${job.state}) before its agent began a session, so there is nothing to continue: rerun it instead`;
  if (!job.worktree || !existsSync(job.worktree)) return `job ${job.id}'s worktree ${job.worktree ?? ''} is gone, so its session cannot continue there`;
  return null;
}

/** Writes the reports, then `run/finished`: a client that sees the end finds them written. */
function finishRun(runDir: string, plan: RunPlan, recorder: RunRecorder, state: RunStateName, log: Logger): void {
  try {
    const events = readEvents(runFiles.events(runDir));
    const final = foldRun(plan.id, [...events, { seq: events.length + 1, at: new Date().toISOString(), type: 'run/finished', state }]);
    writeReports(runDir, final, plan, plan.options.output_dir);
  } catch (error) {
    log.error('writing the reports failed', { run: plan.id, error });
  }
  recorder.emit({ type: 'run/finished', state });
  recorder.close();
  log.info('run finished', { run: plan.id, state });
}

async function superviseClaimed(runDir: string, deps: SupervisorDeps, resume?: ResumeRequest): Promise<void> {
  const plan = readRunPlan(runDir);
  if (plan.options.nice) deps.lowerPriority?.(plan.options.nice);
  plan.supervisor_pid = process.pid;
  writeRunPlan(runDir, plan);
  const earlier = resume ? readEvents(runFiles.events(runDir)) : [];
  const before: RunState | null = resume ? foldRun(plan.id, earlier) : null;
  const recorder = new RunRecorder(runDir, plan, deps, earlier.at(-1)?.seq ?? 0);
  if (!resume) recorder.emit({ type: 'run/started', run: plan.id, jobs: plan.jobs.map(({ prompt_file: _file, ...spec }) => spec), supervisor_pid: process.pid });
  const hosts = await runHosts(plan, deps);
  const executor = newExecutor(runDir, plan, deps, { recorder, before, ...(resume ? { resume } : {}), hosts });
  const listening = listen(runDir, plan, executor, recorder, deps, resume);
  try {
    await executor.run();
    listening.poll();
    await executor.drain();
  } finally {
    listening.stop();
    await Promise.all([...hosts.values()].map((host) => host.close().catch((error: unknown) => deps.log.warn('could not close an executor', { host: host.name, error }))));
  }
  if (recorder.orphaned) return;
  const states = plan.jobs.map((job) => recorder.finalStates.get(job.id));
  const state = states.every((value) => value === 'succeeded') ? 'succeeded' : listening.cancelled() ? 'cancelled' : 'failed';
  finishRun(runDir, plan, recorder, state, deps.log);
}
