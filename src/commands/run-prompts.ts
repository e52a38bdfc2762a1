import { UserError } from '../core/errors.js';
import { branchFor } from '../core/ids.js';
import { AGENT_INSTALL, BUILTIN_AGENTS, type AgentChoice, type RunPlan } from '../core/run-plan.js';
import type { Task } from '../core/tasks.js';
import type { RepositoryFacts } from '../git/repository.js';
import { findExecutable } from '../os/which.js';
import type { Prompt } from '../prompts/prompt.js';
import { renderPrompt } from '../prompts/render.js';
import { MAX_PROMPT_BYTES } from '../prompts/prompt.js';
import type { CommandContext } from './context.js';
import type { RunOptions } from './run-setup.js';
import { PERMISSION_MODES, type ParConfig } from '../config/settings.js';

/** The prompt a run was given, and where from. */
export interface ResolvedPrompt {
  prompt: Prompt | null;
  source: RunPlan['prompt'];
  worktreeArgs: string[];
}

/** Where a prompt other than `-m` comes from (prompt-files.ts): the library, or a prompt file. */
export interface PromptFiles {
  fromLibrary(name: string): Prompt;
  fromFile(path: string): Prompt;
}

/** The prompt: a library name, `-m`, or `--prompt-file`; positional arguments left over are worktrees. `files` may be null only with `-m`. */
export function resolvePrompt(files: PromptFiles | null, positional: string[], options: RunOptions): ResolvedPrompt {
  if (options.message !== undefined && options.promptFile !== undefined) {
    throw new UserError('Pass either -m TEXT or --prompt-file FILE, not both.');
  }
  if (options.message !== undefined) {
    const prompt: Prompt = { meta: { name: 'message', description: '', template: false, variables: {}, extra: {} }, body: options.message, bodyLine: 1, path: '-m', text: options.message };
    return { prompt, source: { source: 'message', name: null }, worktreeArgs: positional };
  }
  if (options.promptFile !== undefined) {
    return { prompt: (files as PromptFiles).fromFile(options.promptFile), source: { source: 'file', name: options.promptFile }, worktreeArgs: positional };
  }
  const [name, ...rest] = positional;
  if (name === undefined && options.tasks !== undefined) return { prompt: null, source: { source: 'tasks', name: null }, worktreeArgs: [] };
  if (name === undefined) {
    throw new UserError("Name a prompt from the library ('par list prompts'), or pass -m TEXT or --prompt-file FILE.");
  }
  return { prompt: (files as PromptFiles).fromLibrary(name), source: { source: 'library', name }, worktreeArgs: rest };
}

const isBuiltinAgent = (name: string): name is (typeof BUILTIN_AGENTS)[number] => (BUILTIN_AGENTS as readonly string[]).includes(name);

/** The agent a run uses: claude, codex, gemini, or one configured under `agents:`, its binary found; `model` is `--model` for an agent other than claude. */
export function agentChoice(config: ParConfig, name: string, ctx: CommandContext, model: string | null = null): AgentChoice {
  if (name === 'claude') {
    const binary = config.claude.binary_path;
    if (!findExecutable(binary, ctx.env, ctx.cwd)) {
      throw new UserError(`The agent binary '${binary}' was not found${binary.includes('/') ? '' : ' on PATH'}; install Claude Code or set claude.binary_path (par config set claude.binary_path /path/to/claude).`);
    }
    return { kind: 'claude', name: 'claude', binary, default_args: [...config.claude.default_args], allowed_tools: [...config.claude.allowed_tools], disallowed_tools: [...config.claude.disallowed_tools], channel: config.claude.channel };
  }
  if (isBuiltinAgent(name)) {
    const override = config.agents[name];
    const binary = override?.binary || name;
    if (!findExecutable(binary, ctx.env, ctx.cwd)) {
      throw new UserError(`The agent binary '${binary}' was not found${binary.includes('/') ? '' : ' on PATH'}; ${AGENT_INSTALL[name].replace('Install', 'install')} or set agents.${name}.binary.`);
    }
    const args = [...(override?.args ?? [])];
    return name === 'codex' ? { kind: 'codex', name, binary, args, model } : { kind: 'gemini', name, binary, args, model };
  }
  const configured = config.agents[name];
  if (!configured) {
    const names = ['claude', ...BUILTIN_AGENTS, ...Object.keys(config.agents).filter((other) => !isBuiltinAgent(other))];
    throw new UserError(`There is no agent '${name}'; use one of ${names.join(', ')}, or configure it: par config set agents.${name} '{binary: …}'.`);
  }
  if (!findExecutable(configured.binary, ctx.env, ctx.cwd)) {
    throw new UserError(`The agent binary '${configured.binary}' was not found; install it or set agents.${name}.binary.`);
  }
  return { kind: 'configured', name, config: configured };
}

export /** The permission mode a run passes to claude: `--permission-mode`, else the prompt's front matter, else the config; checked like `par config set` checks it. */
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

/** One job as the prompts are rendered for it. */
export interface JobTarget {
  id: string;
  worktree: string | null;
  branch: string | null;
  repo: RepositoryFacts;
  /** Where a new worktree will be made. */
  path?: string;
  /** Best-of-N: the target this job is an attempt at (a task's id for --tasks), and which attempt. */
  target?: string;
  variant?: number;
  /** With several agents: whose attempt it is. */
  agent?: string;
}

/**
 * Each job's prompt text: the library prompt or template rendered with its
 * built-ins, the task's fields and `--var`s, or a task's text alone. Every
 * problem (a template error, an empty or over-long prompt) is collected.
 */
export function renderJobPrompts(options: { jobs: readonly JobTarget[]; resolved: ResolvedPrompt; tasks: readonly Task[] | null; cliVars: Record<string, string>; runId: string; branchPattern: string; problems: string[] }): Map<string, string> {
  const { resolved, cliVars, runId, problems } = options;
  const prompts = new Map<string, string>();
  const taskById = new Map((options.tasks ?? []).map((task) => [task.id, task]));
  const wrapper = resolved.prompt;
  for (const spec of options.jobs) {
    const task = taskById.get(spec.target ?? spec.id);
    try {
      const builtIns = {
        ProjectName: spec.repo.name,
        TaskName: resolved.source.source === 'library' && !task ? (wrapper?.meta.name ?? spec.id) : spec.id,
        Description: wrapper?.meta.description ?? '',
        BranchName: spec.branch ?? branchFor(options.branchPattern, { run: runId, job: spec.id }),
        WorktreePath: spec.worktree ?? spec.path ?? '',
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
  return prompts;
}
