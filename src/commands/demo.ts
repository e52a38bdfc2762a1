import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { sendCommand } from '../rundir/channel.js';
import { watchRun } from '../rundir/watch.js';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolvePaths } from '../config/paths.js';
import { ExitCode } from '../core/errors.js';
import { readEvents } from '../rundir/journal.js';
import { processAlive } from '../os/process-alive.js';
import { removeWhenGone } from '../os/remove-when-gone.js';
import type { CommandContext } from './context.js';
import { runFiles } from '../rundir/files.js';

/** The small project the demo's agents work on. */
const PROJECT: Record<string, string> = {
  'README.md': '# shop\n\nA tiny shopping cart, to show par at work.\n',
  'package.json': `${JSON.stringify({ name: 'shop', version: '1.0.0', type: 'module', scripts: { test: 'node --test' } }, null, 2)}\n`,
  'src/cart.js': "export function total(items) {\n  var sum = 0\n  for (const item of items) sum += item.price * item.quantity\n  return sum\n}\n",
  'src/price.js': "export const format = (cents) => '$' + (cents / 100).toFixed(2)\n",
  'test/cart.test.js': "import { test } from 'node:test';\nimport assert from 'node:assert';\nimport { total } from '../src/cart.js';\n\ntest('total', () => assert.equal(total([{ price: 250, quantity: 2 }]), 500));\n",
};

/** The worktrees, and how each simulated agent behaves there: every state ends up on screen. */
const WORKTREES: { name: string; knobs: string }[] = [
  { name: 'lint-cart', knobs: 'duration=7s turns=5 edit=src/cart.js' },
  { name: 'lint-price', knobs: 'duration=9s turns=6 edit=src/price.js denials=1' },
  { name: 'lint-tests', knobs: 'duration=5s turns=4 fail=2_of_14_tests_fail:_cart.test.js' },
  // This one asks to run a command the safe preset leaves to a person: the first permission request to answer.
  { name: 'lint-readme', knobs: 'duration=6s turns=3 write=CHANGES.md ask=git_push_origin_lint-readme' },
];

const PROMPTS: Record<string, string> = {
  'fix-lint': '---\ndescription: fix the lint warnings in this worktree\ntemplate: true\n---\nFix every lint warning in {{.ProjectName}} on branch {{.BranchName}}, then run the tests.\n',
  'add-tests': '---\ndescription: add tests for what is not covered\n---\nAdd tests for the functions that have none, and run them.\n',
};

/** Where the simulated agent ships: `assets/` beside the built CLI. */
function simulatedAgent(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  // dist/cli.js and dist/chunks/*.js both sit below the package root.
  const root = here.endsWith('/chunks') ? dirname(dirname(here)) : dirname(here);
  return join(root, 'assets', 'sim-agent.mjs');
}

/**
 * `par demo [--no-tui] [--keep]`: the whole experience on a throwaway
 * repository, with the simulated agent standing in for Claude Code — no
 * account, nothing configured, nothing left behind unless --keep.
 */
export async function runDemo(ctx: CommandContext, options: { tui?: boolean; keep?: boolean }): Promise<number> {
  const port = await ctx.git();
  const git = (cwd: string, args: string[]): Promise<string> => port.run(cwd, args);
  const root = mkdtempSync(join(tmpdir(), 'par-demo-'));
  const home = join(root, 'home');
  // Everything par writes — config, prompts, runs, logs, the agent's sessions — stays under the demo's folder.
  const env = { ...ctx.env, HOME: home, XDG_CONFIG_HOME: join(home, '.config'), XDG_DATA_HOME: join(home, '.local', 'share'), XDG_STATE_HOME: join(home, '.local', 'state') };
  const paths = resolvePaths(env, home);
  let runDir: string | undefined;
  let supervisor = 0;
  // A signal ends the TUI with process.exit: the demo still stops its run and leaves nothing behind —
  // removed now, and again once the run's supervisor, told to cancel, has ended (it may still write).
  const onExit = (): void => {
    if (runDir) sendCommand(runDir, { type: 'cancel', job: null, reason: 'signal' });
    if (options.keep) return;
    rmSync(root, { recursive: true, force: true });
    // Before the run started, the stragglers are this process's own git children.
    removeWhenGone(supervisor || process.pid, root);
  };
  // Until the screen takes over the signals, a closed terminal or Ctrl+C during the set-up exits through onExit.
  const onSignal = (): never => process.exit(ExitCode.interrupted);
  const signals = ['SIGHUP', 'SIGTERM', 'SIGINT'] as const;
  for (const signal of signals) process.on(signal, onSignal);
  process.on('exit', onExit);
  try {
    const repo = join(root, 'shop');
    for (const [file, text] of Object.entries(PROJECT)) {
      mkdirSync(dirname(join(repo, file)), { recursive: true });
      writeFileSync(join(repo, file), text);
    }
    await git(repo, ['init', '-q', '-b', 'main']);
    await git(repo, ['add', '-A']);
    await git(repo, ['-c', 'user.name=par demo', '-c', 'user.email=demo@par.invalid', 'commit', '-q', '-m', 'A tiny shopping cart']);
    // The simulated agent's knobs are the demo's stagecraft, not a change of the job's: git ignores them.
    writeFileSync(join(repo, '.git', 'info', 'exclude'), '.sim-knobs\n');
    const worktrees: string[] = [];
    for (const { name, knobs } of WORKTREES) {
      const path = join(root, name);
      await git(repo, ['worktree', 'add', '-q', '-b', name, path]);
      writeFileSync(join(path, '.sim-knobs'), `${knobs}\n`);
      worktrees.push(path);
    }
    mkdirSync(paths.configDir, { recursive: true });
    writeFileSync(paths.configFile, `# The demo's configuration: the simulated agent stands in for claude.\nclaude:\n  binary_path: ${JSON.stringify(simulatedAgent())}\n`);
    const promptsDir = join(paths.dataDir, 'prompts');
    mkdirSync(promptsDir, { recursive: true });
    for (const [name, text] of Object.entries(PROMPTS)) writeFileSync(join(promptsDir, `${name}.md`), text);

    let loaded: ReturnType<CommandContext['config']> | undefined;
    const demo: CommandContext = {
      ...ctx,
      paths,
      env,
      cwd: repo,
      // The run's supervisor and windows get the demo's home, not the user's.
      launcher: { ...ctx.launcher, env },
      config: () => (loaded ??= import('../config/load-config.js').then(({ loadConfig }) => loadConfig(paths))),
    };
    const tui = options.tui !== false && ctx.stdin.isTTY === true && ctx.stdout.isTTY === true;
    const [{ prepareRun }, { launchRun }] = await Promise.all([import('./run-setup.js'), import('./launch-run.js')]);
    const prepared = await prepareRun(demo, port, ['fix-lint', ...worktrees], { jobs: '3', tui }, { now: new Date() });
    runDir = launchRun(demo, prepared);
    supervisor = await supervisorPid(runDir);
    for (const signal of signals) process.off(signal, onSignal);
    if (!tui) ctx.stdout.write(`A throwaway repository with ${worktrees.length} worktrees in ${root}; the simulated agent plays Claude Code.\n`);
    if (tui) await (await (await import('./load-tui.js')).loadTui()).runTui(demo, { attach: { runId: prepared.plan.id, dir: runDir } });
    else await followHeadless(demo, runDir, prepared.plan.id);
  } finally {
    for (const signal of signals) process.off(signal, onSignal);
    process.off('exit', onExit);
    await stopRun(runDir, ctx);
    if (options.keep) ctx.stdout.write(`The demo is kept in ${root} (its par home is ${home}).\n`);
    else rmSync(root, { recursive: true, force: true });
  }
  // The demo shows a failure on purpose: it has worked when it ran to its end.
  return ExitCode.ok;
}

/** The run followed as plain lines, its permission requests answered as a script would. */
async function followHeadless(ctx: CommandContext, runDir: string, runId: string): Promise<void> {
  const { followRun } = await import('./follow-run.js');
  const answering = answerHeadless(ctx, runDir, runId);
  try {
    await followRun(ctx, runDir, runId, {});
  } finally {
    answering.stop();
  }
}

/**
 * Headless, nobody can press y: the demo shows how a permission request is
 * answered from a script — `par inbox` lists it, `par approve` allows it —
 * and does it.
 */
function answerHeadless(ctx: CommandContext, runDir: string, runId: string): { stop(): void } {
  return watchRun(runDir, runId, {
    onEvent(event) {
      if (event.type !== 'job/needs-input' || event.pending.kind !== 'permission') return;
      const what = typeof event.pending.input.command === 'string' ? event.pending.input.command : (event.pending.tool ?? 'a tool');
      ctx.stdout.write(`${event.job} asks to run: ${what}\n  (par inbox lists it; in the TUI, y allows it, n denies it)\n  $ par approve ${runId} ${event.job}\n`);
      sendCommand(runDir, { type: 'answer', id: randomUUID(), job: event.job, request_id: event.pending.request_id, decision: 'allow', via: 'cli' });
    },
    onEnd: () => undefined,
  });
}

/** The supervisor's pid, once it has written it (it does so first thing). */
async function supervisorPid(runDir: string): Promise<number> {
  for (let waited = 0; waited < 5000; waited += 50) {
    const started = readEvents(runFiles.events(runDir)).find((event) => event.type === 'run/started');
    if (started?.type === 'run/started') return started.supervisor_pid;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return 0;
}

/** A demo left with jobs running: cancel them and wait for the supervisor, so nothing outlives the demo. */
async function stopRun(runDir: string | undefined, ctx: CommandContext): Promise<void> {
  if (!runDir) return;
  const { sendCommand } = await import('../rundir/channel.js');
  const events = (): ReturnType<typeof readEvents> => readEvents(runFiles.events(runDir));
  if (events().some((event) => event.type === 'run/finished')) return;
  ctx.stderr.write("par: the demo's run stops with the demo, which leaves nothing behind.\n");
  sendCommand(runDir, { type: 'cancel', job: null, reason: 'user' });
  const pid = events().find((event) => event.type === 'run/started');
  const supervisor = pid?.type === 'run/started' ? pid.supervisor_pid : 0;
  // Agents get SIGTERM, then SIGKILL 5 s later: a little longer than that is enough.
  for (let waited = 0; waited < 7000 && supervisor && processAlive(supervisor); waited += 100) await new Promise((resolve) => setTimeout(resolve, 100));
}
