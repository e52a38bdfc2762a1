// The settings table: every configuration key once — its kind (how it is
// parsed and checked), its default and a line of documentation. The config's
// type, its defaults, validation, `par config list` and the README's table are
// all derived from it. A new setting is one row here.
import type { AgentConfig } from '../core/run-plan.js';
import type { ContainerExecutorConfig, ExecutorConfig, SshExecutorConfig } from '../core/executor-config.js';
import { parseRule } from '../permissions/rules.js';

/** The kind of value a key holds: how `config set` parses it and how it is checked. */
export type ValueKind =
  | { kind: 'int'; min: number; max?: number; nullable?: boolean }
  | { kind: 'duration'; zero?: boolean }
  | { kind: 'bool' }
  | { kind: 'enum'; values: readonly string[] }
  | { kind: 'string'; check?: (value: string) => string | undefined }
  | { kind: 'nullable-string' }
  | { kind: 'string-list'; checkItem?: (value: string) => string | undefined }
  | { kind: 'argv'; nullable: boolean; check?: (value: string[]) => string | undefined }
  | { kind: 'argv-list' }
  | { kind: 'classifier' };

/** The TypeScript type of a value of each kind. */
type ValueOf<K extends ValueKind> = K extends { kind: 'int'; nullable: true }
  ? number | null
  : K extends { kind: 'int' }
  ? number
  : K extends { kind: 'bool' }
    ? boolean
    : K extends { kind: 'nullable-string' }
      ? string | null
      : K extends { kind: 'string-list' }
        ? string[]
        : K extends { kind: 'argv' }
          ? string[] | null
          : K extends { kind: 'argv-list' }
            ? string[][]
            : K extends { kind: 'classifier' }
              ? { agent: string; model: string } | null
              : string;

/** One setting: its kind, its default, and what it is for. */
export interface Setting<K extends ValueKind = ValueKind> {
  kind: K;
  fallback: ValueOf<K>;
  doc: string;
}

/** Why a permission rule is malformed, or undefined. */
function ruleProblem(text: string): string | undefined {
  const rule = parseRule(text);
  return typeof rule === 'string' ? rule : undefined;
}

export const setting = <const K extends ValueKind>(kind: K, fallback: ValueOf<K>, doc: string): Setting<K> => ({ kind, fallback, doc });

/** claude's permission modes (DESIGN §3). */
export const PERMISSION_MODES = ['default', 'acceptEdits', 'plan', 'auto', 'dontAsk', 'bypassPermissions', 'manual'];

/** Every leaf key of DESIGN §8 but `agents`, in the order `par config list` and the README show them. */
export const SETTINGS = {
  'defaults.jobs': setting({ kind: 'int', min: 1 }, 3, 'jobs at once (a whole number ≥ 1)'),
  'defaults.timeout': setting({ kind: 'duration' }, '60m', 'per-job limit: `90s`, `30m`, `2h`, `1h30m`'),
  'defaults.idle_timeout': setting({ kind: 'duration' }, '15m', 'a job silent this long is stopped'),
  'defaults.retries': setting({ kind: 'int', min: 0 }, 2, 'retries of a job that failed for a retryable cause'),
  'defaults.output_dir': setting({ kind: 'nullable-string' }, null, "when set, each run's reports are copied there"),
  'defaults.keep_days': setting({ kind: 'int', min: 0 }, 7, '`par clean` removes runs older than this'),
  'defaults.input_timeout': setting({ kind: 'duration', zero: true }, '30m', 'a request nobody answers this long is denied (a question: "decide yourself"); `0` waits forever'),
  'defaults.nice': setting({ kind: 'int', min: 0, max: 19 }, 10, "how far below your own programs the agents' CPU priority is (`nice`, 0–19), so a machine busy with agents keeps its terminal responsive; `0`: the same"),
  'defaults.max_agents': setting({ kind: 'int', min: 1, nullable: true }, null, 'live agents at once across every run on this machine; `null`: no cap'),
  'claude.binary_path': setting({ kind: 'string' }, 'claude', 'the Claude Code CLI'),
  'claude.default_args': setting({ kind: 'string-list' }, [], 'extra arguments for every claude job'),
  'claude.model': setting({ kind: 'nullable-string' }, null, '`--model` for claude'),
  'claude.permission_mode': setting({ kind: 'enum', values: PERMISSION_MODES }, 'acceptEdits', `one of ${PERMISSION_MODES.map((mode) => `\`${mode}\``).join(', ')}`),
  'claude.allowed_tools': setting({ kind: 'string-list' }, [], '`--allowedTools`'),
  'claude.disallowed_tools': setting({ kind: 'string-list' }, [], '`--disallowedTools`'),
  'claude.channel': setting({ kind: 'bool' }, true, 'the two-way channel (permission requests, messages, interrupts); `false`: one-shot `-p`'),
  'terminal.use_ghostty': setting({ kind: 'bool' }, true, 'open job windows in Ghostty when it is installed'),
  'terminal.wait_after_command': setting({ kind: 'bool' }, true, 'keep a job window open after its command ends'),
  'terminal.new_window_per_job': setting({ kind: 'bool' }, false, 'a window per job as it starts'),
  'terminal.show_real_time_output': setting({ kind: 'bool' }, false, "stream every job's output to the terminal"),
  'terminal.command': setting(
    { kind: 'argv', nullable: true, check: (argv: string[]) => (argv.some((arg) => arg.includes('{cmd}')) ? undefined : 'it must contain {cmd}, where the command goes') },
    null,
    'your own terminal as an argument list with `{dir}`, `{title}` and `{cmd}` (required)',
  ),
  'worktrees.search_paths': setting({ kind: 'string-list' }, [], 'more directories to find repositories in'),
  'worktrees.exclude_patterns': setting({ kind: 'string-list' }, ['*/node_modules', '*/.git', '*/target'], 'directories never entered (`*` matches `/` too)'),
  'worktrees.max_depth': setting({ kind: 'int', min: 0 }, 4, 'how deep a search path is scanned'),
  'worktrees.branch_pattern': setting(
    {
      kind: 'string',
      check: (value: string) => (value.includes('{run}') && value.includes('{job}') ? undefined : 'it must contain both {run} and {job}, so every job gets its own branch'),
    },
    'par/{run}/{job}',
    'branches of new worktrees; needs `{run}` and `{job}`',
  ),
  'worktrees.commit_results': setting({ kind: 'bool' }, true, "commit a job's changes to its branch when it ends"),
  'worktrees.setup': setting({ kind: 'argv-list' }, [], 'commands (argument lists) run in each new worktree first, e.g. `[["npm", "ci"]]`'),
  'prompts.storage_dir': setting({ kind: 'nullable-string' }, null, 'the prompt library; `null` is `$XDG_DATA_HOME/par/prompts`'),
  'permissions.preset': setting({ kind: 'enum', values: ['safe', 'none'] }, 'safe', 'the rules under yours: `safe` (see Permissions) or `none`'),
  'permissions.allow': setting({ kind: 'string-list', checkItem: ruleProblem }, [], 'rules in Claude Code syntax, such as `Bash(npm test:*)`, `Edit(src/**)`'),
  'permissions.ask': setting({ kind: 'string-list', checkItem: ruleProblem }, [], 'rules always put to a person'),
  'permissions.deny': setting({ kind: 'string-list', checkItem: ruleProblem }, [], 'rules always refused (also handed to claude as `--disallowedTools`)'),
  'permissions.classifier': setting({ kind: 'classifier' }, null, 'a small model asked about requests no rule decides, such as `{agent: claude, model: haiku}`; errors and slow answers go to a person'),
  'permissions.default': setting({ kind: 'enum', values: ['ask', 'allow', 'deny'] }, 'ask', 'what nothing above decides gets'),
  'land.check': setting({ kind: 'argv', nullable: true }, null, 'a command (argument list) run on each landing before the target moves, such as `["npm", "test"]`; `par land --check` overrides it'),
  'web.port': setting({ kind: 'int', min: 0, max: 65535 }, 7420, '`par web`\'s port unless `--port` is given; `0`: any free one'),
  'mcp.allow_answers': setting({ kind: 'bool' }, false, 'may an MCP client (`par mcp`) allow, deny or answer a job\'s pending request (never "always")'),
} as const;

/** The fields of an entry under `agents:` (DESIGN §3 "Other agents"); `binary` has no default: it is required. */
export const AGENT_FIELDS = {
  binary: setting({ kind: 'string' }, '', 'the program to run'),
  args: setting({ kind: 'string-list' }, [], 'its arguments; `{prompt}` marks where the prompt goes with `prompt: arg`'),
  prompt: setting({ kind: 'enum', values: ['stdin', 'arg'] }, 'stdin', 'how it gets the prompt: `stdin` or `arg`'),
  output: setting({ kind: 'enum', values: ['stream-json', 'text'] }, 'text', 'what it prints: `stream-json` or `text`'),
  resume_args: setting({ kind: 'string-list' }, [], 'arguments that continue a session'),
} as const satisfies Record<keyof AgentConfig, Setting>;

/** What `agents` holds, for the README's table. */
export const AGENTS_DOC = `other agents: \`name: {${Object.keys(AGENT_FIELDS).join(', ')}}\` with \`prompt: stdin\\|arg\`, \`output: stream-json\\|text\`; \`codex\` and \`gemini\` are built in and take only \`binary\` and \`args\``;

/** The fields of an entry under `executors:` (DESIGN §18), by type. */
export const SSH_FIELDS = {
  type: setting({ kind: 'enum', values: ['ssh', 'container'] }, 'ssh', '`ssh`'),
  host: setting({ kind: 'string' }, '', '`user@host` or a name from ~/.ssh/config (required)'),
  port: setting({ kind: 'int', min: 1, max: 65535, nullable: true }, null, "the ssh port; null: ssh's own"),
  identity: setting({ kind: 'nullable-string' }, null, 'a private key file; null: ssh\'s own'),
  jobs: setting({ kind: 'int', min: 1 }, 4, 'jobs at once there'),
  dir: setting({ kind: 'string' }, '~/.par-remote', "par's mirror and worktrees there"),
  agent_binary: setting({ kind: 'nullable-string' }, null, "the agent's path there; null: as here"),
  ssh_options: setting({ kind: 'string-list' }, [], 'passed to ssh as given, such as `["-o", "UserKnownHostsFile=…"]`'),
} as const satisfies Record<keyof SshExecutorConfig, Setting>;

export const CONTAINER_FIELDS = {
  type: setting({ kind: 'enum', values: ['ssh', 'container'] }, 'container', '`container`'),
  engine: setting({ kind: 'enum', values: ['podman', 'docker'] }, 'podman', '`podman` or `docker`'),
  image: setting({ kind: 'string' }, '', 'the image each job runs in (required)'),
  jobs: setting({ kind: 'int', min: 1 }, 2, 'jobs at once'),
  agent_binary: setting({ kind: 'nullable-string' }, null, "the agent's path in the image; null: its name here"),
  mounts: setting({ kind: 'string-list' }, [], 'more mounts, as `-v` takes them'),
  env: setting({ kind: 'string-list' }, [], 'environment passed in: `NAME` (its value here) or `NAME=VALUE`'),
} as const satisfies Record<keyof ContainerExecutorConfig, Setting>;

/** The fields an entry of this type takes. */
export function executorFields(type: unknown): Record<string, Setting> | undefined {
  return type === 'ssh' ? SSH_FIELDS : type === 'container' ? CONTAINER_FIELDS : undefined;
}

/** What `executors` holds, for the README's table. */
export const EXECUTORS_DOC = `ssh hosts and container engines jobs may run on (\`par run --on NAME\`): \`name: {type: ssh, ${Object.keys(SSH_FIELDS).filter((field) => field !== 'type').join(', ')}}\` or \`{type: container, ${Object.keys(CONTAINER_FIELDS).filter((field) => field !== 'type').join(', ')}}\``;

/** An entry with its type's defaults filled in. Assumes a valid entry. */
export function executorWithDefaults(entry: Record<string, unknown>): ExecutorConfig {
  const fields = executorFields(entry.type) ?? SSH_FIELDS;
  const defaults = Object.fromEntries(Object.entries(fields).map(([field, { fallback }]) => [field, structuredClone(fallback)]));
  return { ...defaults, ...entry } as unknown as ExecutorConfig;
}

type SettingKey = keyof typeof SETTINGS;
type SectionOf<S extends string> = {
  -readonly [K in SettingKey as K extends `${S}.${infer Rest}` ? Rest : never]: ValueOf<(typeof SETTINGS)[K]['kind']>;
};

/** The whole configuration with every default filled in (DESIGN §8), its shape derived from the table. */
export interface ParConfig {
  defaults: SectionOf<'defaults'>;
  claude: SectionOf<'claude'>;
  agents: Record<string, AgentConfig>;
  executors: Record<string, ExecutorConfig>;
  terminal: SectionOf<'terminal'>;
  worktrees: SectionOf<'worktrees'>;
  prompts: SectionOf<'prompts'>;
  permissions: SectionOf<'permissions'>;
  land: SectionOf<'land'>;
  web: SectionOf<'web'>;
  mcp: SectionOf<'mcp'>;
}

/** The configuration's sections, in order. */
export const CONFIG_SECTIONS: readonly string[] = ['defaults', 'claude', 'agents', 'executors', 'terminal', 'worktrees', 'prompts', 'permissions', 'land', 'web', 'mcp'];

/** Defaults live in code; reading the config never writes them. A fresh copy each time. */
export function defaultConfig(): ParConfig {
  const config: Record<string, Record<string, unknown>> = Object.fromEntries(CONFIG_SECTIONS.map((section) => [section, {}]));
  for (const [key, { fallback }] of Object.entries(SETTINGS)) {
    const [section = '', name = ''] = key.split('.');
    (config[section] as Record<string, unknown>)[name] = structuredClone(fallback);
  }
  return config as unknown as ParConfig;
}

/** An `agents:` entry with its defaults filled in. */
export function agentWithDefaults(entry: Partial<AgentConfig>): AgentConfig {
  const defaults = Object.fromEntries(Object.entries(AGENT_FIELDS).map(([field, { fallback }]) => [field, structuredClone(fallback)]));
  return { ...(defaults as unknown as AgentConfig), ...entry, binary: entry.binary === undefined ? '' : String(entry.binary) };
}

/** The README's configuration table, drawn from the settings (a test fails when the README drifts from it). */
export function settingsTable(): string {
  const rows = Object.entries(SETTINGS).map(([key, { fallback, doc }]) => `| \`${key}\` | \`${JSON.stringify(fallback).replaceAll('","', '", "')}\` | ${doc} |`);
  const agentsAt = rows.findIndex((row) => row.startsWith('| `terminal.'));
  rows.splice(agentsAt, 0, `| \`agents\` | \`{}\` | ${AGENTS_DOC} |`, `| \`executors\` | \`{}\` | ${EXECUTORS_DOC} |`);
  return ['| key | default | meaning |', '| --- | --- | --- |', ...rows].join('\n');
}
