// The other half of the contract: par driving the real Claude Code CLI (the
// pinned dev dependency), pointed at a stand-in of the Anthropic API on
// loopback. A Claude Code release that changes its command line or its
// stream-json fails here, not for our users.
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { standInEnv, startStandIn, type StandIn } from '../helpers/anthropic-stand-in.js';
import { git } from '../helpers/git-repo.js';
import { ROOT, eventually, processRuns, runPar, startPar, type Sandbox } from '../helpers/par.js';
import { SIM, makeSimRuns, runStatus, useAgent, type RunStatus } from '../helpers/sim-runs.js';

const CLAUDE = join(ROOT, 'node_modules', '.bin', 'claude');

let sandbox: Sandbox;
let repo: string;
let api: StandIn;
const wt = (n: number): string => join(sandbox.dir, `wt${n}`);
const status = (run?: string): Promise<RunStatus> => runStatus(sandbox, repo, run);
const claudeEnv = (): Record<string, string> => standInEnv(api);

beforeEach(async () => {
  ({ sandbox, repo } = makeSimRuns(2));
  useAgent(sandbox, CLAUDE);
  api = await startStandIn();
});
afterEach(async () => {
  await api.close();
  sandbox.cleanup();
});

function outputLines(dir: string, job: string): Record<string, unknown>[] {
  return readFileSync(join(dir, 'jobs', job, 'output.log'), 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('par with the real Claude Code CLI', () => {
  it('runs 4 new worktrees in parallel: each claude writes its file, with turns, cost and session ids from its result', async () => {
    writeFileSync(join(sandbox.dir, 'hello.md'), '---\ntemplate: true\n---\nWrite the greeting. scenario=write file={{.WorktreePath}}/hello.txt\n');
    await runPar(sandbox, ['add', '--name', 'hello', '--file', join(sandbox.dir, 'hello.md')]);
    const result = await runPar(sandbox, ['run', 'hello', '--new', '4', '-j', '4'], { cwd: repo, env: claudeEnv() });
    expect(result.code).toBe(0);
    const run = await status();
    expect(run.jobs).toHaveLength(4);
    for (const job of run.jobs) {
      expect(job).toMatchObject({ state: 'succeeded', turns: 2, denials: [], diffstat: { files: 1, insertions: 1, deletions: 0 } });
      expect(job.cost_usd).toBeGreaterThan(0);
      const final = outputLines(run.dir, job.id).find((line) => line.type === 'result');
      expect(job.session_id).toBe(final?.session_id);
      expect(job.session_id).toMatch(/^[0-9a-f-]{36}$/);
      expect(readFileSync(join(job.worktree as string, 'hello.txt'), 'utf8')).toBe('written by claude against the stand-in\n');
      expect(git(repo, 'show', '--name-only', '--format=%s', job.branch as string).split('\n')).toEqual([`par: ${job.id} (run ${run.run}, succeeded)`, '', 'hello.txt']);
    }
    // Four conversations of two turns each, told apart by what each request held.
    expect(api.requests.filter((request) => request.scenario === 'write').map((request) => request.turns).sort()).toEqual([0, 0, 0, 0, 1, 1, 1, 1]);
  }, 90_000);

  it('edits a file it has read (Read, then Edit), and the diffstat counts the change', async () => {
    const result = await runPar(sandbox, ['run', '-m', `Edit the title. scenario=edit file=${wt(1)}/README.md`, wt(1)], { cwd: repo, env: claudeEnv() });
    expect(result.code).toBe(0);
    expect(readFileSync(join(wt(1), 'README.md'), 'utf8')).toBe('# app, edited\n');
    expect((await status()).jobs[0]).toMatchObject({ state: 'succeeded', turns: 3, tool_uses: 2, diffstat: { files: 1, insertions: 1, deletions: 1 } });
  }, 60_000);

  it('401 from the API fails the job at once with the API’s words, and par does not retry it', async () => {
    api.failNext('refused', 401, 10);
    const result = await runPar(sandbox, ['run', '-m', 'scenario=refused', wt(1), '--retries', '2'], { cwd: repo, env: claudeEnv() });
    expect(result.code).toBe(1);
    const job = (await status()).jobs[0];
    expect(job).toMatchObject({ state: 'failed', attempt: 1 });
    expect(job?.error).toMatch(/401|invalid x-api-key|API key/i);
  }, 60_000);

  it('one-shot (claude.channel: false): a Bash call denied by the permission mode, the job succeeds, flagged with the tool denied', async () => {
    appendFileSync(sandbox.configFile, '  channel: false\n');
    const result = await runPar(sandbox, ['run', '-m', 'Clean up. scenario=bash command=touch_cleaned', wt(1)], { cwd: repo, env: claudeEnv() });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/wt1 {2}succeeded .*⚠ 1 denied \(Bash\)/);
    expect((await status()).jobs[0]).toMatchObject({ state: 'succeeded', denials: ['Bash'] });
  }, 60_000);

  it('with no API key every job fails with claude’s own “Not logged in” text; exit 1', async () => {
    const result = await runPar(sandbox, ['run', '-m', 'scenario=write', wt(1), wt(2)], { cwd: repo, env: { ...claudeEnv(), ANTHROPIC_API_KEY: '' } });
    expect(result.code).toBe(1);
    expect((await status()).jobs.map((job) => [job.state, job.error])).toEqual([
      ['failed', 'Not logged in · Please run /login'],
      ['failed', 'Not logged in · Please run /login'],
    ]);
    expect(api.requests).toEqual([]);
  }, 60_000);

  it('529 on the first tries: claude gives up fast (par lowered its retries), par retries with a fresh session and succeeds', async () => {
    api.failNext('overloaded', 529, 3);
    const result = await runPar(sandbox, ['run', '-m', `scenario=overloaded`, wt(1), '--retries', '2'], { cwd: repo, env: claudeEnv() });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/wt1 {2}retrying {2}retrying \(1\/2\).*after: API Error: Repeated 529 Overloaded errors/);
    const run = await status();
    expect(run.jobs[0]).toMatchObject({ state: 'succeeded', attempt: 2 });
    const started = readFileSync(join(run.dir, 'events.ndjson'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { type: string; session_id?: string }).filter((event) => event.type === 'job/started');
    expect(new Set(started.map((event) => event.session_id)).size).toBe(2);
    // Three tries by claude itself (CLAUDE_CODE_MAX_RETRIES=2), then one by par's second attempt.
    expect(api.requests.filter((request) => request.scenario === 'overloaded')).toHaveLength(4);
  }, 90_000);

  it('a silent stream with --idle-timeout 5s: the job is timed-out (idle) and no claude process remains', async () => {
    const result = await runPar(sandbox, ['run', '-m', 'scenario=silent', wt(1), '--idle-timeout', '5s', '--retries', '0'], { cwd: repo, env: claudeEnv() });
    expect(result.code).toBe(1);
    const job = (await status()).jobs[0] as RunStatus['jobs'][number];
    expect(job).toMatchObject({ state: 'timed-out', reason: 'idle' });
    await eventually(() => !processRuns(job.pid as number), 8000, 'claude to be gone');
  }, 60_000);

  it('runs even when par itself runs inside Claude Code (CLAUDECODE=1)', async () => {
    const result = await runPar(sandbox, ['run', '-m', `scenario=write file=${wt(1)}/inside.txt`, wt(1)], { cwd: repo, env: { ...claudeEnv(), CLAUDECODE: '1' } });
    expect(result.code).toBe(0);
    expect(readFileSync(join(wt(1), 'inside.txt'), 'utf8')).toContain('stand-in');
  }, 60_000);

  it('resumes a job interrupted mid-conversation: claude --resume continues it, and the stand-in sees the earlier turns', async () => {
    const started = startPar(sandbox, ['run', '-m', `scenario=slow-second delay=60000 file=${wt(1)}/first.txt`, wt(1), '--detach'], { cwd: repo, env: claudeEnv() });
    const runId = (await started.result).stdout.trim();
    await eventually(() => api.requests.some((request) => request.scenario === 'slow-second' && request.turns === 1), 30_000, 'the second turn to be asked');
    const { supervisor_pid: pid } = JSON.parse(readFileSync(join(sandbox.dir, 'data', 'par', 'runs', runId, 'run.json'), 'utf8')) as { supervisor_pid: number };
    process.kill(pid, 'SIGKILL');
    await eventually(() => !processRuns(pid), 5000, 'the supervisor to die');
    const before = api.requests.length;
    const resumed = await runPar(sandbox, ['resume', runId], { cwd: repo, env: claudeEnv() });
    expect(resumed.code).toBe(0);
    const run = await status(runId);
    expect(run.jobs[0]).toMatchObject({ state: 'succeeded', attempt: 2 });
    const after = api.requests.slice(before).filter((request) => request.scenario === 'slow-second');
    // The continued conversation holds the first turn's tool call and par's request to go on.
    expect(after[0]?.turns).toBeGreaterThanOrEqual(1);
    expect(JSON.stringify(after[0]?.body.messages)).toContain('You were interrupted. Continue where you left off');
    expect(run.jobs[0]?.session_id).toBe(outputLines(run.dir, 'wt1').find((line) => line.type === 'system')?.session_id);
  }, 120_000);

  it('speaks the stream-json the simulated agent imitates: the same line types and the fields par reads', async () => {
    await runPar(sandbox, ['run', '-m', `scenario=write file=${wt(1)}/shape.txt`, wt(1)], { cwd: repo, env: claudeEnv() });
    const real = await status();
    useAgent(sandbox, SIM);
    await runPar(sandbox, ['run', '-m', 'sim: turns=1 write=shape.txt', wt(2)], { cwd: repo });
    const simulated = await status();
    const shape = (dir: string, job: string) => {
      const lines = outputLines(dir, job);
      const kinds = new Set(lines.map((line) => `${String(line.type)}${line.type === 'system' ? `/${String(line.subtype)}` : ''}`).filter((kind) => /^(system\/init|assistant|user|result)$/.test(kind)));
      const result = lines.find((line) => line.type === 'result') ?? {};
      const init = lines.find((line) => line.type === 'system' && line.subtype === 'init') ?? {};
      const typeOf = (value: unknown): string => (Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value);
      const fields = (line: Record<string, unknown>, names: string[]) => Object.fromEntries(names.map((name) => [name, typeOf(line[name])]));
      const blocks = new Set(lines.flatMap((line) => ((line.message as { content?: { type: string }[] } | undefined)?.content ?? []).map((block) => `${String(line.type)}:${block.type}`)));
      return {
        kinds: [...kinds].sort(),
        blocks: [...blocks].sort(),
        init: fields(init, ['session_id', 'model', 'cwd']),
        result: fields(result, ['subtype', 'is_error', 'num_turns', 'total_cost_usd', 'usage', 'session_id', 'result', 'permission_denials']),
      };
    };
    expect(shape(simulated.dir, 'wt2')).toEqual(shape(real.dir, 'wt1'));
    expect(shape(real.dir, 'wt1').kinds).toEqual(['assistant', 'result', 'system/init', 'user']);
  }, 60_000);
});
