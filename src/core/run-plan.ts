import type { JobSpec } from './events.js';
import type { ExecutorPlace } from './executor-config.js';

/** How a run talks with its agents (DESIGN §14). */
export interface TalkOptions {
  permissions: { preset: 'safe' | 'none'; allow: string[]; ask: string[]; deny: string[]; default: 'ask' | 'allow' | 'deny' };
  /** `--on-ask deny`: undecided requests are denied at once. */
  on_ask: 'wait' | 'deny';
  /** `--on-limit stop`: a usage limit fails the job. */
  on_limit: 'wait' | 'stop';
  /** `defaults.input_timeout`; 0 waits forever. */
  input_timeout_ms: number;
  /** `defaults.max_agents`: live agents across the machine; null: no cap. */
  max_agents: number | null;
  /** `~` of the rules; the agent's home. */
  home: string;
  /** `permissions.classifier`, with the claude that asks it; null: off. */
  classifier?: { binary: string; model: string } | null;
}

/** An agent configured under `agents:` (DESIGN §3): how to start it and read it. */
export interface AgentConfig {
  binary: string;
  args: string[];
  prompt: 'stdin' | 'arg';
  output: 'stream-json' | 'text';
  resume_args: string[];
}

/** The agent a run uses, as the supervisor rebuilds it. */
export type AgentChoice =
  /** `channel`: the two-way channel (DESIGN §14); absent in runs from before it, which ran one-shot. */
  | { kind: 'claude'; name: 'claude'; binary: string; default_args: string[]; allowed_tools: string[]; disallowed_tools: string[]; channel?: boolean }
  /** Built-in agents with their own output and sessions (DESIGN §3): `args` added to par's, `model` theirs alone. */
  | { kind: 'codex'; name: 'codex'; binary: string; args: string[]; model: string | null }
  | { kind: 'gemini'; name: 'gemini'; binary: string; args: string[]; model: string | null }
  | { kind: 'configured'; name: string; config: AgentConfig };

/** The agents par knows without configuration, besides claude. */
export const BUILTIN_AGENTS = ['codex', 'gemini'] as const;

/** How to get each agent par knows, for the messages that say it is missing. */
export const AGENT_INSTALL: Record<'claude' | (typeof BUILTIN_AGENTS)[number], string> = {
  claude: 'Install Claude Code (npm install -g @anthropic-ai/claude-code)',
  codex: 'Install Codex (npm install -g @openai/codex)',
  gemini: 'Install the Gemini CLI (npm install -g @google/gemini-cli)',
};

/** The agent a job of the plan runs: its own when the run has several, else the run's. */
export function agentOf(plan: Pick<RunPlan, 'agent' | 'agents' | 'jobs'>, jobId: string): AgentChoice {
  const name = plan.agents ? plan.jobs.find((job) => job.id === jobId)?.agent : undefined;
  return (name === undefined ? undefined : plan.agents?.find((agent) => agent.name === name)) ?? plan.agent;
}

/** New worktrees the supervisor creates (`--new`, `--tasks`). */
export interface CreationSpec {
  repo_dir: string;
  base: string | null;
  /** Best-of-N of existing worktrees: each variant starts from its target worktree's HEAD (a ref name and its commit), by job. */
  bases?: Record<string, { name: string; commit: string }>;
  data_dir: string;
  branch_pattern: string;
  setup: string[][];
}

/** `run.json`: what was asked (DESIGN §9), never the environment. */
export interface RunPlan {
  id: string;
  started_at: string;
  /** The main worktree of the repository par ran in, or null. */
  repository: string | null;
  cwd: string;
  prompt: { source: 'library' | 'message' | 'file' | 'tasks'; name: string | null };
  variables: Record<string, string>;
  agent: AgentChoice;
  /** `--agent claude,codex`: every agent of the run, the first being `agent`; each job names its own. Absent: one agent. */
  agents?: AgentChoice[];
  options: {
    jobs: number;
    timeout_ms: number;
    idle_timeout_ms: number;
    model: string | null;
    permission_mode: string | null;
    commit_results: boolean;
    retries: number;
    fail_fast: boolean;
    budget_usd: number | null;
    /** `defaults.output_dir`: where copies of the reports go. */
    output_dir: string | null;
    /** `--plan`: plan first, execute once approved; absent in runs from before it existed. */
    plan?: boolean;
    /** `--yes` with `--plan`: every plan approved as it comes. */
    auto_approve?: boolean;
    /** `--term`: the terminal settings to open a following window per job with; absent or null: none. */
    term?: { command: string[] | null; use_ghostty: boolean; wait_after_command: boolean } | null;
    /** The policy and the waits of the two-way channel; absent in runs from before it. */
    talk?: TalkOptions;
    /** `--on`: the executors jobs are placed on, in order, each with its cap (DESIGN §18); absent: all here. */
    executors?: ExecutorPlace[];
    /** `worktrees.setup`, run in each job's worktree made on another machine. */
    remote_setup?: string[][];
    /** `defaults.nice`: the agents' CPU priority below par's; absent in runs from before it (the same priority). */
    nice?: number;
  };
  jobs: (JobSpec & { prompt_file: string })[];
  creation: CreationSpec | null;
  supervisor_pid: number | null;
}

