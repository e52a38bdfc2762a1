// Best-of-N (DESIGN §17): `par compare` tabulates a target's attempts,
// `par keep` lands the one kept and clears the others away, their work
// salvaged first.
import { existsSync } from 'node:fs';
import { UserError } from '../core/errors.js';
import { FINAL_STATES } from '../core/events.js';
import { landSummary, splitWords } from '../core/land-plan.js';
import { attemptsByTarget, filesInCommon } from '../core/attempts.js';
import type { JobView, RunState } from '../core/run-state.js';
import { formatTable } from '../core/table.js';
import { planDiscard, runCleanup } from '../git/cleanup.js';
import { WorktreeRegistry } from '../git/worktree-registry.js';
import { findRun, loadRunState } from '../rundir/runs.js';
import { terminalWidth, type CommandContext } from './context.js';
import { landJobs, type LandOptions } from './land.js';
import { formatCost, formatDiffstat } from './run-output.js';

/** How many lines of a failing check's output compare keeps. */
const TAIL_LINES = 10;

/** The attempts of `target` (or of every target), or a UserError naming what there is. */
function chosenTargets(runId: string, state: RunState, target: string | undefined): [string, JobView[]][] {
  const groups = attemptsByTarget(state);
  if (groups.size === 0) throw new UserError(`Run ${runId} has no attempts to compare: par run --variants N (or --agent with several agents) gives each target several.`);
  if (target === undefined) return [...groups];
  const group = groups.get(target);
  if (!group) throw new UserError(`Run ${runId} has no target '${target}'; its targets: ${[...groups.keys()].join(', ')}.`);
  return [[target, group]];
}

/** Runs the check in an attempt's worktree: passed, or the tail of what it said. */
async function checkIn(ctx: CommandContext, argv: readonly string[], job: JobView): Promise<{ passed: boolean; detail: string | null } | null> {
  if (!job.worktree || !existsSync(job.worktree) || !FINAL_STATES.has(job.state)) return null;
  const { createCommandRunner } = await import('../os/command-runner.js');
  const ran = await createCommandRunner().run(argv, { cwd: job.worktree });
  if (ran.exitCode === 0) return { passed: true, detail: null };
  const tail = `${ran.stdout}\n${ran.stderr}`.trimEnd().split('\n').slice(-TAIL_LINES).join('\n');
  return { passed: false, detail: ran.failedToStart ?? `exit ${ran.exitCode ?? ran.signal}: ${tail}` };
}

/** A target's attempts as `par compare --json` gives them. */
export async function compareAttempts(ctx: CommandContext, runId: string, target: string | undefined, checkCommand: string | undefined) {
  const { state } = loadRunState(ctx.paths.dataDir, runId);
  const check = checkCommand === undefined ? null : splitWords(checkCommand);
  const targets = [];
  for (const [name, attempts] of chosenTargets(runId, state, target)) {
    const variants = [];
    for (const job of attempts) {
      variants.push({ job: job.id, variant: job.variant, state: job.state, diffstat: job.diffstat, ...(job.agent === null ? {} : { agent: job.agent }), files_in_common: filesInCommon(job, attempts), cost_usd: job.cost_usd, tokens: job.tokens, turns: job.turns, landing: job.landing, check: check ? await checkIn(ctx, check, job) : null });
    }
    targets.push({ target: name, variants });
  }
  return { state, check, targets };
}

/** `par compare <run> [target] [--check CMD] [--json]`. */
export async function runCompare(ctx: CommandContext, query: string, target: string | undefined, options: { check?: string; json?: boolean }): Promise<number> {
  const runId = findRun(ctx.paths.dataDir, query, null);
  const { state, check, targets } = await compareAttempts(ctx, runId, target, options.check);
  if (options.json) {
    ctx.stdout.write(`${JSON.stringify({ run: runId, targets }, null, 2)}\n`);
    return 0;
  }
  for (const { target: name, variants } of targets) {
    ctx.stdout.write(`── ${name}: ${variants.length} attempt${variants.length === 1 ? '' : 's'}\n`);
    const byId = new Map(variants.map((variant) => [variant.job, variant]));
    ctx.stdout.write(
      formatTable(
        variants,
        [
          { header: 'JOB', value: (row) => row.job },
          ...(variants.some((row) => row.agent !== undefined) ? [{ header: 'AGENT', value: (row: (typeof variants)[number]) => row.agent ?? '' }] : []),
          { header: 'STATE', value: (row) => row.state },
          { header: 'CHANGES', value: (row) => formatDiffstat(state.byId[row.job] as JobView) },
          { header: 'IN COMMON', value: (row) => (row.files_in_common.length ? row.files_in_common.join(', ') : '—') },
          { header: 'COST', value: (row) => formatCost(row.cost_usd) },
          { header: 'TURNS', value: (row) => String(row.turns || '') },
          ...(check ? [{ header: 'CHECK', value: (row: (typeof variants)[number]) => (row.check === null ? '—' : row.check.passed ? 'passed' : 'failed') }] : []),
          { header: 'LANDED', value: (row) => (row.landing?.outcome === 'landed' ? `on ${row.landing.onto}` : ''), flexible: true },
        ],
        terminalWidth(ctx.stdout),
      ),
    );
    for (const variant of variants) {
      const failed = byId.get(variant.job)?.check;
      if (failed && !failed.passed) ctx.stdout.write(`   ${variant.job}: ${failed.detail?.split('\n').slice(-3).join(' ⏎ ') ?? ''}\n`);
    }
    ctx.stdout.write('\n');
  }
  return 0;
}

/** `par keep <run> <job>`: lands the attempt kept, then says what became of the others. */
export async function runKeep(ctx: CommandContext, query: string, jobId: string, options: LandOptions): Promise<number> {
  const kept = await keepAttempt(ctx, findRun(ctx.paths.dataDir, query, null), jobId, options);
  for (const line of kept.said) ctx.stdout.write(`${line}\n`);
  return kept.ok ? 0 : 1;
}

/**
 * Lands the attempt kept (through the queue, with the check); only once it
 * has landed are the others' worktrees removed, each salvaged first. What
 * happened, a line each, and whether all of it went well.
 */
export async function keepAttempt(ctx: CommandContext, runId: string, jobId: string, options: LandOptions): Promise<{ said: string[]; ok: boolean; landed: boolean }> {
  const { state } = loadRunState(ctx.paths.dataDir, runId);
  const kept = state.byId[jobId];
  if (!kept || !Object.hasOwn(state.byId, jobId)) throw new UserError(`Run ${runId} has no job '${jobId}'; par compare ${runId} lists its attempts.`);
  if (kept.target === null) throw new UserError(`Job ${jobId} is not one of several attempts (par run --variants N makes them); land it with par land ${runId} ${jobId}.`);
  const siblings = (attemptsByTarget(state).get(kept.target) ?? []).filter((job) => job.id !== jobId);
  const going = siblings.filter((job) => !FINAL_STATES.has(job.state));
  if (going.length > 0) throw new UserError(`${going.map((job) => job.id).join(', ')} of target ${kept.target} ${going.length === 1 ? 'is' : 'are'} still going; wait for ${going.length === 1 ? 'it' : 'them'} or cancel (par cancel ${runId} ${going[0]?.id}) before keeping one.`);
  const report = await landJobs(ctx, runId, { ...options, named: [jobId] });
  const summary = landSummary(report);
  const outcome = report.outcomes[0];
  if (!outcome || (outcome.outcome !== 'landed' && outcome.outcome !== 'already')) {
    const said = [`${summary.said} Nothing was removed: ${kept.target}'s other attempts stay as they are.`];
    if (outcome?.detail?.includes('\n')) said.push(`── ${jobId}: ${outcome.detail}`);
    return { said, ok: false, landed: false };
  }
  const said = [`Kept ${jobId}: ${summary.said}`];
  const registry = new WorktreeRegistry(ctx.paths.dataDir);
  const records = registry.read().filter((record) => record.run === runId && siblings.some((job) => job.id === record.job));
  if (records.length === 0) return { said, ok: true, landed: true };
  const git = await ctx.git();
  const outcomes = await runCleanup(git, [await planDiscard(git, ctx.paths.dataDir, records)], (path) => registry.remove(path));
  ctx.log.info('kept', { run: runId, job: jobId, others: outcomes.map((done) => done.message) });
  return { said: [...said, ...outcomes.map((done) => done.message)], ok: outcomes.every((done) => done.ok), landed: true };
}
