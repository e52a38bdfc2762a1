import { accessSync, constants, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { isUserError } from '../core/errors.js';
import type { CommandRunner } from '../os/command-runner.js';
import { findExecutable } from '../os/which.js';
import type { CommandContext } from './context.js';
import { AGENT_INSTALL } from '../core/run-plan.js';

/** One line of `par doctor`. */
export interface Check {
  name: string;
  status: 'ok' | 'warn' | 'fail';
  detail: string;
  /** What to do, when it is not ok. */
  fix: string | null;
}

const MARK = { ok: '✓', warn: '⚠', fail: '✗' } as const;
/** A version check must answer quickly; an agent that hangs on --version is reported, not waited for. */
const VERSION_TIMEOUT_MS = 10_000;

const ok = (name: string, detail: string): Check => ({ name, status: 'ok', detail, fix: null });
const warn = (name: string, detail: string, fix: string): Check => ({ name, status: 'warn', detail, fix });
const fail = (name: string, detail: string, fix: string): Check => ({ name, status: 'fail', detail, fix });

function nodeCheck(): Check {
  const major = Number(process.versions.node.split('.')[0]);
  return major >= 20 ? ok('node', `Node.js ${process.versions.node}`) : fail('node', `Node.js ${process.versions.node}`, 'par needs Node.js 20 or newer.');
}

async function gitCheck(ctx: CommandContext): Promise<Check> {
  try {
    const version = (await (await ctx.git()).run(ctx.cwd, ['--version'])).trim().replace(/^git version /, '');
    const [major = 0, minor = 0] = version.split('.').map(Number);
    // Worktree porcelain with -z and `worktree add --no-checkout` need git 2.36 or so; older ones lack pieces par uses.
    return major > 2 || (major === 2 && minor >= 36) ? ok('git', `git ${version}`) : warn('git', `git ${version}`, 'Update git to 2.36 or newer; some worktree listings may not parse.');
  } catch {
    return fail('git', 'git was not found', 'Install git (par runs it for every worktree).');
  }
}

/** Whether claude has credentials, told without a request: the variables and files it reads them from. */
function claudeCredentials(env: Readonly<Record<string, string | undefined>>, home: string): Check {
  const name = 'claude credentials';
  for (const variable of ['ANTHROPIC_API_KEY', 'ANTHROPIC_AUTH_TOKEN', 'CLAUDE_CODE_OAUTH_TOKEN']) {
    if (env[variable]) return ok(name, `${variable} is set`);
  }
  if (env.CLAUDE_CODE_USE_BEDROCK || env.CLAUDE_CODE_USE_VERTEX) return ok(name, 'a cloud provider is configured (Bedrock or Vertex)');
  const configDir = env.CLAUDE_CONFIG_DIR || join(home, '.claude');
  if (existsSync(join(configDir, '.credentials.json'))) return ok(name, `logged in (${join(configDir, '.credentials.json')})`);
  try {
    const settings = JSON.parse(readFileSync(join(configDir, 'settings.json'), 'utf8')) as { apiKeyHelper?: unknown };
    if (typeof settings.apiKeyHelper === 'string') return ok(name, 'an apiKeyHelper is configured');
  } catch {
    // No settings file: nothing configured there.
  }
  if (process.platform === 'darwin') return warn(name, 'cannot tell: on macOS a login is kept in the Keychain', 'If jobs fail with "Not logged in", run claude once and /login.');
  return fail(name, 'no API key and no login found', 'Run claude once and /login, or set ANTHROPIC_API_KEY.');
}

/** Whether codex has credentials: an API key in its variables, or a login in its home. */
function codexCredentials(env: Readonly<Record<string, string | undefined>>, home: string): Check {
  const name = 'codex credentials';
  for (const variable of ['OPENAI_API_KEY', 'CODEX_API_KEY']) if (env[variable]) return ok(name, `${variable} is set`);
  const auth = join(env.CODEX_HOME || join(home, '.codex'), 'auth.json');
  if (existsSync(auth)) return ok(name, `logged in (${auth})`);
  return warn(name, 'no API key and no login found', 'Run codex login, or set OPENAI_API_KEY, before running jobs with --agent codex.');
}

/** Whether gemini has credentials: an API key, a cloud project, or a login in its home. */
function geminiCredentials(env: Readonly<Record<string, string | undefined>>, home: string): Check {
  const name = 'gemini credentials';
  for (const variable of ['GEMINI_API_KEY', 'GOOGLE_API_KEY']) if (env[variable]) return ok(name, `${variable} is set`);
  if (env.GOOGLE_GENAI_USE_VERTEXAI && env.GOOGLE_CLOUD_PROJECT) return ok(name, 'Vertex AI is configured (GOOGLE_CLOUD_PROJECT)');
  const login = join(home, '.gemini', 'oauth_creds.json');
  if (existsSync(login)) return ok(name, `logged in (${login})`);
  return warn(name, 'no API key and no login found', 'Run gemini once to log in, or set GEMINI_API_KEY, before running jobs with --agent gemini.');
}

/** An agent par may run: where its binary is found, what it is called in the config, whether par needs it. */
interface AgentToCheck {
  name: string;
  binary: string;
  key: string;
  install: string;
  /** claude and the agents configured are wanted; codex and gemini are optional until used. */
  needed: boolean;
  credentials?: (env: Readonly<Record<string, string | undefined>>, home: string) => Check;
}

async function agentChecks(ctx: CommandContext, runner: CommandRunner): Promise<Check[]> {
  const { config } = await ctx.config();
  const builtin = (name: 'codex' | 'gemini'): AgentToCheck => ({
    name,
    binary: config.agents[name]?.binary || name,
    key: `agents.${name}.binary`,
    install: AGENT_INSTALL[name],
    needed: false,
    credentials: name === 'codex' ? codexCredentials : geminiCredentials,
  });
  const agents: AgentToCheck[] = [
    { name: 'claude', binary: config.claude.binary_path, key: 'claude.binary_path', install: AGENT_INSTALL.claude, needed: true, credentials: claudeCredentials },
    builtin('codex'),
    builtin('gemini'),
    ...Object.entries(config.agents)
      .filter(([name]) => name !== 'codex' && name !== 'gemini')
      .map(([name, agent]) => ({ name, binary: agent.binary, key: `agents.${name}.binary`, install: 'Install it', needed: true })),
  ];
  const checks: Check[] = [];
  for (const agent of agents) {
    const path = findExecutable(agent.binary, ctx.env, ctx.cwd);
    if (!path) {
      const where = `'${agent.binary}' was not found${agent.binary.includes('/') ? '' : ' on PATH'}`;
      const fix = `${agent.install} or set ${agent.key}.`;
      checks.push(agent.needed ? fail(`agent ${agent.name}`, where, fix) : warn(`agent ${agent.name}`, `${where} (needed only for --agent ${agent.name})`, fix));
      continue;
    }
    const outcome = await runner.run([path, '--version'], { cwd: ctx.cwd, timeoutMs: VERSION_TIMEOUT_MS });
    const version = outcome.exitCode === 0 ? outcome.stdout.trim().split('\n')[0] : undefined;
    checks.push(version ? ok(`agent ${agent.name}`, `${version} (${path})`) : warn(`agent ${agent.name}`, `${path} did not answer --version`, `Check that ${path} runs.`));
    if (agent.credentials) checks.push(agent.credentials(ctx.env, ctx.paths.home));
  }
  return checks;
}

/** Each executor of the config (DESIGN §18): reachable, with git and the agent there; optional until a run names it with --on. */
async function executorChecks(ctx: CommandContext, runner: CommandRunner): Promise<Check[]> {
  const { config } = await ctx.config();
  const entries = Object.entries(config.executors);
  if (entries.length === 0) return [];
  const { probeContainer, probeSshHost } = await import('../remote/probe.js');
  return Promise.all(
    entries.map(async ([name, entry]) => {
      const label = `executor ${name}`;
      if (entry.type === 'container') {
        const agent = entry.agent_binary ?? basename(config.claude.binary_path);
        const probe = await probeContainer(entry, agent, runner, ctx.env as NodeJS.ProcessEnv, ctx.cwd);
        if (probe.ok) return ok(label, `${probe.engine}, ${entry.image}: ${probe.agent}`);
        const fix = probe.what === 'engine' ? `Install ${entry.engine}.` : probe.what === 'image' ? `Pull or build it (${entry.engine} pull ${entry.image}).` : `Add the agent to the image, or set executors.${name}.agent_binary to its path there.`;
        return warn(label, `${probe.detail} (needed only for --on ${name})`, fix);
      }
      const agent = entry.agent_binary ?? config.claude.binary_path;
      const probe = await probeSshHost(entry, agent, runner, ctx.env as NodeJS.ProcessEnv, ctx.cwd);
      if (probe.ok) return ok(label, `${entry.host}: ${probe.git}, ${probe.agent}`);
      const fix =
        probe.what === 'ssh'
          ? `Check that 'ssh ${entry.port === null ? '' : `-p ${entry.port} `}${entry.host} true' works without a prompt (its host key known, your key authorized).`
          : probe.what === 'git'
            ? `Install git on ${entry.host}.`
            : `Install the agent on ${entry.host} and log in there, or set executors.${name}.agent_binary to its path there.`;
      return warn(label, `${entry.host}: ${probe.detail} (needed only for --on ${name})`, fix);
    }),
  );
}

async function terminalCheck(ctx: CommandContext): Promise<Check> {
  const { config } = await ctx.config();
  const { launchFor } = await import('../terminal/open-window.js');
  try {
    const launch = launchFor({ dir: ctx.cwd, title: 'par', argv: ['true'], waitAfterCommand: false }, config.terminal, ctx.env as NodeJS.ProcessEnv);
    const what = launch.terminal === 'command' ? `terminal.command (${launch.argv[0] ?? ''})` : launch.terminal === 'tmux' ? 'tmux (par runs inside it)' : `Ghostty (${launch.argv[0] ?? ''})`;
    return ok('terminal', `windows open in ${what}`);
  } catch (error) {
    // Optional: par runs without windows; only `o`, par open and --term need one.
    return warn('terminal', 'no terminal to open job windows in', isUserError(error) ? error.message.replace(/^No terminal to open a window in: tried /, 'Tried ') : String(error));
  }
}

function writable(name: string, dir: string): Check {
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
    return ok(name, dir);
  } catch {
    return fail(name, `${dir} is not writable`, `Make ${dir} writable, or point ${name === 'data dir' ? 'XDG_DATA_HOME' : 'XDG_STATE_HOME'} elsewhere.`);
  }
}

/** Every check of `par doctor`, in order. */
export async function doctorChecks(ctx: CommandContext, runner: CommandRunner): Promise<Check[]> {
  const checks: Check[] = [nodeCheck(), await gitCheck(ctx)];
  try {
    const { file } = await ctx.config();
    checks.push(ok('config', existsSync(file) ? `${file} is valid` : `defaults (no ${file})`));
  } catch (error) {
    checks.push(fail('config', isUserError(error) ? error.message : String(error), `Fix ${ctx.paths.configFile} by hand, or move it away to start from the defaults.`));
    return [...checks, writable('data dir', ctx.paths.dataDir), writable('state dir', ctx.paths.stateDir)];
  }
  checks.push(...(await agentChecks(ctx, runner)), ...(await executorChecks(ctx, runner)), await terminalCheck(ctx), writable('data dir', ctx.paths.dataDir), writable('state dir', ctx.paths.stateDir));
  return checks;
}

/** `par doctor [--json]`: exit 1 only when something is missing that par needs. */
export async function runDoctor(ctx: CommandContext, runner: CommandRunner, options: { json?: boolean }): Promise<number> {
  const checks = await doctorChecks(ctx, runner);
  const failed = checks.some((check) => check.status === 'fail');
  if (options.json) {
    ctx.stdout.write(`${JSON.stringify({ ok: !failed, checks }, null, 2)}\n`);
  } else {
    const width = Math.max(...checks.map((check) => check.name.length));
    for (const check of checks) {
      ctx.stdout.write(`${MARK[check.status]} ${check.name.padEnd(width)}  ${check.detail}\n`);
      if (check.fix) ctx.stdout.write(`  ${' '.repeat(width)}  → ${check.fix}\n`);
    }
  }
  return failed ? 1 : 0;
}
