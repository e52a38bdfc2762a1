import { readFileSync, realpathSync } from 'node:fs';
import { basename } from 'node:path';
import { uniqueJobIds } from '../core/ids.js';
import { UserError } from '../core/errors.js';
import type { RunPlan } from '../core/run-plan.js';
import { parseTasks, type Task } from '../core/tasks.js';
import { discoverWorktrees } from '../git/discover.js';
import type { Git } from '../git/git.js';
import { worktreeEntryFromFiles } from '../git/git-files.js';
import { parseWorktreeList } from '../git/parse-worktrees.js';
import { repositoryFacts, type RepositoryFacts } from '../git/repository.js';
import { worktreeValidity } from '../git/worktree-status.js';
import { readStdin, type CommandContext } from './context.js';
import type { RunOptions } from './run-setup.js';
import { planWorktrees } from '../git/plan-worktrees.js';
import type { ParConfig } from '../config/settings.js';

/** An existing worktree a job runs in. */
export interface ChosenWorktree {
  path: string;
  branch: string | null;
  repo: RepositoryFacts;
}

/** Repositories already listed while checking worktree arguments, so each is asked once. */
type ListCache = { facts: RepositoryFacts; entries: ReturnType<typeof parseWorktreeList> }[];

async function worktreeFromArg(git: Git, arg: string, lists: ListCache): Promise<ChosenWorktree> {
  let path: string;
  try {
    path = realpathSync(arg);
  } catch {
    throw new UserError(`The worktree ${arg} does not exist; pass worktree paths as 'par list worktrees' shows them.`);
  }
  // A worktree of a repository already listed needs no git call at all.
  let known = lists.find((list) => list.entries.some((entry) => entry.path === path));
  let entry = known?.entries.find((candidate) => candidate.path === path);
  if (!known) {
    let facts: RepositoryFacts;
    try {
      facts = await repositoryFacts(git, path);
    } catch {
      throw new UserError(`${arg} is not a git worktree; pass worktree paths as 'par list worktrees' shows them.`);
    }
    path = facts.worktree;
    // Its entry from git's files when they say it plainly, else from git's list of the repository's worktrees.
    entry = worktreeEntryFromFiles(path);
    known = lists.find((list) => list.facts.commonDir === facts.commonDir);
    if (!entry && !known) {
      known = { facts, entries: parseWorktreeList(await git.run(path, ['worktree', 'list', '--porcelain', '-z'])) };
      lists.push(known);
    }
    entry ??= known?.entries.find((candidate) => candidate.path === path);
    known ??= { facts, entries: [] };
  }
  if (!entry) throw new UserError(`${arg} is not a git worktree; pass worktree paths as 'par list worktrees' shows them.`);
  const { valid, reason } = worktreeValidity(entry);
  if (!valid) throw new UserError(`The worktree ${arg} cannot be used: ${reason}.`);
  return { path, branch: entry.branch, repo: { ...known.facts, worktree: path } };
}

/** `--tasks FILE` (or `-`, stdin): the tasks, each its own job in a fresh worktree. */
export async function readTasks(ctx: CommandContext, file: string): Promise<Task[]> {
  let text: string;
  if (file === '-') text = (await readStdin(ctx.stdin)).toString('utf8');
  else {
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      throw new UserError(`The tasks file ${file} cannot be read; pass an existing file to --tasks, or - for stdin.`);
    }
  }
  return parseTasks(text, file === '-' ? 'stdin' : file);
}

async function allLinkedWorktrees(git: Git, ctx: CommandContext): Promise<ChosenWorktree[]> {
  const found = await discoverWorktrees({ git, cwd: ctx.cwd, searchPaths: [], maxDepth: 0, excludePatterns: [] });
  if (found.currentWorktree === null) throw new UserError(`--all takes the worktrees of the repository you are in, and ${ctx.cwd} is not in one.`);
  const repo = await repositoryFacts(git, ctx.cwd);
  const linked = found.worktrees.filter((worktree) => worktree.path !== worktree.repo && worktreeValidity(worktree).valid);
  if (linked.length === 0) throw new UserError(`The repository ${repo.repo} has no valid linked worktree for --all; make some with --new N.`);
  return linked.map((worktree) => ({ path: worktree.path, branch: worktree.branch, repo }));
}

/** Where a run's jobs go: existing worktrees, or new ones to make (with the plan to make them). */
export interface RunTargets {
  chosen: ChosenWorktree[];
  creation: RunPlan['creation'];
  newTargets: { job: string; path: string; branch: string }[];
  creationRepo: RepositoryFacts | undefined;
  /** Best-of-N (`--variants`, several agents): which target and attempt each job is, and its agent. */
  variants: Map<string, Attempt>;
}

/** Which target a job is an attempt at, which attempt, and (with several agents) whose. */
export interface Attempt {
  target: string;
  variant: number;
  agent?: string;
}

/** How many attempts each target gets: N (`--variants`) for each agent of the run, agent by agent. */
export interface AttemptsPerTarget {
  variants: number;
  /** The run's agents by name, when it has several. */
  agents: readonly string[];
}

/**
 * `t1` → `t1.v1 … t1.vK` (ids unchanged with a single attempt): K is N for
 * each agent, the first agent's N attempts first.
 */
export function variantIds(targets: readonly string[], per: AttemptsPerTarget): { ids: string[]; of: Map<string, Attempt> } {
  const of = new Map<string, Attempt>();
  const agents = per.agents.length > 1 ? per.agents : [null];
  const count = per.variants * agents.length;
  if (count <= 1) return { ids: [...targets], of };
  const ids = targets.flatMap((target) =>
    Array.from({ length: count }, (_, index) => {
      const id = `${target}.v${index + 1}`;
      const agent = agents[Math.floor(index / per.variants)];
      of.set(id, { target, variant: index + 1, ...(agent ? { agent } : {}) });
      return id;
    }),
  );
  return { ids, of };
}

/**
 * Works out where a run goes — worktree arguments (each checked, none
 * twice), `--all`, `--new N` or `--tasks` — refusing any mix of them. New
 * worktrees are planned (names, branches, base) but not made.
 */
export async function chooseTargets(
  ctx: CommandContext,
  git: Git,
  request: { worktreeArgs: string[]; options: RunOptions; newCount: number; tasks: Task[] | null; runId: string; config: ParConfig; problems: string[]; attempts: AttemptsPerTarget },
): Promise<RunTargets> {
  const { worktreeArgs, options, newCount, tasks, config, problems, attempts } = request;
  const several = attempts.variants * Math.max(1, attempts.agents.length) > 1;
  if (tasks && worktreeArgs.length > 0) {
    throw new UserError(`With --tasks each task gets a fresh worktree; '${worktreeArgs[0]}' cannot be given too (the prompt argument, if any, is a wrapper with {{.Instructions}}).`);
  }
  const sources = [worktreeArgs.length > 0, options.all === true, newCount > 0, tasks !== null].filter(Boolean).length;
  if (sources === 0) {
    throw new UserError('Say where to run: pass worktree paths, --all for every linked worktree of this repository, or --new N for N fresh worktrees.');
  }
  if (sources > 1) throw new UserError('Pass worktree paths, --all, --new N or --tasks FILE — one of them, not several.');
  if (options.branch !== undefined && newCount === 0 && tasks === null) throw new UserError('-b names the base of new worktrees; use it with --new N or --tasks.');
  const none: RunTargets = { chosen: [], creation: null, newTargets: [], creationRepo: undefined, variants: new Map() };
  if (worktreeArgs.length > 0 || options.all) {
    const chosen = worktreeArgs.length > 0 ? await chosenWorktrees(git, worktreeArgs, problems) : await allLinkedWorktrees(git, ctx);
    if (!several || problems.length > 0 || chosen.length === 0) return { ...none, chosen };
    return variantsOfWorktrees(ctx, git, chosen, request);
  }
  const { ids, of } = variantIds(tasks ? tasks.map((task) => task.id) : Array.from({ length: newCount }, (_, index) => `t${index + 1}`), attempts);
  const creationPlan = await planWorktrees({
    git,
    runner: { run: () => Promise.reject(new Error('unused')) },
    repoDir: ctx.cwd,
    runId: request.runId,
    jobs: ids,
    ...(options.branch === undefined ? {} : { base: options.branch }),
    dataDir: ctx.paths.dataDir,
    branchPattern: config.worktrees.branch_pattern,
    setup: config.worktrees.setup,
  });
  return {
    ...none,
    creationRepo: creationPlan.repository,
    newTargets: creationPlan.targets,
    creation: { repo_dir: creationPlan.repository.worktree, base: options.branch ?? null, data_dir: ctx.paths.dataDir, branch_pattern: config.worktrees.branch_pattern, setup: config.worktrees.setup },
    variants: of,
  };
}

/** Best-of-N of existing worktrees: N fresh worktrees for each, every one starting from its target's HEAD. */
async function variantsOfWorktrees(ctx: CommandContext, git: Git, chosen: readonly ChosenWorktree[], request: { runId: string; config: ParConfig; attempts: AttemptsPerTarget }): Promise<RunTargets> {
  const repos = new Set(chosen.map((worktree) => worktree.repo.commonDir));
  if (repos.size > 1) throw new UserError(`Several attempts per target (--variants, or several agents) make fresh worktrees in one repository, and these worktrees belong to ${repos.size}: run once per repository.`);
  const targets = uniqueJobIds(chosen.map((worktree) => basename(worktree.path)));
  const { ids, of } = variantIds(targets, request.attempts);
  const bases: Record<string, { name: string; commit: string }> = {};
  for (const [index, worktree] of chosen.entries()) {
    const commit = (await git.run(worktree.path, ['rev-parse', '--verify', 'HEAD^{commit}'])).trim();
    for (const [id, variant] of of) if (variant.target === targets[index]) bases[id] = { name: worktree.branch ?? commit, commit };
  }
  const first = chosen[0] as ChosenWorktree;
  const { config } = request;
  const creationPlan = await planWorktrees({ git, runner: { run: () => Promise.reject(new Error('unused')) }, repoDir: first.path, runId: request.runId, jobs: ids, bases, dataDir: ctx.paths.dataDir, branchPattern: config.worktrees.branch_pattern, setup: config.worktrees.setup });
  return {
    chosen: [],
    creationRepo: creationPlan.repository,
    newTargets: creationPlan.targets,
    creation: { repo_dir: creationPlan.repository.worktree, base: null, bases, data_dir: ctx.paths.dataDir, branch_pattern: config.worktrees.branch_pattern, setup: config.worktrees.setup },
    variants: of,
  };
}

/** The worktrees named on the command line, each checked and none given twice; problems are collected. */
async function chosenWorktrees(git: Git, worktreeArgs: string[], problems: string[]): Promise<ChosenWorktree[]> {
  const chosen: ChosenWorktree[] = [];
  const lists: ListCache = [];
  for (const arg of worktreeArgs) {
    try {
      chosen.push(await worktreeFromArg(git, arg, lists));
    } catch (error) {
      if (error instanceof UserError) problems.push(error.message);
      else throw error;
    }
  }
  const seen = new Map<string, string>();
  for (const [index, worktree] of chosen.entries()) {
    const earlier = seen.get(worktree.path);
    if (earlier !== undefined) problems.push(`The worktree ${worktree.path} is given twice (${earlier} and ${worktreeArgs[index]}); each job needs its own.`);
    seen.set(worktree.path, worktreeArgs[index] ?? worktree.path);
  }
  return chosen;
}
