import { readFileSync } from 'node:fs';
import { claudeAdapter } from '../agents/claude.js';
import { configuredAdapter } from '../agents/configured.js';
import type { AgentAdapter } from '../agents/agent.js';
import type { JobState, NewRunEvent } from '../core/events.js';
import { createWorktrees, planWorktrees, type CreationResult } from '../git/create-worktrees.js';
import type { Git } from '../git/git.js';
import type { Logger } from '../logging/logger.js';
import { receiveCommands } from './channel.js';
import { Executor } from './executor.js';
import { JournalWriter, readEvents } from './journal.js';
import { foldRun } from '../core/run-state.js';
import { writeReports } from '../reports/write-reports.js';
import type { CommandRunner } from './process-runner.js';
import type { ProcessSpawner } from './process-spawn.js';
import { readRunPlan, runFiles, writeRunPlan, type AgentChoice } from './run-plan.js';

/** The ports a supervisor runs with. */
export interface SupervisorDeps {
  git: Git;
  spawner: ProcessSpawner;
  runner: CommandRunner;
  log: Logger;
  env: NodeJS.ProcessEnv;
}

/** Builds the adapter a run asked for. */
export function adapterFor(choice: AgentChoice, env: NodeJS.ProcessEnv): AgentAdapter {
  if (choice.kind === 'claude') {
    return claudeAdapter({
      binary: choice.binary,
      defaultArgs: choice.default_args,
      allowedTools: choice.allowed_tools,
      disallowedTools: choice.disallowed_tools,
      env,
    });
  }
  return configuredAdapter(choice.name, choice.config);
}

/**
 * The supervisor of one run (DESIGN §9): the journal's only writer and the
 * owner of the run's agents. Started detached by `par run`; takes commands
 * through the run directory; writes `run/finished` when every job has ended.
 */
export async function supervise(runDir: string, deps: SupervisorDeps): Promise<void> {
  const plan = readRunPlan(runDir);
  plan.supervisor_pid = process.pid;
  writeRunPlan(runDir, plan);
  const journal = new JournalWriter(runFiles.events(runDir));
  const finalStates = new Map<string, JobState>();
  const emit = (event: NewRunEvent): void => {
    if (event.type === 'job/finished') finalStates.set(event.job, event.outcome.state);
    journal.append(event);
  };
  emit({ type: 'run/started', run: plan.id, jobs: plan.jobs.map(({ prompt_file: _file, ...spec }) => spec), supervisor_pid: process.pid });

  let worktrees: AsyncIterable<CreationResult> | undefined;
  if (plan.creation) {
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
    jobs: plan.jobs.map((spec) => ({ id: spec.id, worktree: spec.worktree, branch: spec.branch, created: spec.created, prompt: readFileSync(spec.prompt_file, 'utf8') })),
    concurrency: plan.options.jobs,
    timeoutMs: plan.options.timeout_ms,
    idleTimeoutMs: plan.options.idle_timeout_ms,
    adapter: adapterFor(plan.agent, deps.env),
    model: plan.options.model,
    permissionMode: plan.options.permission_mode,
    commitResults: plan.options.commit_results,
    retries: plan.options.retries,
    failFast: plan.options.fail_fast,
    budgetUsd: plan.options.budget_usd,
    git: deps.git,
    spawner: deps.spawner,
    emit,
    supervisorPid: process.pid,
    env: deps.env,
    ...(worktrees ? { worktrees } : {}),
    log: deps.log,
  });

  let cancelled = false;
  const cancel = (job: string | null, reason: string): void => {
    if (job === null) cancelled = true;
    emit({ type: 'run/cancel-requested', job, reason });
    executor.cancel(job, reason);
  };
  const commands = receiveCommands(runDir, (command) => cancel(command.job, command.reason));
  process.on('SIGTERM', () => cancel(null, 'signal'));
  // No terminal of its own: a hangup or Ctrl+C meant for the client must not end the run.
  process.on('SIGHUP', () => undefined);
  process.on('SIGINT', () => undefined);

  try {
    await executor.run();
  } finally {
    commands.stop();
  }
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
