import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SIM, makeSimRuns, runStatus, useAgent, type RunStatus } from '../helpers/sim-runs.js';
import { branches, git } from '../helpers/git-repo.js';
import { ROOT, eventually, processRuns, runPar, startPar, type Sandbox } from '../helpers/par.js';

const CLAUDE = join(ROOT, 'node_modules', '.bin', 'claude');

let sandbox: Sandbox;
let repo: string;
const wt = (n: number): string => join(sandbox.dir, `wt${n}`);
const status = (run?: string): Promise<RunStatus> => runStatus(sandbox, repo, run);

beforeEach(() => {
  ({ sandbox, repo } = makeSimRuns(4, { 'README.md': '# app\n', 'src/app.ts': 'export const a = 1;\n' }));
});
afterEach(() => sandbox.cleanup());

function journal(dir: string): { type: string; job?: string; outcome?: { state: string; reason: string | null } }[] {
  return readFileSync(join(dir, 'events.ndjson'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { type: string });
}

function pidsIn(file: string): number[] {
  return readFileSync(file, 'utf8').trim().split('\n').map(Number);
}

describe('par run, headless', () => {
  it('runs a prompt across 4 worktrees, 2 at a time, with byte-exact logs, results and diffstats', async () => {
    // Each agent also writes what it prints next to its worktree, to compare with output.log.
    writeFileSync(join(sandbox.dir, 'p.md'), `---\ntemplate: true\n---\nWrite the notes.\nsim: turns=2 write=notes.md tee={{.WorktreePath}}.printed span=${join(sandbox.dir, 'spans')}\n`);
    await runPar(sandbox, ['add', '--name', 'notes', '--file', join(sandbox.dir, 'p.md')]);
    const result = await runPar(sandbox, ['run', 'notes', wt(1), wt(2), wt(3), wt(4), '-j', '2'], { cwd: repo });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^succeeded: 4\/4 succeeded, \$0\.0984 in all$/m);

    const run = await status();
    expect(run.state).toBe('succeeded');
    expect(run.jobs.map((job) => job.id)).toEqual(['wt1', 'wt2', 'wt3', 'wt4']);
    for (const [index, job] of run.jobs.entries()) {
      expect(job).toMatchObject({ state: 'succeeded', attempt: 1, turns: 3, cost_usd: 0.0246, exit_code: 0, error: null, diffstat: { files: 1, insertions: 1, deletions: 0 } });
      expect(job.session_id).toMatch(/^[0-9a-f-]{36}$/);
      const printed = readFileSync(`${wt(index + 1)}.printed`);
      expect(readFileSync(join(run.dir, 'jobs', job.id, 'output.log')).equals(printed)).toBe(true);
      expect(readFileSync(join(wt(index + 1), 'notes.md'), 'utf8')).toBe('written by the simulated agent\n');
    }
    // At most two agents at once: each one started only once fewer than two were alive.
    const spans = readFileSync(join(sandbox.dir, 'spans'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { start: number; end: number });
    expect(spans).toHaveLength(4);
    for (const span of spans) expect(spans.filter((other) => other.start <= span.start && other.end > span.start).length).toBeLessThanOrEqual(2);
  });

  it('with -m and an unchanged config, loads neither the YAML parser nor the agents\u2019 adapters (the supervisor runs the agent)', async () => {
    // The first run reads the config file and caches it; the second reads the cache.
    await runPar(sandbox, ['run', '-m', 'sim: turns=1', wt(1)], { cwd: repo });
    const loads = join(sandbox.dir, 'loads.txt');
    const result = await runPar(sandbox, ['run', '-m', 'sim: turns=1', wt(2)], { cwd: repo, nodeArgs: ['--import', join(ROOT, 'test/helpers/record-loads.mjs')], env: { PAR_TEST_LOADS: loads } });
    expect(result.code).toBe(0);
    const sources = readFileSync(loads, 'utf8').trim().split('\n').filter((url) => url.includes('/dist/')).map((url) => readFileSync(new URL(url), 'utf8'));
    expect(sources.length).toBeGreaterThan(3);
    for (const source of sources) {
      expect(source).not.toContain('YAMLMap');
      expect(source).not.toContain('function adapterFor(');
    }
  });

  it('prints NDJSON with --json: the run id first, the summary last', async () => {
    const result = await runPar(sandbox, ['run', '-m', 'sim: turns=1', wt(1), '--json'], { cwd: repo });
    const lines = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines[0]).toMatchObject({ type: 'run', run: expect.stringMatching(/^\d{8}-\d{6}-[a-z0-9]{4}$/) });
    expect(lines.at(-1)).toMatchObject({ type: 'summary', state: 'succeeded', jobs: [{ id: 'wt1', state: 'succeeded', turns: 2 }] });
    expect(lines.filter((line) => line.type === 'job').map((line) => line.state)).toEqual(['queued', 'running', 'succeeded']);
  });

  it('fails a job whose result has is_error even when the agent exits 0, with the result text as the error', async () => {
    const result = await runPar(sandbox, ['run', '-m', 'sim: fail=API_quota_reached exit=0', wt(1)], { cwd: repo });
    expect(result.code).toBe(1);
    const [job] = (await status()).jobs;
    expect(job).toMatchObject({ state: 'failed', exit_code: 0, error: 'API quota reached' });
  });

  it('flags permission denials on a job that succeeded', async () => {
    await runPar(sandbox, ['run', '-m', 'sim: denials=2', wt(1)], { cwd: repo });
    const [job] = (await status()).jobs;
    expect(job).toMatchObject({ state: 'succeeded', denials: ['Bash', 'Bash'] });
  });

  it('times out a 30 s agent after 2 s, leaving no process of it', async () => {
    const pids = join(sandbox.dir, 'pids.txt');
    const result = await runPar(sandbox, ['run', '-m', `sim: child pids=${pids} duration=30s`, wt(1), '-t', '2s'], { cwd: repo });
    expect(result.code).toBe(1);
    const [job] = (await status()).jobs;
    expect(job).toMatchObject({ state: 'timed-out', reason: 'timeout' });
    await eventually(() => pidsIn(pids).every((pid) => !processRuns(pid)), 3000, 'the agent, its child and grandchild to be gone');
  });

  it('stops a silent agent after the idle timeout', async () => {
    const result = await runPar(sandbox, ['run', '-m', 'sim: silent=30s', wt(1), '--idle-timeout', '1s'], { cwd: repo });
    expect(result.code).toBe(1);
    expect((await status()).jobs[0]).toMatchObject({ state: 'timed-out', reason: 'idle' });
  });

  it('cancels every job on SIGINT, exits 130 and leaves no process, even one ignoring SIGTERM', async () => {
    writeFileSync(join(sandbox.dir, 'p.md'), '---\ntemplate: true\n---\nsim: child ignore-term duration=60s pids={{.WorktreePath}}.pids\n');
    await runPar(sandbox, ['add', '--name', 'slow', '--file', join(sandbox.dir, 'p.md')]);
    const started = startPar(sandbox, ['run', 'slow', wt(1), wt(2)], { cwd: repo });
    await eventually(() => existsSync(`${wt(1)}.pids`) && existsSync(`${wt(2)}.pids`), 10_000, 'both agents to start');
    started.child.kill('SIGINT');
    const result = await started.result;
    expect(result.code).toBe(130);
    const run = await status();
    expect(run.state).toBe('cancelled');
    expect(run.jobs.map((job) => [job.state, job.reason])).toEqual([['cancelled', 'signal'], ['cancelled', 'signal']]);
    expect(journal(run.dir).filter((event) => event.type === 'job/finished').map((event) => event.outcome?.state)).toEqual(['cancelled', 'cancelled']);
    const all = [...pidsIn(`${wt(1)}.pids`), ...pidsIn(`${wt(2)}.pids`)];
    await eventually(() => all.every((pid) => !processRuns(pid)), 3000, 'every agent process to be gone');
  });

  it('ends the agents when the supervisor is killed with -9, and reads the run as interrupted', async () => {
    const pids = join(sandbox.dir, 'pids.txt');
    const detached = await runPar(sandbox, ['run', '-m', `sim: child duration=60s pids=${pids}`, wt(1), '--detach'], { cwd: repo });
    const runId = detached.stdout.trim();
    expect(runId).toMatch(/^\d{8}-\d{6}-[a-z0-9]{4}$/);
    await eventually(() => existsSync(pids), 10_000, 'the agent to start');
    const plan = JSON.parse(readFileSync(join(sandbox.dir, 'data', 'par', 'runs', runId, 'run.json'), 'utf8')) as { supervisor_pid: number };
    process.kill(plan.supervisor_pid, 'SIGKILL');
    await eventually(() => pidsIn(pids).every((pid) => !processRuns(pid)), 8000, 'the agents to end after their supervisor');
    const run = await status(runId.slice(0, 12));
    expect(run.state).toBe('interrupted');
    expect(run.jobs[0]).toMatchObject({ state: 'interrupted' });
  });

  it('detaches on SIGHUP: par returns, the run goes on to its end', async () => {
    const started = startPar(sandbox, ['run', '-m', 'sim: duration=3s turns=1', wt(1)], { cwd: repo });
    await eventually(() => started.output().includes('running'), 10_000, 'the job to start');
    started.child.kill('SIGHUP');
    const result = await started.result;
    expect(result.code).toBe(0);
    const { state, dir } = await status();
    expect(state).toBe('running');
    await eventually(() => readFileSync(join(dir, 'events.ndjson'), 'utf8').includes('run/finished'), 10_000, 'the run to finish');
    expect((await status()).state).toBe('succeeded');
  });

  it('gives the agent the user’s environment without CLAUDECODE, with CLAUDE_CODE_MAX_RETRIES lowered', async () => {
    const dump = join(sandbox.dir, 'env.json');
    await runPar(sandbox, ['run', '-m', `sim: env=${dump}`, wt(1)], { cwd: repo, env: { CLAUDECODE: '1', MY_SETTING: 'kept' } });
    const env = JSON.parse(readFileSync(dump, 'utf8')) as Record<string, string>;
    expect(env.CLAUDECODE).toBeUndefined();
    expect(env.MY_SETTING).toBe('kept');
    expect(env.CLAUDE_CODE_MAX_RETRIES).toBe('2');
  });

  it('runs every valid linked worktree with --all, filling --var into the template', async () => {
    git(repo, 'worktree', 'lock', wt(4));
    writeFileSync(join(sandbox.dir, 'p.md'), 'Fix {{.Ticket}} in {{.BranchName}}.\nsim: turns=1\n');
    await runPar(sandbox, ['add', '--name', 'fix', '--template', '--file', join(sandbox.dir, 'p.md')]);
    const result = await runPar(sandbox, ['run', 'fix', '--all', '--var', 'Ticket=PAR-7'], { cwd: repo });
    expect(result.code).toBe(0);
    const run = await status();
    expect(run.jobs.map((job) => job.id)).toEqual(['wt1', 'wt2', 'wt3']);
    expect(readFileSync(join(run.dir, 'jobs', 'wt2', 'prompt.md'), 'utf8')).toBe('Fix PAR-7 in b2.\nsim: turns=1\n');
  });

  it('runs a configured agent with text output', async () => {
    writeFileSync(sandbox.configFile, 'agents:\n  echo:\n    binary: sh\n    args: ["-c", "cat > got-prompt.txt; echo reading; echo all done"]\n    prompt: stdin\n    output: text\n');
    const result = await runPar(sandbox, ['run', '-m', 'Hello agent', wt(1), '--agent', 'echo'], { cwd: repo });
    expect(result.code).toBe(0);
    expect((await status()).jobs[0]).toMatchObject({ state: 'succeeded', result: 'all done', last_message: 'all done' });
    expect(readFileSync(join(wt(1), 'got-prompt.txt'), 'utf8')).toBe('Hello agent');
  });

  it('creates fresh worktrees with --new and commits each job’s work on its branch', async () => {
    const result = await runPar(sandbox, ['run', '-m', 'sim: write=feature.txt turns=1', '--new', '3'], { cwd: repo });
    expect(result.code).toBe(0);
    const run = await status();
    expect(run.jobs.map((job) => job.id)).toEqual(['t1', 't2', 't3']);
    for (const job of run.jobs) {
      expect(job.branch).toBe(`par/${run.run}/${job.id}`);
      expect(job.worktree).toContain(join('data', 'par', 'worktrees'));
      expect(git(repo, 'show', '--name-only', '--format=%s', job.branch ?? '')).toBe(`par: ${job.id} (run ${run.run}, succeeded)\n\nfeature.txt`);
      expect(git(job.worktree ?? '', 'status', '--porcelain')).toBe('');
      expect(job.diffstat).toEqual({ files: 1, insertions: 1, deletions: 0 });
    }
    expect(branches(repo).filter((branch) => branch.startsWith('par/'))).toHaveLength(3);
  });

  it('runs the real Claude Code CLI with no account: every job fails with “Not logged in”', async () => {
    useAgent(sandbox, CLAUDE);
    const home = join(sandbox.dir, 'claude-home');
    mkdirSync(home);
    const result = await runPar(sandbox, ['run', '-m', 'Say hello', wt(1), wt(2)], { cwd: repo, env: { HOME: home, CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1' } });
    expect(result.code).toBe(1);
    const run = JSON.parse((await runPar(sandbox, ['status', '--json'], { cwd: repo, env: { HOME: home } })).stdout) as RunStatus;
    expect(run.jobs.map((job) => [job.state, job.error])).toEqual([
      ['failed', 'Not logged in · Please run /login'],
      ['failed', 'Not logged in · Please run /login'],
    ]);
  }, 60_000);

  it('prints the exact command lines with --dry-run and writes nothing', async () => {
    const result = await runPar(sandbox, ['run', '-m', 'Fix the bug', wt(1), '--dry-run', '--model', 'opus'], { cwd: repo });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`command   ${SIM} -p --output-format stream-json --verbose --input-format stream-json --permission-prompt-tool stdio --replay-user-messages --permission-mode acceptEdits --session-id '<a new session id per attempt>' --model opus`);
    expect(result.stdout).toContain('    │ Fix the bug');
    expect(existsSync(join(sandbox.dir, 'data', 'par', 'runs'))).toBe(false);
  });
});

describe('agents that misbehave end with a clear state', () => {
  it.each([
    ['non-JSON garbage and then a result', 'sim: garbage', 'succeeded', null],
    ['one 10 MB line', 'sim: bigline=10485760', 'succeeded', null],
    ['exit 0 without a result line', 'sim: no-result', 'failed', 'the agent exited with code 0 without a result'],
    ['the error arm', 'sim: fail-arm=error_max_turns', 'failed', 'Reached error_max_turns'],
  ])('%s', async (_name, prompt, state, error) => {
    const result = await runPar(sandbox, ['run', '-m', prompt, wt(1)], { cwd: repo });
    expect(result.code).toBe(state === 'succeeded' ? 0 : 1);
    const run = await status();
    expect(run.jobs[0]).toMatchObject({ state, error });
    if (prompt.includes('bigline')) expect(readFileSync(join(run.dir, 'jobs', 'wt1', 'output.log')).length).toBeGreaterThan(10_485_760);
  });

  it('runs a 2 MB prompt', async () => {
    const big = `${'x'.repeat(2 * 1024 * 1024)}\nsim: turns=1\n`;
    writeFileSync(join(sandbox.dir, 'big.md'), big);
    const result = await runPar(sandbox, ['run', '--prompt-file', join(sandbox.dir, 'big.md'), wt(1)], { cwd: repo });
    expect(result.code).toBe(0);
    const run = await status();
    expect(readFileSync(join(run.dir, 'jobs', 'wt1', 'prompt.md'), 'utf8')).toBe(big);
  });
});

describe('bad input to par run: one sentence, exit 2, nothing written', () => {
  const runsDir = (): string => join(sandbox.dir, 'data', 'par', 'runs');
  it.each([
    [['run', 'refactr', 'WT1'], "There is no prompt named 'refactr'. Did you mean 'refactor'?"],
    [['run', '-m', 'x', 'WT1', '-j', '0'], "-j takes a whole number of 1 or more, not '0'."],
    [['run', '-m', 'x', 'WT1', '-j', 'abc'], "-j takes a whole number of 1 or more, not 'abc'."],
    [['run', '-m', 'x', 'WT1', '-t', '5x'], "-t takes a duration such as 90s, 30m, 2h or 1h30m, not '5x'."],
    [['run', '-m', 'x', '--new', '0'], "--new takes a whole number of 1 or more, not '0'."],
    [['run', '-m', 'x', 'SANDBOX'], 'is not a git worktree'],
    [['run', '-m', 'x', 'WT1', 'WT1'], 'is given twice'],
    [['run', '-m', 'x'], 'Say where to run: pass worktree paths, --all for every linked worktree of this repository, or --new N for N fresh worktrees.'],
    [['run', 'tpl', 'WT1'], "Job wt1: The template in prompt 'tpl' cannot render: missing variable .Ticket (line 6, column 7); pass --var Ticket=…."],
    [['run', '-m', 'x', '--new', '2', '-b', 'nosuch'], "There is no branch 'nosuch'"],
  ])('par %j', async (args, message) => {
    writeFileSync(join(sandbox.dir, 'r.md'), 'Refactor.\n');
    await runPar(sandbox, ['add', '--name', 'refactor', '--file', join(sandbox.dir, 'r.md')]);
    writeFileSync(join(sandbox.dir, 't.md'), 'Fix {{.Ticket}}.\n');
    await runPar(sandbox, ['add', '--name', 'tpl', '--template', '--file', join(sandbox.dir, 't.md')]);
    const resolved = args.map((arg) => (arg === 'WT1' ? wt(1) : arg === 'SANDBOX' ? sandbox.dir : arg));
    const result = await runPar(sandbox, resolved, { cwd: repo });
    expect(result).toMatchObject({ code: 2, stdout: '' });
    expect(result.stderr).toContain(message);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(existsSync(runsDir())).toBe(false);
  });

  it('names a missing agent binary and the key that sets it', async () => {
    useAgent(sandbox, 'no-such-claude-here');
    const result = await runPar(sandbox, ['run', '-m', 'x', wt(1)], { cwd: repo });
    expect(result).toMatchObject({ code: 2 });
    expect(result.stderr).toBe("par: The agent binary 'no-such-claude-here' was not found on PATH; install Claude Code or set claude.binary_path (par config set claude.binary_path /path/to/claude).\n");
  });

  it('refuses an 11 MB prompt', async () => {
    writeFileSync(join(sandbox.dir, 'huge.md'), 'y'.repeat(11 * 1024 * 1024));
    const result = await runPar(sandbox, ['run', '--prompt-file', join(sandbox.dir, 'huge.md'), wt(1)], { cwd: repo });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('is 11.0 MB; prompts may be at most 10 MB.');
    expect(existsSync(runsDir())).toBe(false);
  });

  it('says which run a prefix matches, or which it could be', async () => {
    await runPar(sandbox, ['run', '-m', 'sim: turns=1', wt(1)], { cwd: repo });
    const [first = ''] = readdirSync(runsDir());
    await runPar(sandbox, ['run', '-m', 'sim: turns=1', wt(2)], { cwd: repo });
    const ids = readdirSync(runsDir()).sort();
    const ambiguous = await runPar(sandbox, ['status', '2'], { cwd: repo });
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.stderr).toContain(`'2' matches 2 runs (${ids.join(', ')}); give more of the id.`);
    expect((await status(first)).jobs[0]?.id).toBe('wt1');
    // The latest is the newest started_at, whatever the ids' random tails.
    expect((await status()).jobs[0]?.id).toBe('wt2');
  });
});
