import { existsSync } from 'node:fs';
import { UserError } from '../core/errors.js';
import { FINAL_STATES } from '../core/events.js';
import { findRun, loadRunState, jobIn } from '../rundir/runs.js';
import { runDirOf, runFiles } from '../rundir/files.js';
import { appendEvent } from '../rundir/journal.js';
import { repositoryFacts, type RepositoryFacts } from '../git/repository.js';
import { mergeBranch } from '../git/merge.js';
import type { CommandContext } from './context.js';

/** `par merge <run> <job> [--squash]`: brings a job's branch into the current branch. */
export async function runMerge(ctx: CommandContext, query: string, jobId: string, options: { squash?: boolean }): Promise<number> {
  ctx.stdout.write(`${await mergeJob(ctx, findRun(ctx.paths.dataDir, query, null), jobId, options)}\n`);
  return 0;
}

/** Merges a finished job's branch; resolves to a sentence saying what happened, throws on a conflict (nothing changed then). */
export async function mergeJob(ctx: CommandContext, runId: string, jobId: string, options: { squash?: boolean }): Promise<string> {
  const git = await ctx.git();
  const { state, plan } = loadRunState(ctx.paths.dataDir, runId);
  const job = jobIn(state, jobId);
  if (!FINAL_STATES.has(job.state)) throw new UserError(`Job ${jobId} is still ${job.state}; merge it when it has ended (par status ${runId}).`);
  if (!job.branch) throw new UserError(`Job ${jobId} ran on a detached HEAD, so there is no branch to merge.`);
  // Into the worktree the user is in when it belongs to the job's repository, else the repository's main worktree.
  // The job's repository is known from its worktree, or from the run's when the worktree is gone.
  const here = await repositoryFacts(git, ctx.cwd).catch(() => undefined);
  const home = [job.worktree, plan.repository].filter((dir): dir is string => dir !== null && existsSync(dir));
  let repository: RepositoryFacts | undefined;
  for (const dir of home) repository ??= await repositoryFacts(git, dir).catch(() => undefined);
  if (!repository) throw new UserError(`Cannot find the repository of run ${runId} (${plan.repository ?? 'not recorded'}); it was moved or deleted, so job ${jobId} cannot be merged.`);
  const target = here && here.commonDir === repository.commonDir ? here.worktree : repository.repo;
  const exists = await git.run(target, ['rev-parse', '--verify', '--end-of-options', `refs/heads/${job.branch}`]).then(() => true, () => false);
  if (!exists) throw new UserError(`The branch ${job.branch} of job ${jobId} is gone from ${repository.repo} (deleted by par clean or by hand); there is nothing to merge.`);
  const outcome = await mergeBranch(git, { target, branch: job.branch, squash: options.squash ?? false, message: `Merge ${job.branch} (par run ${runId}, job ${jobId})` });
  if (outcome.kind === 'merged') {
    // A merge is a landing (DESIGN §17): journaled, so par land does not land it again.
    const commit = (await git.run(target, ['rev-parse', 'HEAD'])).trim();
    appendEvent(runFiles.events(runDirOf(ctx.paths.dataDir, runId)), { type: 'job/landed', job: jobId, onto: outcome.target, commit, how: options.squash ? 'squash' : 'merge' });
  }
  switch (outcome.kind) {
    case 'up-to-date':
      return `${outcome.target} already has everything on ${job.branch}; nothing to merge.`;
    case 'already-applied':
      return `${outcome.target} already holds every change of ${job.branch} (merged before); nothing to merge, no commit made.`;
    case 'merged':
      return `Merged ${job.branch} into ${outcome.target}${options.squash ? ' as one commit' : ''} (${outcome.files} file${outcome.files === 1 ? '' : 's'} changed).`;
    case 'conflict':
      throw new UserError(
        `Merging ${job.branch} into ${outcome.target} conflicts in ${outcome.files.join(', ')}; nothing was changed. Resolve it by hand (git merge ${job.branch}) or rebase the job's branch first.`,
        1,
      );
  }
}
