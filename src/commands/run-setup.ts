import { basename } from 'node:path';
import { currentRepository, type RepositoryFacts } from '../git/repository.js';
import { parseDuration } from '../core/duration.js';
import { UserError } from '../core/errors.js';
import { newRunId, uniqueJobIds } from '../core/ids.js';
import type { AgentChoice, RunPlan, TalkOptions } from '../core/run-plan.js';
import { parseVarAssignments } from '../core/variables.js';
import type { Git } from '../git/git.js';
import type { CommandContext } from './context.js';
import { agentChoice, chosenPermissionMode, renderJobPrompts, resolvePrompt, type JobTarget, type ResolvedPrompt } from './run-prompts.js';
import { chooseTargets, readTasks, type RunTargets } from './run-targets.js';
import type { ParConfig } from '../config/settings.js';
import { LOCAL, type ExecutorPlace } from '../core/executor-config.js';
import { closestMatches } from '../core/suggest.js';
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
  on?: string;
  permissionMode?: string;
  model?: string;
  dryRun?: boolean;
  retries?: string;
  terminalOutput?: boolean;
  tasks?: string;
  variants?: string;
  failFast?: boolean;
  budget?: string;
  detach?: boolean;
  plan?: boolean;
  yes?: boolean;
  term?: boolean;
  onAsk?: string;
  onLimit?: string;
  json?: boolean;
  noTui?: boolean;
  tui?: boolean;
}

/** A validated run, ready to write and start. */
export interface PreparedRun {
  plan: RunPlan;
  /** Rendered prompt per job id. */
  prompts: Map<string, string>;
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

function choice<T extends string>(flag: string, text: string | undefined, choices: readonly T[]): T {
  const value = text ?? choices[0];
  if (!choices.includes(value as T)) throw new UserError(`${flag} takes ${choices.join(' or ')}, not '${value ?? ''}'.`);
  return value as T;
}

/** How the run talks with its agents (DESIGN §14): the policy as configured now, and the waits. */
function talkOptions(ctx: CommandContext, config: ParConfig, options: RunOptions): TalkOptions {
  const { permissions } = config;
  const inputTimeout = config.defaults.input_timeout;
  return {
    permissions: { preset: permissions.preset as 'safe' | 'none', allow: [...permissions.allow], ask: [...permissions.ask], deny: [...permissions.deny], default: permissions.default as 'ask' | 'allow' | 'deny' },
    on_ask: choice('--on-ask', options.onAsk, ['wait', 'deny'] as const),
    on_limit: choice('--on-limit', options.onLimit, ['wait', 'stop'] as const),
    input_timeout_ms: String(inputTimeout) === '0' ? 0 : (parseDuration(String(inputTimeout)) ?? 0),
    max_agents: config.defaults.max_agents,
    home: ctx.env.HOME ?? '/',
    classifier: permissions.classifier ? { binary: config.claude.binary_path, model: permissions.classifier.model } : null,
  };
}

/** What the options say, checked: every problem with them and the prompt and agent they name, listed at once. */
async function checkOptions(ctx: CommandContext, config: ParConfig, promptsDir: string, positional: string[], options: RunOptions) {
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
  const places = options.on === undefined ? null : (attempt(() => executorPlaces(config, options.on as string)) ?? null);
  // With --on, -j caps the total; by default the sum of the executors' caps.
  const jobs = attempt(() => wholeNumber('-j', options.jobs, places ? places.reduce((sum, place) => sum + place.jobs, 0) : config.defaults.jobs, 1)) ?? 1;
  const timeoutMs = attempt(() => duration('-t', options.timeout, config.defaults.timeout)) ?? 0;
  const idleMs = attempt(() => duration('--idle-timeout', options.idleTimeout, config.defaults.idle_timeout)) ?? 0;
  const retries = attempt(() => wholeNumber('--retries', options.retries, config.defaults.retries, 0)) ?? 0;
  const budget = options.budget === undefined ? null : (attempt(() => usd(options.budget as string)) ?? null);
  const newCount = options.new === undefined ? 0 : (attempt(() => wholeNumber('--new', options.new, 0, 1)) ?? 0);
  const parsedVars = parseVarAssignments(options.var ?? []);
  if ('bad' in parsedVars) problems.push(`--var takes NAME=VALUE with a name of letters, digits or _, not '${parsedVars.bad}'.`);
  const cliVars = 'vars' in parsedVars ? parsedVars.vars : {};
  const files = options.message === undefined ? (await import('./prompt-files.js')).promptFiles(promptsDir) : null;
  const resolved = attempt(() => resolvePrompt(files, positional, options));
  const meta = resolved?.prompt?.meta;
  const explicitModel = options.model ?? (typeof meta?.extra.model === 'string' ? meta.extra.model : null);
  const agents = attempt(() => agentChoices(config, options.agent ?? (typeof meta?.extra.agent === 'string' ? meta.extra.agent : 'claude'), ctx, explicitModel));
  const term = options.term ?? config.terminal.new_window_per_job;
  if (term) {
    // A window per job needs a terminal: found now, or nothing starts.
    const { launchFor } = await import('../terminal/open-window.js');
    attempt(() => launchFor({ dir: ctx.cwd, title: 'par', argv: ['true'], waitAfterCommand: false }, config.terminal, ctx.env as NodeJS.ProcessEnv));
  }
  const permissionMode = attempt(() => chosenPermissionMode(options.permissionMode, resolved?.prompt ?? null, config.claude.permission_mode)) ?? null;
  const planless = agents?.find((agent) => agent.kind !== 'claude');
  if (options.plan && planless) problems.push(`--plan uses claude's plan mode; the agent '${planless.name}' cannot plan, so run it without --plan.`);
  const talk = attempt(() => talkOptions(ctx, config, options));
  if (problems.length > 0) throw new UserError(problems.join(' '));
  if (!resolved || !agents) throw new UserError('Nothing to run.');
  if (!talk) throw new UserError(problems.join(' '));
  return { jobs, timeoutMs, idleMs, retries, budget, newCount, cliVars, resolved, agents, term, permissionMode, talk, places };
}

/** `--on local,box` (or `all`): the executors named, in that order, each with its cap; `local`'s is defaults.jobs. */
function executorPlaces(config: ParConfig, option: string): ExecutorPlace[] {
  const configured = Object.keys(config.executors);
  const names = option.trim() === 'all' ? [LOCAL, ...configured] : option.split(',').map((name) => name.trim());
  if (names.some((name) => name === '')) throw new UserError(`--on '${option}' has an empty name; give executors separated by commas, like local,box1.`);
  const twice = names.find((name, index) => names.indexOf(name) !== index);
  if (twice !== undefined) throw new UserError(`--on names '${twice}' twice; name each executor once (its jobs: sets how many run there).`);
  return names.map((name) => {
    if (name === LOCAL) return { name, jobs: config.defaults.jobs, config: null };
    const entry = config.executors[name];
    if (!entry) {
      const [best] = closestMatches(name, [LOCAL, ...configured], 1);
      throw new UserError(`--on names '${name}', which is not an executor${best ? ` (did you mean ${best}?)` : ''}; add it under executors: in the config (par config path), or use local.`);
    }
    return { name, jobs: entry.jobs, config: entry };
  });
}

/** `--agent claude,codex`: each agent named once, each found; one attempt per agent at every target. */
function agentChoices(config: ParConfig, option: string, ctx: CommandContext, model: string | null): AgentChoice[] {
  const names = option.split(',').map((name) => name.trim());
  if (names.some((name) => name === '')) throw new UserError(`--agent '${option}' has an empty name; give agents separated by commas, like claude,codex.`);
  const twice = names.find((name, index) => names.indexOf(name) !== index);
  if (twice !== undefined) throw new UserError(`--agent names '${twice}' twice; for several attempts by one agent use --variants N.`);
  // A model name is one agent's: --model goes to codex or gemini only when it runs alone (claude's is the run's model).
  return names.map((name) => agentChoice(config, name, ctx, names.length === 1 ? model : null));
}

/** The jobs, one per target: existing worktrees by their directory names, new ones by their planned names. */
function jobTargets(targets: RunTargets): JobTarget[] {
  if (targets.chosen.length > 0) {
    const ids = uniqueJobIds(targets.chosen.map((worktree) => basename(worktree.path)));
    return targets.chosen.map((worktree, index) => ({ id: ids[index] as string, worktree: worktree.path, branch: worktree.branch, repo: worktree.repo }));
  }
  return targets.newTargets.map((target) => ({ id: target.job, worktree: null, branch: target.branch, repo: targets.creationRepo as RepositoryFacts, path: target.path, ...targets.variants.get(target.job) }));
}

/** The agent as the prompt's front matter adds to it: tools it may use, a turn limit. */
function withFrontMatter(agent: AgentChoice, resolved: ResolvedPrompt): AgentChoice {
  const meta = resolved.prompt?.meta;
  if (agent.kind !== 'claude' || !meta) return agent;
  const allowed = meta.extra.allowed_tools;
  return {
    ...agent,
    allowed_tools: [...agent.allowed_tools, ...(Array.isArray(allowed) ? allowed.filter((tool): tool is string => typeof tool === 'string') : [])],
    default_args: [...agent.default_args, ...(typeof meta.extra.max_turns === 'number' ? ['--max-turns', String(meta.extra.max_turns)] : [])],
  };
}

/**
 * Resolves and validates everything before anything starts (DESIGN §4
 * steps 1–2): one UserError listing every problem, nothing written.
 */
export async function prepareRun(ctx: CommandContext, git: Git, positional: string[], options: RunOptions, when: { now: Date; runId?: string }): Promise<PreparedRun> {
  const { now } = when;
  // Asked while the configuration loads and the targets are checked: it waits on nothing of theirs.
  const repository = currentRepository(() => Promise.resolve(git), ctx.cwd);
  const { config, promptsDir } = await ctx.config();
  const checked = await checkOptions(ctx, config, promptsDir, positional, options);
  const { resolved, term } = checked;
  const tasks = options.tasks === undefined ? null : await readTasks(ctx, options.tasks);
  const runId = when.runId ?? newRunId(now);
  const problems: string[] = [];
  const variants = wholeNumber('--variants', options.variants, 1, 1);
  if (variants > 20) throw new UserError(`--variants takes at most 20 attempts per target, not ${variants}.`);
  const agentNames = checked.agents.length > 1 ? checked.agents.map((agent) => agent.name) : [];
  const targets = await chooseTargets(ctx, git, { worktreeArgs: resolved.worktreeArgs, options, newCount: checked.newCount, tasks, runId, config, problems, attempts: { variants, agents: agentNames } });
  if (problems.length > 0) throw new UserError(problems.join(' '));
  const jobs = jobTargets(targets);
  const prompts = renderJobPrompts({ jobs, resolved, tasks, cliVars: checked.cliVars, runId, branchPattern: config.worktrees.branch_pattern, problems });
  if (problems.length > 0) throw new UserError([...new Set(problems)].join(' '));

  const meta = resolved.prompt?.meta;
  const model = options.model ?? (typeof meta?.extra.model === 'string' ? meta.extra.model : null) ?? config.claude.model;
  const agents = checked.agents.map((choice) => withFrontMatter(choice, resolved));
  const agent = agents[0] as AgentChoice;
  const permissionMode = agents.some((choice) => choice.kind === 'claude') ? checked.permissionMode : null;
  const plan: RunPlan = {
    id: runId,
    started_at: now.toISOString(),
    repository: (await repository) ?? targets.creationRepo?.repo ?? targets.chosen[0]?.repo.repo ?? null,
    cwd: ctx.cwd,
    prompt: resolved.source,
    variables: checked.cliVars,
    agent,
    ...(agents.length > 1 ? { agents } : {}),
    options: {
      jobs: checked.jobs,
      timeout_ms: checked.timeoutMs,
      idle_timeout_ms: checked.idleMs,
      model,
      permission_mode: permissionMode,
      commit_results: config.worktrees.commit_results,
      retries: checked.retries,
      fail_fast: options.failFast === true,
      budget_usd: checked.budget,
      output_dir: config.defaults.output_dir,
      plan: options.plan === true,
      auto_approve: options.plan === true && options.yes === true,
      term: term ? { command: config.terminal.command, use_ghostty: config.terminal.use_ghostty, wait_after_command: config.terminal.wait_after_command } : null,
      talk: checked.talk,
      nice: config.defaults.nice,
      ...(checked.places ? { executors: checked.places, remote_setup: config.worktrees.setup } : {}),
    },
    jobs: jobs.map((spec) => ({ id: spec.id, worktree: spec.worktree, branch: spec.branch, created: spec.worktree === null, prompt_file: '', ...(spec.target === undefined ? {} : { target: spec.target, variant: spec.variant }), ...(spec.agent === undefined ? {} : { agent: spec.agent }) })),
    creation: targets.creation,
    supervisor_pid: null,
  };
  const claude = agents.find((choice) => choice.kind === 'claude');
  if (claude?.kind === 'claude' && claude.channel && (permissionMode === 'bypassPermissions' || claude.default_args.includes('--dangerously-skip-permissions'))) {
    ctx.stderr.write('par: the permission policy is off for this run: the permission mode bypasses permissions, so the agent is never asked and par never decides.\n');
  }
  return { plan, prompts };
}
