// `par land` (DESIGN §17): a run's succeeded jobs into one branch, one at a
// time, each prepared and checked in a scratch worktree before the target
// moves; every outcome journaled and printed.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../core/errors.js';
import { FINAL_STATES, type NewRunEvent } from '../core/events.js';
import type { LandReport } from '../core/operations.js';
import { forecastOverlaps, OVERLAPS_LISTED, type JobOverlaps } from '../core/forecast.js';
import { landingOrder, splitWords } from '../core/land-plan.js';
import type { JobView, RunState } from '../core/run-state.js';
import { formatTable } from '../core/table.js';
import type { Git } from '../git/git.js';
import { closeScratch, landingTarget, moveTarget, openScratch, prepareLanding, refuseDirtyTarget, targetTip, type LandingTarget } from '../git/land.js';
import { repositoryFacts } from '../git/repository.js';
import { acquireFileLock } from '../os/file-lock.js';
import { runFiles } from '../rundir/files.js';
import { appendEvent } from '../rundir/journal.js';
import { findRun, jobIn, loadRunState } from '../rundir/runs.js';
import { waitFor } from '../rundir/watch.js';
import { terminalWidth, type CommandContext } from './context.js';
import { formatDiffstat } from './run-output.js';

/** The end of a failing check's output kept in the journal and printed. */
const TAIL_LINES = 15;
/** How long --resolve waits for the agent to resolve a conflict. */
const RESOLVE_WAIT_MS = 30 * 60_000;

export interface LandOptions {
  onto?: string;
  check?: string;
  squash?: boolean;
  rebase?: boolean;
  resolve?: boolean;
  dryRun?: boolean;
}

/** What happened to one job. */
type Outcome = LandReport['outcomes'][number];

/** Everything one `par land` works with. */
interface Landing {
  ctx: CommandContext;
  git: Git;
  runId: string;
  dir: string;
  target: LandingTarget;
  how: 'merge' | 'squash' | 'rebase';
  check: string[] | null;
  setup: string[][];
}

const lastLines = (text: string, count: number): string => text.trimEnd().split('\n').slice(-count).join('\n');

/** The target: --onto, else the branch of the worktree par land runs in (which must be of the run's repository). */
async function chooseTarget(ctx: CommandContext, git: Git, repository: string | null, onto: string | undefined): Promise<LandingTarget> {
  if (!repository) throw new UserError('The run records no repository, so there is nothing to land into.');
  const repo = await repositoryFacts(git, repository).catch(() => {
    throw new UserError(`The run's repository ${repository} is gone (moved or deleted); there is nothing to land into.`);
  });
  if (onto !== undefined) return landingTarget(git, repo.repo, onto);
  const here = await repositoryFacts(git, ctx.cwd).catch(() => undefined);
  if (!here || here.commonDir !== repo.commonDir) throw new UserError(`${ctx.cwd} is not in the run's repository (${repo.repo}); cd there, or name the branch to land into with --onto BRANCH.`);
  const branch = (await git.run(ctx.cwd, ['symbolic-ref', '--short', '-q', 'HEAD']).catch(() => '')).trim();
  if (branch === '') throw new UserError(`${ctx.cwd} has no branch checked out (detached HEAD); check one out, or name it with --onto BRANCH.`);
  return landingTarget(git, repo.repo, branch);
}

/** The jobs to land: those named, else every succeeded job not yet landed on the target. */
function jobsToLand(state: RunState, named: readonly string[], target: LandingTarget): JobView[] {
  if (named.length > 0) return named.map((id) => jobIn(state, id));
  return state.order.map((id) => state.byId[id] as JobView).filter((job) => job.state === 'succeeded' && !(job.landing?.outcome === 'landed' && job.landing.onto === target.branch));
}

/** Why a job cannot be landed at all, or null. */
function unlandable(job: JobView, target: LandingTarget): string | null {
  if (job.state !== 'succeeded') return `it ${job.state === 'running' || !FINAL_STATES.has(job.state) ? 'is still' : 'ended'} ${job.state}`;
  if (!job.branch) return 'it ran on a detached HEAD: no branch to land';
  if (job.branch === target.branch) return `its branch is ${target.branch} itself`;
  return null;
}

/** Runs the setup commands and the check in the scratch worktree; the check's failure as the tail of its output, or null. */
async function runCheck(landing: Landing, cwd: string): Promise<string | null> {
  if (!landing.check) return null;
  const { createCommandRunner } = await import('../os/command-runner.js');
  const runner = createCommandRunner();
  for (const argv of landing.setup) {
    const setup = await runner.run(argv, { cwd });
    if (setup.exitCode !== 0) return `setup ${argv.join(' ')} failed: ${lastLines(`${setup.stdout}\n${setup.stderr}`, TAIL_LINES)}`;
  }
  const ran = await runner.run(landing.check, { cwd });
  if (ran.failedToStart) return `${landing.check[0]} could not start: ${ran.failedToStart}`;
  if (ran.exitCode === 0) return null;
  return `${landing.check.join(' ')} exited ${ran.exitCode ?? ran.signal}:\n${lastLines(`${ran.stdout}\n${ran.stderr}`, TAIL_LINES)}`;
}

/** One landing: prepared and checked in a scratch worktree on the target's tip, then the target fast-forwarded. */
async function landOne(landing: Landing, job: JobView): Promise<Outcome> {
  const { git, target } = landing;
  // Work left uncommitted (par commits only in worktrees it made) would be left behind: said, not landed in part.
  const dirty = job.worktree && existsSync(job.worktree) ? (await git.run(job.worktree, ['status', '--porcelain']).catch(() => '')).trim() : '';
  if (dirty !== '') return { job: job.id, outcome: 'skipped', commit: null, files: [], detail: `its worktree has uncommitted changes (par commits only in worktrees it made): commit them in ${job.worktree} to land them` };
  const tip = await targetTip(git, target);
  const scratch = { dir: join(landing.ctx.paths.dataDir, 'land', landing.runId, `${job.id}-${randomBytes(3).toString('hex')}`), branch: `par-land/${landing.runId}/${job.id}` };
  mkdirSync(join(landing.ctx.paths.dataDir, 'land', landing.runId), { recursive: true });
  await openScratch(git, target.repo, scratch, tip);
  try {
    const prepared = await prepareLanding(git, scratch, { jobBranch: job.branch as string, how: landing.how, tip, message: `Land ${job.branch} (par run ${landing.runId}, job ${job.id})` });
    if (prepared.kind === 'already') return { job: job.id, outcome: 'already', commit: tip, files: [], detail: `${target.branch} already holds it` };
    if (prepared.kind === 'conflict') return { job: job.id, outcome: 'conflict', commit: null, files: prepared.files, detail: null };
    const failed = await runCheck(landing, scratch.dir);
    if (failed !== null) return { job: job.id, outcome: 'check', commit: null, files: [], detail: failed };
    await moveTarget(git, target, tip, prepared.commit);
    return { job: job.id, outcome: 'landed', commit: prepared.commit, files: [], detail: null };
  } finally {
    await closeScratch(git, target.repo, scratch);
  }
}

/** --resolve: the job's session continues in its own worktree to merge the target and resolve the files; resolves once it has ended again. */
async function resolveConflict(landing: Landing, job: JobView, files: readonly string[]): Promise<JobView> {
  const { ctx, runId, dir, target } = landing;
  const text = `par land could not land your branch ${job.branch} on ${target.branch}: merging them conflicts in ${files.join(', ')}. In this worktree, merge ${target.branch} into your branch (git merge ${target.branch}), resolve the conflicts in those files keeping both sides' intent, and commit the merge.`;
  ctx.stderr.write(`${job.id}: conflict in ${files.join(', ')}; its agent resolves it (--resolve)…\n`);
  const { sendMessage } = await import('./talk.js');
  await sendMessage(ctx, runId, [job.id], text, 'cli');
  const attempt = job.attempt;
  const ended = await waitFor(dir, runId, (state) => {
    const now = state.byId[job.id];
    return now !== undefined && now.attempt > attempt && FINAL_STATES.has(now.state);
  }, { timeoutMs: RESOLVE_WAIT_MS, pastTheEnd: true });
  return ended?.byId[job.id] ?? loadRunState(ctx.paths.dataDir, runId).state.byId[job.id] ?? job;
}

/** The journal's record of an outcome. */
function eventOf(outcome: Outcome, landing: Landing): NewRunEvent {
  const onto = landing.target.branch;
  if (outcome.outcome === 'landed' || outcome.outcome === 'already') return { type: 'job/landed', job: outcome.job, onto, commit: outcome.commit as string, how: landing.how };
  return { type: 'job/land-failed', job: outcome.job, onto, reason: outcome.outcome, files: outcome.files, detail: outcome.detail };
}

/** A job's overlaps in the dry run's table: `⚔ t2: a.ts; ⚔ t3: b.ts`, and how many more beyond those listed. */
function overlapsText(overlaps: JobOverlaps | undefined): string {
  if (!overlaps) return '';
  const more = overlaps.total - overlaps.list.length;
  return [...overlaps.list.map((other) => `⚔ ${other.job}: ${other.files.join(', ')}`), ...(more > 0 ? [`+${more} more`] : [])].join('; ');
}

function printPlan(ctx: CommandContext, queue: readonly JobView[], target: LandingTarget): void {
  const overlaps = forecastOverlaps(queue, OVERLAPS_LISTED);
  ctx.stdout.write(`Would land onto ${target.branch}, in this order:\n`);
  ctx.stdout.write(
    formatTable(
      queue.map((job, index) => ({ job, index })),
      [
        { header: '#', value: ({ index }) => String(index + 1) },
        { header: 'JOB', value: ({ job }) => job.id },
        { header: 'BRANCH', value: ({ job }) => job.branch ?? '' },
        { header: 'CHANGES', value: ({ job }) => formatDiffstat(job) },
        { header: 'OVERLAPS', value: ({ job }) => overlapsText(overlaps.get(job.id)), flexible: true },
      ],
      terminalWidth(ctx.stdout),
    ),
  );
}

function printOutcomes(ctx: CommandContext, outcomes: readonly Outcome[], target: LandingTarget): void {
  const detail = (outcome: Outcome): string => {
    if (outcome.outcome === 'landed') return `${target.branch} at ${outcome.commit?.slice(0, 10)}`;
    if (outcome.outcome === 'conflict') return `conflict in ${outcome.files.join(', ')}`;
    return (outcome.detail ?? '').split('\n')[0] ?? '';
  };
  ctx.stdout.write(formatTable(outcomes, [
    { header: 'JOB', value: (outcome) => outcome.job },
    { header: 'OUTCOME', value: (outcome) => (outcome.outcome === 'already' ? 'landed before' : outcome.outcome === 'check' ? 'check failed' : outcome.outcome) },
    { header: 'DETAIL', value: detail, flexible: true },
  ], terminalWidth(ctx.stdout)));
  for (const outcome of outcomes) if (outcome.outcome === 'check' && outcome.detail?.includes('\n')) ctx.stdout.write(`\n── ${outcome.job}: ${outcome.detail}\n`);
}

/** Everything par land is told: the jobs named, and its options. */
interface LandArgs extends LandOptions {
  named: string[];
}

/**
 * Lands the jobs onto the target, one at a time, journaling each outcome;
 * null with --dry-run (the plan printed instead). Shared by `par land`,
 * `L` in the TUI, the web page and `par mcp`.
 */
export async function landJobs(ctx: CommandContext, runId: string, args: LandArgs): Promise<LandReport & { target: LandingTarget }> {
  if (args.squash && args.rebase) throw new UserError('Land by --squash or by --rebase, not both.');
  const { state, plan, dir } = loadRunState(ctx.paths.dataDir, runId);
  const git = await ctx.git();
  const target = await chooseTarget(ctx, git, plan.repository, args.onto);
  const { config } = await ctx.config();
  const check = args.check !== undefined ? splitWords(args.check) : config.land.check;
  const queue = landingOrder(jobsToLand(state, args.named, target), args.named);
  if (args.dryRun) {
    if (queue.length === 0) ctx.stdout.write(`Nothing of run ${runId} waits to land on ${target.branch}.\n`);
    else printPlan(ctx, queue, target);
    return { onto: target.branch, target, outcomes: [] };
  }
  await refuseDirtyTarget(git, target);
  if (queue.length === 0) return { onto: target.branch, target, outcomes: [] };
  // One par land of a run at a time (a lock a killed one left is taken over); scratch worktrees it left behind go first.
  const release = await acquireFileLock(join(dir, 'land.lock'), { waitMs: 1000, staleAfterMs: null });
  if (!release) throw new UserError(`Another par land of run ${runId} is going; wait for it, or stop it first.`);
  try {
    rmSync(join(ctx.paths.dataDir, 'land', runId), { recursive: true, force: true });
    await git.run(target.repo, ['worktree', 'prune']).catch(() => undefined);
    const landing: Landing = { ctx, git, runId, dir, target, how: args.squash ? 'squash' : args.rebase ? 'rebase' : 'merge', check, setup: check ? config.worktrees.setup : [] };
    const outcomes: Outcome[] = [];
    for (const queued of queue) {
      const why = unlandable(queued, target);
      let outcome: Outcome = why ? { job: queued.id, outcome: 'skipped', commit: null, files: [], detail: why } : await landOne(landing, queued);
      if (outcome.outcome === 'conflict' && args.resolve) {
        const resolved = await resolveConflict(landing, queued, outcome.files);
        outcome = resolved.state === 'succeeded' ? await landOne(landing, resolved) : { ...outcome, detail: `the agent did not resolve it (${resolved.state})` };
      }
      appendEvent(runFiles.events(dir), eventOf(outcome, landing));
      outcomes.push(outcome);
      ctx.log.info('job landing', { run: runId, job: outcome.job, outcome: outcome.outcome, onto: target.branch });
    }
    return { onto: target.branch, target, outcomes };
  } finally {
    await release();
  }
}

/** `par land <run> [job…] [--onto B] [--check CMD] [--squash|--rebase] [--resolve] [--dry-run]`. */
export async function runLand(ctx: CommandContext, query: string, named: string[], options: LandOptions): Promise<number> {
  const runId = findRun(ctx.paths.dataDir, query, null);
  const report = await landJobs(ctx, runId, { ...options, named });
  if (options.dryRun) return 0;
  if (report.outcomes.length === 0) {
    ctx.stdout.write(`Nothing of run ${runId} waits to land on ${report.onto}: every succeeded job has landed (par status ${runId}).\n`);
    return 0;
  }
  printOutcomes(ctx, report.outcomes, report.target);
  return report.outcomes.every((outcome) => outcome.outcome === 'landed' || outcome.outcome === 'already') ? 0 : 1;
}
