// The two-way channel against the real Claude Code CLI (the pinned dev
// dependency) over a loopback stand-in of the Anthropic API: permission
// requests decided by par's policy or by a person, questions, messages,
// interrupts, plans and usage limits, each as the CLI really speaks them.
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunEvent } from '../../src/core/events.js';
import { standInEnv, startStandIn, type StandIn } from '../helpers/anthropic-stand-in.js';
import { ROOT, eventually, runPar, type Sandbox } from '../helpers/par.js';
import { makeSimRuns, runStatus, useAgent, type RunStatus } from '../helpers/sim-runs.js';

const CLAUDE = join(ROOT, 'node_modules', '.bin', 'claude');

let sandbox: Sandbox;
let repo: string;
let api: StandIn;
const wt = (n: number): string => join(sandbox.dir, `wt${n}`);
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

const runDir = (run: string): string => join(sandbox.dir, 'data', 'par', 'runs', run);
function journal(run: string): RunEvent[] {
  return readFileSync(join(runDir(run), 'events.ndjson'), 'utf8').split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as RunEvent);
}
const decisions = (run: string) => journal(run).flatMap((event) => (event.type === 'job/permission' ? [{ input: event.input, decision: event.decision, by: event.by, rule: event.rule }] : []));
async function detached(args: string[]): Promise<string> {
  const result = await runPar(sandbox, [...args, '--detach'], { cwd: repo, env: claudeEnv() });
  expect(result.stderr).toBe('');
  return result.stdout.trim();
}
async function waitingJob(run: string): Promise<RunStatus['jobs'][number]> {
  let job: RunStatus['jobs'][number] | undefined;
  for (let tries = 0; tries < 300; tries++) {
    job = (await runStatus(sandbox, repo, run)).jobs[0];
    if (job?.state === 'needs-input' || (job && ['succeeded', 'failed', 'cancelled'].includes(job.state))) return job;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the job never waited: ${JSON.stringify(job)}`);
}

describe('permission requests over the channel, with the real CLI', () => {
  it('policy denies, policy allows, a person approves, a person denies with a reason: each journaled, each told to the model', async () => {
    const run = await detached(['run', '-m', 'Clean up. scenario=commands commands=rm_-rf_~/x,npm_test,curl_-s_http://127.0.0.1:9/,git_push_origin_main', wt(1)]);
    let job = await waitingJob(run);
    expect(job).toMatchObject({ state: 'needs-input', pending: { kind: 'permission', tool: 'Bash', input: { command: 'curl -s http://127.0.0.1:9/' } } });
    const inbox = await runPar(sandbox, ['inbox'], { cwd: repo });
    expect(inbox.stdout).toContain(`${run}  wt1  asks: Bash curl -s http://127.0.0.1:9/`);
    expect(inbox.stdout).toContain(`→ par approve ${run} wt1  |  par deny ${run} wt1 -m '…'`);
    const approved = await runPar(sandbox, ['approve', run, 'wt1'], { cwd: repo });
    expect(approved.stderr).toBe('');
    expect(approved.stdout).toBe('wt1: allowed.\n');
    job = await waitingJob(run);
    expect(job.pending).toMatchObject({ tool: 'Bash', input: { command: 'git push origin main' } });
    const denied = await runPar(sandbox, ['deny', run, 'wt1', '-m', 'no deploys from here'], { cwd: repo });
    expect(denied.stdout).toBe('wt1: denied, told: no deploys from here.\n');
    await eventually(() => journal(run).some((event) => event.type === 'run/finished'), 60_000, 'the run to finish');
    expect(decisions(run)).toEqual([
      { input: 'rm -rf ~/x', decision: 'deny', by: 'preset', rule: "safe: rm -r outside the job's worktree" },
      { input: 'npm test', decision: 'allow', by: 'preset', rule: 'safe: a test, lint or build command' },
      { input: 'curl -s http://127.0.0.1:9/', decision: 'allow', by: 'person', rule: null },
      { input: 'git push origin main', decision: 'deny', by: 'person', rule: null },
    ]);
    // The model was told of each denial in its next request.
    const told = api.requests.map((request) => request.toolResults);
    expect(told[1]).toContain("denied by par's permission policy (safe: rm -r outside the job's worktree)");
    expect(told[4]).toContain('no deploys from here');
    expect((await runStatus(sandbox, repo, run)).jobs[0]).toMatchObject({ state: 'succeeded', turns: 5 });
  }, 120_000);
});

describe('questions, messages, interrupts and plans over the channel, with the real CLI', () => {
  it('the safe preset denies rm -rf ~/x and cat .env without asking anyone; --on-ask deny refuses what no rule decides', async () => {
    writeFileSync(join(wt(1), '.env'), 'SECRET=hunter2\n');
    const run = await detached(['run', '-m', 'Tidy. scenario=commands commands=rm_-rf_~/x,cat_.env,curl_-s_http://127.0.0.1:9/', wt(1), '--on-ask', 'deny']);
    await eventually(() => journal(run).some((event) => event.type === 'run/finished'), 60_000, 'the run to finish');
    expect(journal(run).some((event) => event.type === 'job/needs-input')).toBe(false);
    const seen = decisions(run);
    expect(seen.find((decision) => decision.input === 'rm -rf ~/x')).toMatchObject({ decision: 'deny', by: 'preset' });
    expect(seen.find((decision) => decision.input === 'curl -s http://127.0.0.1:9/')).toMatchObject({ decision: 'deny', by: 'rule', rule: '--on-ask deny' });
    expect(seen.find((decision) => decision.input === 'cat .env')).toMatchObject({ decision: 'deny', by: 'cli' });
    expect(JSON.stringify(api.requests.map((request) => request.toolResults))).not.toContain('hunter2');
  }, 90_000);

  it('a question (AskUserQuestion) answered with par answer: the model gets the chosen option', async () => {
    const run = await detached(['run', '-m', 'Set up storage. scenario=ask question=Which_database? options=Postgres,SQLite', wt(1)]);
    const job = await waitingJob(run);
    expect(job).toMatchObject({ state: 'needs-input', pending: { kind: 'question', tool: 'AskUserQuestion' } });
    const wrong = await runPar(sandbox, ['answer', run, 'wt1', 'MySQL'], { cwd: repo });
    expect(wrong).toMatchObject({ code: 2, stderr: "par: 'MySQL' is not an option; choose 1 (Postgres), 2 (SQLite).\n" });
    const answered = await runPar(sandbox, ['answer', run, 'wt1', '2'], { cwd: repo });
    expect(answered.stdout).toBe('wt1: answered "SQLite".\n');
    await eventually(() => journal(run).some((event) => event.type === 'run/finished'), 60_000, 'the run to finish');
    expect(api.requests.at(-1)?.toolResults).toContain('"Which database?"="SQLite"');
  }, 90_000);
});

describe('conversations of several turns, with the real CLI', () => {
  it('a message sent to a running job is its next turn in the same session; one sent to a finished job continues its session as a new attempt, committed', async () => {
    const run = await detached(['run', '-m', `Start. scenario=write file=first.txt delay=2500`, '--new', '1']);
    const status = await runStatus(sandbox, repo, run);
    await eventually(() => api.requests.length > 0, 30_000, 'the first request');
    const sent = await runPar(sandbox, ['send', run, '--all', '-m', 'Also this. scenario=write file=second.txt'], { cwd: repo });
    expect(sent.stdout).toMatch(/: queued for its next turn\.\n$/);
    await eventually(() => journal(run).some((event) => event.type === 'run/finished'), 60_000, 'the run to finish');
    let job = (await runStatus(sandbox, repo, run)).jobs[0] as RunStatus['jobs'][number];
    expect(job).toMatchObject({ state: 'succeeded', attempt: 1 });
    expect(journal(run).filter((event) => event.type === 'job/started')).toHaveLength(1);
    // Both turns in one session: the second request holds the first turn's conversation.
    const second = api.requests.filter((request) => JSON.stringify(request.body.messages).includes('second.txt'));
    expect(JSON.stringify(second[0]?.body.messages)).toContain('first.txt');
    expect(readFileSync(join(job.worktree as string, 'second.txt'), 'utf8')).toContain('stand-in');

    // The run is over: the message continues the job's session under a new supervisor.
    // (The new supervisor starts from this par: it gets the stand-in's environment too.)
    const continued = await runPar(sandbox, ['send', run, job.id, '-m', 'One more. scenario=write file=third.txt'], { cwd: repo, env: claudeEnv() });
    expect(continued.stdout).toBe(`${job.id}: its session continues as a new attempt (par status ${run}).\n`);
    await eventually(() => journal(run).filter((event) => event.type === 'run/finished').length === 2, 60_000, 'the continued run to finish');
    job = (await runStatus(sandbox, repo, run)).jobs[0] as RunStatus['jobs'][number];
    expect(job).toMatchObject({ state: 'succeeded', attempt: 2, session_id: status.jobs[0]?.session_id ?? job.session_id });
    const started = journal(run).filter((event) => event.type === 'job/started');
    expect(started[1]).toMatchObject({ attempt: 2, session_id: started[0]?.type === 'job/started' ? started[0].session_id : null });
    expect(readFileSync(join(job.worktree as string, 'third.txt'), 'utf8')).toContain('stand-in');
    const log = (await import('../helpers/git-repo.js')).git(repo, 'log', '--format=%s', job.branch as string);
    expect(log.split('\n').filter((line) => line.startsWith('par:'))).toHaveLength(2);
  }, 120_000);

  it('an interrupt stops a long turn; the job waits for instructions and goes on with the next message', async () => {
    const run = await detached(['run', '-m', `Slow. scenario=write file=${wt(1)}/slow.txt delay=60000`, wt(1)]);
    await eventually(() => api.requests.length > 0, 30_000, 'the first request');
    const interrupted = await runPar(sandbox, ['interrupt', run, 'wt1'], { cwd: repo });
    expect(interrupted.stdout).toBe(`wt1: interrupted; it waits for instructions (par send ${run} wt1 -m …).\n`);
    const job = await waitingJob(run);
    expect(job).toMatchObject({ state: 'needs-input', pending: { kind: 'instructions' } });
    await runPar(sandbox, ['send', run, 'wt1', '-m', `Do this instead. scenario=write file=${wt(1)}/instead.txt`], { cwd: repo });
    await eventually(() => journal(run).some((event) => event.type === 'run/finished'), 60_000, 'the run to finish');
    expect((await runStatus(sandbox, repo, run)).jobs[0]).toMatchObject({ state: 'succeeded', attempt: 1 });
    expect(readFileSync(join(wt(1), 'instead.txt'), 'utf8')).toContain('stand-in');
  }, 120_000);

  it('--plan: the plan comes through ExitPlanMode over the channel, par records it, the job waits for approval, then executes', async () => {
    const run = await detached(['run', '-m', `Plan it. scenario=plan file=${wt(1)}/README.md`, wt(1), '--plan']);
    await eventually(() => journal(run).some((event) => event.type === 'job/plan-ready'), 60_000, 'the plan');
    const ready = journal(run).find((event) => event.type === 'job/plan-ready');
    expect(ready).toMatchObject({ plan: '1. Edit the title\n2. Run the tests' });
    // ExitPlanMode comes as a permission request (its input empty in this CLI: the plan is read from the tool call), denied by par as recorded.
    expect(decisions(run)).toEqual([{ input: '{}', decision: 'deny', by: 'rule', rule: 'plan recorded for review' }]);
    expect(journal(run).filter((event) => event.type === 'job/started')).toHaveLength(1);
    await runPar(sandbox, ['approve', run, 'wt1'], { cwd: repo });
    await eventually(() => journal(run).some((event) => event.type === 'run/finished'), 60_000, 'the run to finish');
    const started = journal(run).filter((event) => event.type === 'job/started');
    expect(started.map((event) => event.type === 'job/started' && event.phase)).toEqual(['plan', undefined]);
    expect((await runStatus(sandbox, repo, run)).jobs[0]).toMatchObject({ state: 'succeeded', attempt: 1, plan: '1. Edit the title\n2. Run the tests' });
  }, 120_000);
});

describe('usage limits, with the real CLI', () => {
  it('a job of a -j 4 run that hits the subscription limit pauses until the reset; no other job starts meanwhile; every job finishes after it', async () => {
    // Subscription credentials, as claude keeps them: with these (and no API key) it reports its usage window.
    mkdirSync(join(sandbox.home, '.claude'), { recursive: true });
    const expiresAt = Date.now() + 3_600_000;
    writeFileSync(join(sandbox.home, '.claude', '.credentials.json'), JSON.stringify({ claudeAiOauth: { accessToken: 'sk-ant-oat01-stand-in', refreshToken: 'sk-ant-ort01-stand-in', expiresAt, scopes: ['user:inference', 'user:profile', 'user:sessions:claude_code'], subscriptionType: 'max' } }));
    const resetsAt = Math.floor(Date.now() / 1000) + 8;
    api.limitNext('limited', resetsAt, 1);
    const env = { ANTHROPIC_BASE_URL: api.url, CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1' };
    const result = await runPar(sandbox, ['run', '-m', 'Go. scenario=limited', '--new', '6', '-j', '4'], { cwd: repo, env });
    const run = (await runStatus(sandbox, repo)).run;
    const events = journal(run);
    const paused = events.filter((event) => event.type === 'job/paused');
    expect(paused.length).toBeGreaterThanOrEqual(1);
    const first = paused[0] as Extract<RunEvent, { type: 'job/paused' }>;
    expect(Date.parse(first.resets_at) / 1000).toBe(resetsAt);
    // Nothing started between the limit and its reset.
    const startedWhilePaused = events.filter((event) => event.type === 'job/started' && event.at > first.at && Date.parse(event.at) < resetsAt * 1000);
    expect(startedWhilePaused).toEqual([]);
    expect(result.code).toBe(0);
    const jobs = (await runStatus(sandbox, repo, run)).jobs;
    expect(jobs.map((job) => job.state)).toEqual(['succeeded', 'succeeded', 'succeeded', 'succeeded', 'succeeded', 'succeeded']);
    // The paused job continued its own session after the reset.
    const again = events.filter((event) => event.type === 'job/started' && event.job === first.job);
    expect(again).toHaveLength(2);
    expect(JSON.parse(readFileSync(join(sandbox.dir, 'data', 'par', 'limits.json'), 'utf8'))).toMatchObject({ [join(sandbox.home, '.claude')]: { resets_at: resetsAt, type: 'five_hour' } });
  }, 120_000);
});

describe('the permission classifier, with the real CLI', () => {
  it('turns asks into allow or deny; an error falls back to asking a person; it never overrides a rule', async () => {
    appendFileSync(sandbox.configFile, 'permissions:\n  classifier: {agent: claude, model: claude-haiku-4-5}\n');
    api.classifierAnswers['127.0.0.1:9'] = 'ALLOW';
    api.classifierAnswers['git push'] = 'DENY';
    api.classifierAnswers['127.0.0.1:7'] = '500';
    api.classifierAnswers['rm -rf'] = 'ALLOW';
    const run = await detached(['run', '-m', 'Go. scenario=commands commands=curl_-s_http://127.0.0.1:9/,git_push_origin_main,rm_-rf_~/x,curl_-s_http://127.0.0.1:7/', wt(1)]);
    const job = await waitingJob(run);
    expect(job.pending).toMatchObject({ input: { command: 'curl -s http://127.0.0.1:7/' } });
    await runPar(sandbox, ['deny', run, 'wt1'], { cwd: repo });
    await eventually(() => journal(run).some((event) => event.type === 'run/finished'), 60_000, 'the run to finish');
    expect(decisions(run)).toEqual([
      { input: 'curl -s http://127.0.0.1:9/', decision: 'allow', by: 'classifier', rule: 'claude-haiku-4-5' },
      { input: 'git push origin main', decision: 'deny', by: 'classifier', rule: 'claude-haiku-4-5' },
      { input: 'rm -rf ~/x', decision: 'deny', by: 'preset', rule: "safe: rm -r outside the job's worktree" },
      { input: 'curl -s http://127.0.0.1:7/', decision: 'deny', by: 'person', rule: null },
    ]);
    // The preset decided rm -rf ~/x: the classifier was never asked about it.
    expect(api.requests.filter((request) => request.scenario === 'classifier').map((request) => JSON.stringify(request.body.messages).includes('rm -rf'))).not.toContain(true);
  }, 120_000);
});

describe('the simulated agent speaks the channel as the real CLI does', () => {
  it('the same line types, control requests of the same shape, user messages echoed, one result a turn', async () => {
    const realRun = await detached(['run', '-m', 'Go. scenario=commands commands=curl_-s_http://127.0.0.1:9/', wt(1), '--on-ask', 'deny']);
    await eventually(() => journal(realRun).some((event) => event.type === 'run/finished'), 60_000, 'the real run to finish');
    useAgent(sandbox, join(ROOT, 'assets', 'sim-agent.mjs'));
    const simRun = await detached(['run', '-m', 'Go.\nsim: turns=1 duration=100ms ask=curl_-s_http://127.0.0.1:9/', wt(2), '--on-ask', 'deny']);
    await eventually(() => journal(simRun).some((event) => event.type === 'run/finished'), 60_000, 'the simulated run to finish');
    const lines = (run: string, job: string): Record<string, unknown>[] =>
      readFileSync(join(runDir(run), 'jobs', job, 'output.log'), 'utf8').split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Record<string, unknown>);
    const shape = (run: string, job: string) => {
      const all = lines(run, job);
      const kinds = [...new Set(all.map((line) => `${String(line.type)}${line.type === 'system' ? `/${String(line.subtype)}` : ''}`).filter((kind) => /^(system\/init|assistant|user|result|control_request)$/.test(kind)))].sort();
      const request = all.find((line) => line.type === 'control_request') ?? {};
      const body = (request.request ?? {}) as Record<string, unknown>;
      const echoed = all.find((line) => line.type === 'user' && JSON.stringify(line).includes('"type":"text"')) ?? {};
      return {
        kinds,
        request: Object.keys(request).sort(),
        body: ['subtype', 'tool_name', 'input', 'tool_use_id'].map((key) => [key, typeof body[key]]),
        echoed: typeof ((echoed.message as { content?: unknown[] } | undefined)?.content?.[0] as { text?: unknown } | undefined)?.text,
        results: all.filter((line) => line.type === 'result').length,
      };
    };
    expect(shape(simRun, 'wt2')).toEqual(shape(realRun, 'wt1'));
    expect(shape(realRun, 'wt1').kinds).toEqual(['assistant', 'control_request', 'result', 'system/init', 'user']);
  }, 120_000);
});
