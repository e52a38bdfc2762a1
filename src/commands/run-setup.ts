import { readFileSync, realpathSync } from 'node:fs';
import { basename } from 'node:path';
import { PERMISSION_MODES, type ParConfig } from '../config/schema.js';
import { parseDuration } from '../core/duration.js';
import { UserError } from '../core/errors.js';
import { branchFor, newRunId, uniqueJobIds } from '../core/ids.js';
import { parseVarAssignments } from '../core/variables.js';
import type { RunPlan, AgentChoice } from '../core/run-plan.js';
import { findExecutable } from '../os/which.js';
import { planWorktrees } from '../git/create-worktrees.js';
import { currentRepository, repositoryFacts, type RepositoryFacts } from '../git/repository.js';
import { discoverWorktrees } from '../git/discover.js';
import type { Git } from '../git/git.js';
import { parseWorktreeList } from '../git/parse-worktrees.js';
import { worktreeValidity } from '../git/worktree-status.js';
import { splitFrontMatter } from '../prompts/front-matter.js';
import { PromptLibrary } from '../prompts/library.js';
import { readMeta, type Prompt } from '../prompts/prompt.js';
import { renderPrompt } from '../prompts/render.js';
import { MAX_PROMPT_BYTES } from './add.js';
import { readStdin, type CommandContext } from './context.js';
import { parseTasks, type Task } from '../core/tasks.js';

/** The options of `par run` as commander hands them over. */
export interface RunOptions {
  jobs?: string;
  message?: string;
  promptFile?: string;
  all?: boolean;
  timeout?: string;
  idleTimeout?: string;
  branch?: string;
  new?: string;
  var?: string[];
  agent?: string;
  permissionMode?: string;
  model?: string;
  dryRun?: boolean;
  retries?: string;
  terminalOutput?: boolean;
  tasks?: string;
  failFast?: boolean;
  budget?: string;
  detach?: boolean;
  plan?: boolean;
  yes?: boolean;
  term?: boolean;
  json?: boolean;
  noTui?: boolean;
  tui?: boolean;
}

/** A validated run, ready to write and start. */
export interface PreparedRun {
  plan: RunPlan;
  /** Rendered prompt per job id. */
  prompts: Map<string, string>;
  /** The argv each job would run, for --dry-run. */
  argvFor: (prompt: string) => string[];
}

function wholeNumber(flag: string, text: string | undefined, fallback: number, min: number): number {
  if (text === undefined) return fallback;
  if (!/^\d+$/.test(text.trim()) || Number(text) < min) {
    throw new UserError(`${flag} takes a whole number of ${min} or more, not '${text}'.`);
  }
  return Number(text);
}

function usd(text: string): number {
  const value = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text.trim()) || !(value > 0)) throw new UserError(`--budget takes an amount of US dollars above 0, such as 5 or 2.50, not '${text}'.`);
  return value;
}

function duration(flag: string, text: string | undefined, fallback: string): number {
  const value = text ?? fallback;
  const ms = parseDuration(value);
  if (ms === undefined) throw new UserError(`${flag} takes a duration such as 90s, 30m, 2h or 1h30m, not '${value}'.`);
  return ms;
}

/** The prompt: a library name, `-m`, or `--prompt-file`; positional arguments left over are worktrees. */
function resolvePrompt(library: PromptLibrary, positional: string[], options: RunOptions): { prompt: Prompt | null; source: RunPlan['prompt']; worktreeArgs: string[] } {
  if (options.message !== undefined && options.promptFile !== undefined) {
    throw new UserError('Pass either -m TEXT or --prompt-file FILE, not both.');
  }
  if (options.message !== undefined) {
    const prompt: Prompt = { meta: { name: 'message', description: '', template: false, variables: {}, extra: {} }, body: options.message, bodyLine: 1, path: '-m', text: options.message };
    return { prompt, source: { source: 'message', name: null }, worktreeArgs: positional };
  }
  if (options.promptFile !== undefined) {
    let text: string;
    try {
      text = readFileSync(options.promptFile, 'utf8');
    } catch {
      throw new UserError(`The prompt file ${options.promptFile} cannot be read; pass the path of an existing file to --prompt-file.`);
    }
    let split;
    try {
      split = splitFrontMatter(text);
    } catch (error) {
      throw new UserError(`The prompt file ${options.promptFile} is broken: ${(error as Error).message}.`);
    }
    const name = basename(options.promptFile).replace(/\.[^.]*$/, '');
    const prompt: Prompt = { meta: readMeta(split.data, name), body: split.body, bodyLine: split.bodyLine, path: options.promptFile, text };
    return { prompt, source: { source: 'file', name: options.promptFile }, worktreeArgs: positional };
  }
  const [name, ...rest] = positional;
  if (name === undefined && options.tasks !== undefined) return { prompt: null, source: { source: 'tasks', name: null }, worktreeArgs: [] };
  if (name === undefined) {
    throw new UserError("Name a prompt from the library ('par list prompts'), or pass -m TEXT or --prompt-file FILE.");
  }
  return { prompt: library.get(name), source: { source: 'library', name }, worktreeArgs: rest };
}

interface ChosenWorktree {
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
  if (!known) {
    let facts: RepositoryFacts;
    try {
      facts = await repositoryFacts(git, path);
    } catch {
      throw new UserError(`${arg} is not a git worktree; pass worktree paths as 'par list worktrees' shows them.`);
    }
    known = lists.find((list) => list.facts.commonDir === facts.commonDir);
    if (!known) {
      known = { facts, entries: parseWorktreeList(await git.run(path, ['worktree', 'list', '--porcelain', '-z'])) };
      lists.push(known);
    }
    path = facts.worktree;
  }
  const entry = known.entries.find((candidate) => candidate.path === path);
  if (!entry) throw new UserError(`${arg} is not a git worktree; pass worktree paths as 'par list worktrees' shows them.`);
  const { valid, reason } = worktreeValidity(entry);
  if (!valid) throw new UserError(`The worktree ${arg} cannot be used: ${reason}.`);
  return { path, branch: entry.branch, repo: { ...known.facts, worktree: path } };
}

async function readTasks(ctx: CommandContext, file: string): Promise<Task[]> {
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

function agentChoice(config: ParConfig, name: string, ctx: CommandContext): AgentChoice {
  if (name === 'claude') {
    const binary = config.claude.binary_path;
    if (!findExecutable(binary, ctx.env, ctx.cwd)) {
      throw new UserError(`The agent binary '${binary}' was not found${binary.includes('/') ? '' : ' on PATH'}; install Claude Code or set claude.binary_path (par config set claude.binary_path /path/to/claude).`);
    }
    return { kind: 'claude', name: 'claude', binary, default_args: [...config.claude.default_args], allowed_tools: [...config.claude.allowed_tools], disallowed_tools: [...config.claude.disallowed_tools] };
  }
  const configured = config.agents[name];
  if (!configured) {
    const names = ['claude', ...Object.keys(config.agents)];
    throw new UserError(`There is no agent '${name}'; use one of ${names.join(', ')}, or configure it: par config set agents.${name} '{binary: …}'.`);
  }
  if (!findExecutable(configured.binary, ctx.env, ctx.cwd)) {
    throw new UserError(`The agent binary '${configured.binary}' was not found; install it or set agents.${name}.binary.`);
  }
  return { kind: 'configured', name, config: configured };
}

/**
 * Resolves and validates everything before anything starts (DESIGN §4
 * steps 1–2): one UserError listing every problem, nothing written.
 */
/** The permission mode a run passes to claude: `--permission-mode`, else the prompt's front matter, else the config; checked like `par config set` checks it. */
function chosenPermissionMode(option: string | undefined, prompt: Prompt | null, configured: string): string {
  const known = `use one of ${PERMISSION_MODES.join(', ')}`;
  if (option !== undefined) {
    if (!PERMISSION_MODES.includes(option)) throw new UserError(`--permission-mode '${option}' is not a permission mode of claude; ${known}.`);
    return option;
  }
  const written: unknown = prompt?.meta.extra.permission_mode;
  if (written === undefined || written === null) return configured;
  if (typeof written !== 'string' || !PERMISSION_MODES.includes(written)) {
    throw new UserError(`The front matter of ${prompt?.path ?? 'the prompt'} sets permission_mode: ${JSON.stringify(written)}, which is not a permission mode of claude; ${known} there.`);
  }
  return written;
}

export async function prepareRun(ctx: CommandContext, git: Git, positional: string[], options: RunOptions, now: Date): Promise<PreparedRun> {
  const { config, promptsDir } = await ctx.config();
  const problems: string[] = [];
  const attempt = <T>(fn: () => T): T | undefined => {
    try {
      return fn();
    } catch (error) {
      if (error instanceof UserError) problems.push(error.message);
      else throw error;
      return undefined;
    }
  };
  const jobs = attempt(() => wholeNumber('-j', options.jobs, config.defaults.jobs, 1)) ?? 1;
  const timeoutMs = attempt(() => duration('-t', options.timeout, config.defaults.timeout)) ?? 0;
  const idleMs = attempt(() => duration('--idle-timeout', options.idleTimeout, config.defaults.idle_timeout)) ?? 0;
  const retries = attempt(() => wholeNumber('--retries', options.retries, config.defaults.retries, 0)) ?? 0;
  const budget = options.budget === undefined ? null : (attempt(() => usd(options.budget as string)) ?? null);
  const newCount = options.new === undefined ? 0 : (attempt(() => wholeNumber('--new', options.new, 0, 1)) ?? 0);
  const parsedVars = parseVarAssignments(options.var ?? []);
  if ('bad' in parsedVars) problems.push(`--var takes NAME=VALUE with a name of letters, digits or _, not '${parsedVars.bad}'.`);
  const cliVars = 'vars' in parsedVars ? parsedVars.vars : {};

  const library = new PromptLibrary(promptsDir);
  const resolved = attempt(() => resolvePrompt(library, positional, options));
  const meta = resolved?.prompt?.meta;
  const agentName = options.agent ?? (typeof meta?.extra.agent === 'string' ? meta.extra.agent : 'claude');
  const agent = attempt(() => agentChoice(config, agentName, ctx));
  const term = options.term ?? config.terminal.new_window_per_job;
  if (term) {
    // A window per job needs a terminal: found now, or nothing starts.
    const { launchFor } = await import('../terminal/open-window.js');
    attempt(() => launchFor({ dir: ctx.cwd, title: 'par', argv: ['true'], waitAfterCommand: false }, config.terminal, ctx.env as NodeJS.ProcessEnv));
  }
  const permissionMode = attempt(() => chosenPermissionMode(options.permissionMode, resolved?.prompt ?? null, config.claude.permission_mode)) ?? null;
  if (options.plan && agent && agent.kind !== 'claude') problems.push(`--plan uses claude's plan mode; the agent '${agent.name}' cannot plan, so run it without --plan.`);
  if (problems.length > 0) throw new UserError(problems.join(' '));
  if (!resolved || !agent) throw new UserError('Nothing to run.');

  const worktreeArgs = resolved.worktreeArgs;
  const tasks = options.tasks === undefined ? null : await readTasks(ctx, options.tasks);
  if (tasks && worktreeArgs.length > 0) {
    throw new UserError(`With --tasks each task gets a fresh worktree; '${worktreeArgs[0]}' cannot be given too (the prompt argument, if any, is a wrapper with {{.Instructions}}).`);
  }
  const sources = [worktreeArgs.length > 0, options.all === true, newCount > 0, tasks !== null].filter(Boolean).length;
  if (sources === 0) {
    throw new UserError('Say where to run: pass worktree paths, --all for every linked worktree of this repository, or --new N for N fresh worktrees.');
  }
  if (sources > 1) throw new UserError('Pass worktree paths, --all, --new N or --tasks FILE — one of them, not several.');
  if (options.branch !== undefined && newCount === 0 && tasks === null) throw new UserError('-b names the base of new worktrees; use it with --new N or --tasks.');

  const runId = newRunId(now);
  let chosen: ChosenWorktree[] = [];
  let creation: RunPlan['creation'] = null;
  let newTargets: { job: string; path: string; branch: string }[] = [];
  let creationRepo: RepositoryFacts | undefined;
  if (worktreeArgs.length > 0) {
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
  } else if (options.all) {
    chosen = await allLinkedWorktrees(git, ctx);
  } else {
    const ids = tasks ? tasks.map((task) => task.id) : Array.from({ length: newCount }, (_, index) => `t${index + 1}`);
    const creationPlan = await planWorktrees({
      git,
      runner: { run: () => Promise.reject(new Error('unused')) },
      repoDir: ctx.cwd,
      runId,
      jobs: ids,
      ...(options.branch === undefined ? {} : { base: options.branch }),
      dataDir: ctx.paths.dataDir,
      branchPattern: config.worktrees.branch_pattern,
      setup: config.worktrees.setup,
    });
    creationRepo = creationPlan.repository;
    newTargets = creationPlan.targets;
    creation = { repo_dir: creationPlan.repository.worktree, base: options.branch ?? null, data_dir: ctx.paths.dataDir, branch_pattern: config.worktrees.branch_pattern, setup: config.worktrees.setup };
  }
  if (problems.length > 0) throw new UserError(problems.join(' '));

  const existingIds = uniqueJobIds(chosen.map((worktree) => basename(worktree.path)));
  const jobSpecs = chosen.length > 0
    ? chosen.map((worktree, index) => ({ id: existingIds[index] as string, worktree: worktree.path, branch: worktree.branch, created: false, repo: worktree.repo }))
    : newTargets.map((target) => ({ id: target.job, worktree: null as string | null, branch: target.branch, created: true, repo: creationRepo as RepositoryFacts, path: target.path }));

  const prompts = new Map<string, string>();
  const taskById = new Map((tasks ?? []).map((task) => [task.id, task]));
  for (const spec of jobSpecs) {
    const path = spec.worktree ?? ('path' in spec ? spec.path : '');
    const task = taskById.get(spec.id);
    const wrapper = resolved.prompt;
    try {
      const builtIns = {
        ProjectName: spec.repo.name,
        TaskName: resolved.source.source === 'library' && !task ? (wrapper?.meta.name ?? spec.id) : spec.id,
        Description: wrapper?.meta.description ?? '',
        BranchName: spec.branch ?? branchFor(config.worktrees.branch_pattern, { run: runId, job: spec.id }),
        WorktreePath: path,
      };
      const taskVars = task
        ? { Instructions: task.prompt, TaskName: task.id, ...(task.description === null ? {} : { Description: task.description }), ...(task.expected_outcome === null ? {} : { ExpectedOutcome: task.expected_outcome }) }
        : undefined;
      const text =
        wrapper === null
          ? (task?.prompt ?? '')
          : wrapper.meta.template || !task
            ? renderPrompt(wrapper, { builtIns, ...(taskVars ? { task: taskVars } : {}), cli: cliVars })
            : `${wrapper.body.replace(/\s*$/, '')}\n\n${task.prompt}\n`;
      if (Buffer.byteLength(text) > MAX_PROMPT_BYTES) {
        problems.push(`The prompt for job ${spec.id} is ${(Buffer.byteLength(text) / 1048576).toFixed(1)} MB; prompts may be at most 10 MB.`);
      } else if (text.trim() === '') {
        problems.push(`The prompt for job ${spec.id} is empty.`);
      } else prompts.set(spec.id, text);
    } catch (error) {
      if (error instanceof UserError) problems.push(`Job ${spec.id}: ${error.message}`);
      else throw error;
    }
  }
  if (problems.length > 0) throw new UserError([...new Set(problems)].join(' '));

  const model = options.model ?? (typeof meta?.extra.model === 'string' ? meta.extra.model : null) ?? config.claude.model;
  if (agent.kind === 'claude') {
    const allowed = meta?.extra.allowed_tools;
    if (Array.isArray(allowed)) agent.allowed_tools.push(...allowed.filter((tool): tool is string => typeof tool === 'string'));
    if (typeof meta?.extra.max_turns === 'number') agent.default_args.push('--max-turns', String(meta.extra.max_turns));
  }
  const repository = await currentRepository(git, ctx.cwd);
  const plan: RunPlan = {
    id: runId,
    started_at: now.toISOString(),
    repository: repository ?? creationRepo?.repo ?? chosen[0]?.repo.repo ?? null,
    cwd: ctx.cwd,
    prompt: resolved.source,
    variables: cliVars,
    agent,
    options: { jobs, timeout_ms: timeoutMs, idle_timeout_ms: idleMs, model, permission_mode: agent.kind === 'claude' ? permissionMode : null, commit_results: config.worktrees.commit_results, retries, fail_fast: options.failFast === true, budget_usd: budget, output_dir: config.defaults.output_dir, plan: options.plan === true, auto_approve: options.plan === true && options.yes === true, term: term ? { command: config.terminal.command, use_ghostty: config.terminal.use_ghostty, wait_after_command: config.terminal.wait_after_command } : null },
    jobs: jobSpecs.map((spec) => ({ id: spec.id, worktree: spec.worktree, branch: spec.branch, created: spec.created, prompt_file: '' })),
    creation,
    supervisor_pid: null,
  };
  const { adapterFor } = await import('../agents/adapter-for.js');
  const adapter = adapterFor(agent, ctx.env as NodeJS.ProcessEnv);
  const argvFor = (prompt: string): string[] =>
    adapter.invocation({ prompt, cwd: ctx.cwd, sessionId: '<a new session id per attempt>', model, permissionMode: plan.options.permission_mode }).argv;
  return { plan, prompts, argvFor };
}
