// What par web and par mcp do to runs: the CLI's own commands (the channel,
// reruns, merges, the run starter), each answering with a sentence and
// marking the journal with the face that asked.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UserError } from '../core/errors.js';
import { FINAL_STATES } from '../core/events.js';
import { sendCommand } from '../rundir/channel.js';
import { inboxItems } from './inbox.js';
import type { FoundRun, RunOperations } from '../core/operations.js';
import type { Via } from '../core/events.js';
import type { CommandContext } from './context.js';

export function createOperations(ctx: CommandContext, via: Via): RunOperations {
  // Unless told where, a landing goes onto the branch checked out in the run's repository: a face has no worktree of its own.
  const landingContext = (run: FoundRun, onto: string | null): CommandContext => (onto === null && run.plan.repository ? { ...ctx, cwd: run.plan.repository } : ctx);
  const talk = () => import('./talk.js');
  return {
    async startRun(request) {
      const { startRequestedRun } = await import('./launch-run.js');
      const given = { ...(request.message === null ? {} : { message: request.message }), ...(request.jobs > 0 ? { jobs: String(request.jobs) } : {}), ...(request.agent ? { agent: request.agent } : {}), ...(request.variants && request.variants > 1 ? { variants: String(request.variants) } : {}), ...(request.base ? { branch: request.base } : {}) };
      if (!request.tasks?.length) return (await startRequestedRun(ctx, given, { prompt: request.prompt, worktrees: request.worktrees, newCount: request.newCount })).runId;
      // A list of tasks goes through a tasks file, as par run --tasks reads it.
      const dir = mkdtempSync(join(tmpdir(), 'par-tasks-'));
      try {
        const file = join(dir, 'tasks.json');
        writeFileSync(file, JSON.stringify({ prompts: request.tasks }));
        return (await startRequestedRun(ctx, { ...given, tasks: file }, { prompt: request.prompt, worktrees: request.worktrees, newCount: request.newCount })).runId;
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    inbox: () => inboxItems(ctx.paths.dataDir),
    async prompts() {
      const [{ promptsDir }, { promptSummaries }] = await Promise.all([ctx.config(), import('../prompts/summaries.js')]);
      return promptSummaries(promptsDir, join(ctx.paths.stateDir, 'cache', 'prompts.json'));
    },
    worktrees: async () => (await import('./worktrees.js')).pickerItems(ctx, await ctx.git()),
    async diff(job) {
      if (!job.worktree) throw new UserError(`Job ${job.id} has no worktree yet, so no diff.`, 1);
      const [git, { jobDiff }] = await Promise.all([ctx.git(), import('../git/job-results.js')]);
      return jobDiff(git, job.worktree, job.head);
    },
    send: async (run, jobs, text) => (await talk()).sendMessage(ctx, run.runId, jobs, text, via),
    async approve(run, job, always) {
      if (job.state === 'awaiting-approval' && run.state.state === 'running') {
        sendCommand(run.dir, { type: 'approve', job: job.id });
        return `${job.id}: plan approved; it executes as a place frees up.`;
      }
      return (await (await talk()).allowRequest(ctx, run.runId, job.id, { always }, via)).sentence;
    },
    async deny(run, job, message) {
      if (job.state === 'awaiting-approval' && run.state.state === 'running') {
        sendCommand(run.dir, { type: 'reject', job: job.id });
        return `${job.id}: plan rejected; the job ends cancelled.`;
      }
      return (await talk()).denyRequest(ctx, run.runId, job.id, message, via);
    },
    answer: async (run, job, answers) => (await talk()).answerQuestion(ctx, run.runId, job.id, answers, via),
    interrupt: async (run, job) => (await talk()).interruptJob(ctx, run.runId, job.id, via),
    cancel(run, job) {
      if (run.state.state !== 'running') throw new UserError(`Run ${run.runId} has already ended (${run.state.state}); there is nothing to cancel.`, 1);
      if (job && FINAL_STATES.has(job.state)) throw new UserError(`Job ${job.id} has already ended (${job.state}); there is nothing to cancel.`, 1);
      sendCommand(run.dir, { type: 'cancel', job: job?.id ?? null, reason: 'user' });
      return job ? `Cancelling ${job.id}…` : `Cancelling run ${run.runId}…`;
    },
    async rerun(run, job) {
      await (await import('./rerun.js')).rerunJobs(ctx, { dir: run.dir, runId: run.runId, jobs: [job.id], continueSessions: false });
      return `${job.id}: queued again as attempt ${job.attempt + 2}.`;
    },
    merge: async (run, job, squash) => (await import('./merge.js')).mergeJob(ctx, run.runId, job.id, { squash }),
    async land(run, request) {
      const { landJobs } = await import('./land.js');
      const { onto, outcomes } = await landJobs(landingContext(run, request.onto), run.runId, { named: request.jobs, ...(request.onto ? { onto: request.onto } : {}), ...(request.check ? { check: request.check } : {}), squash: request.how === 'squash', rebase: request.how === 'rebase' });
      return { onto, outcomes };
    },
    async compare(run, target, check) {
      return (await (await import('./variants.js')).compareAttempts(ctx, run.runId, target ?? undefined, check ?? undefined)).targets;
    },
    async keep(run, job, request) {
      const kept = await (await import('./variants.js')).keepAttempt(landingContext(run, request.onto), run.runId, job.id, { ...(request.onto ? { onto: request.onto } : {}), ...(request.check ? { check: request.check } : {}), squash: request.how === 'squash', rebase: request.how === 'rebase' });
      return { said: kept.said, landed: kept.landed };
    },
  };
}
