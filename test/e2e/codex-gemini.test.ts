// par driving the real Codex and Gemini CLIs (pinned dev dependencies), each
// pointed at a loopback stand-in of its own API with a throwaway home. A
// release that changes their command lines or their streams fails here.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { codexHome, geminiHome, startGeminiStandIn, startOpenAiStandIn, type ApiStandIn } from '../helpers/agent-api-stand-ins.js';
import { standInEnv, startStandIn } from '../helpers/anthropic-stand-in.js';
import { git } from '../helpers/git-repo.js';
import { ROOT, runPar, type Sandbox } from '../helpers/par.js';
import { makeSimRuns, runStatus, type RunStatus } from '../helpers/sim-runs.js';

const BIN = join(ROOT, 'node_modules', '.bin');

let sandbox: Sandbox;
let repo: string;
let openai: ApiStandIn;
let gemini: ApiStandIn;
let env: Record<string, string>;

type Job = RunStatus['jobs'][number] & { agent: string | null; tokens: number | null; result: string | null; attempt: number };

beforeEach(async () => {
  ({ sandbox, repo } = makeSimRuns(0));
  [openai, gemini] = await Promise.all([startOpenAiStandIn(), startGeminiStandIn()]);
  const config = readFileSync(sandbox.configFile, 'utf8');
  writeFileSync(sandbox.configFile, `${config}agents:\n  codex: {binary: ${JSON.stringify(join(BIN, 'codex'))}}\n  gemini: {binary: ${JSON.stringify(join(BIN, 'gemini'))}}\n`);
  // gemini writes its error reports to the temporary directory: the sandbox's, not the machine's.
  env = { ...codexHome(sandbox.env.HOME as string, openai), ...geminiHome(sandbox.env.HOME as string, gemini), TMPDIR: sandbox.dir };
});
afterEach(async () => {
  await Promise.all([openai.close(), gemini.close()]);
  sandbox.cleanup();
});

/** The JSON lines of a job's transcript. */
function events(dir: string, job: string): Record<string, unknown>[] {
  return readFileSync(join(dir, 'jobs', job, 'output.log'), 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** The run's one job once it has run again after `attempt` and ended (a message to a finished job starts a new attempt). */
async function ranAgain(run: string, attempt: number): Promise<Job> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const job = (await runStatus(sandbox, repo, run)).jobs[0] as Job;
    if (job.attempt > attempt && ['succeeded', 'failed', 'cancelled', 'timed-out'].includes(job.state)) return job;
    if (Date.now() > deadline) throw new Error(`job ${job.id} did not run again: ${job.state}, attempt ${job.attempt}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const typeOf = (value: unknown): string => (Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value);
const fields = (value: unknown, names: string[]): Record<string, string> => Object.fromEntries(names.map((name) => [name, typeOf((value as Record<string, unknown> | undefined)?.[name])]));

describe('par with the real Codex and Gemini CLIs', () => {
  it('--agent claude,codex,gemini, each real CLI over its stand-in: three attempts at one target, each writing the file on its branch with activity, turns and tokens; compare lists them', async () => {
    // claude too is the real CLI here, over the Anthropic stand-in.
    const anthropic = await startStandIn();
    try {
      writeFileSync(sandbox.configFile, readFileSync(sandbox.configFile, 'utf8').replace(/binary_path: .*/, `binary_path: ${JSON.stringify(join(BIN, 'claude'))}`));
      writeFileSync(join(sandbox.dir, 'notes.md'), '---\ntemplate: true\n---\nWrite the notes. scenario=write file={{.WorktreePath}}/notes.md\n');
      await runPar(sandbox, ['add', '--name', 'notes', '--file', join(sandbox.dir, 'notes.md')]);
      const ran = await runPar(sandbox, ['run', 'notes', '--new', '1', '--agent', 'claude,codex,gemini', '-j', '3'], { cwd: repo, env: { ...env, ...standInEnv(anthropic) } });
      expect(ran.code, ran.stderr + ran.stdout).toBe(0);
    } finally {
      await anthropic.close();
    }
    const run = await runStatus(sandbox, repo);
    const jobs = run.jobs as Job[];
    expect(jobs.map((job) => [job.id, job.target, job.agent, job.state])).toEqual([
      ['t1.v1', 't1', 'claude', 'succeeded'],
      ['t1.v2', 't1', 'codex', 'succeeded'],
      ['t1.v3', 't1', 'gemini', 'succeeded'],
    ]);
    expect(jobs[0]).toMatchObject({ turns: 2, diffstat: { files: 1, insertions: 1, deletions: 0 } });
    expect(jobs[0]?.cost_usd).toBeGreaterThan(0);
    expect(git(repo, 'show', `${jobs[0]?.branch as string}:notes.md`)).toBe('written by claude against the stand-in');
    for (const job of jobs.slice(1)) {
      // Tokens as each agent reports them; no cost, since neither reports one (par never makes one up).
      expect(job).toMatchObject({ result: `Wrote ${join(job.worktree as string, 'notes.md')}.`, cost_usd: null, diffstat: { files: 1, insertions: 1, deletions: 0 } });
      expect(job.turns).toBeGreaterThanOrEqual(2);
      expect(job.tokens).toBeGreaterThan(0);
      expect(git(repo, 'show', `${job.branch as string}:notes.md`)).toBe('hello');
    }
    const compared = await runPar(sandbox, ['compare', run.run], { cwd: repo });
    expect(compared.stdout).toMatch(/^t1\.v2 +codex +succeeded +1 file \+1 -0/m);
    expect(compared.stdout).toMatch(/^t1\.v3 +gemini +succeeded +1 file \+1 -0/m);

    // The shape par reads, checked against what each real CLI printed.
    const codex = events(run.dir, 't1.v2');
    expect(fields(codex.find((event) => event.type === 'thread.started'), ['thread_id'])).toEqual({ thread_id: 'string' });
    const command = codex.find((event) => event.type === 'item.completed' && (event.item as { type?: string }).type === 'command_execution')?.item;
    expect(fields(command, ['id', 'command', 'exit_code', 'status'])).toEqual({ id: 'string', command: 'string', exit_code: 'number', status: 'string' });
    expect(String((command as { command: string }).command)).toMatch(/> \S*notes\.md"?$/);
    expect(fields(codex.find((event) => event.type === 'item.completed' && (event.item as { type?: string }).type === 'agent_message')?.item, ['text'])).toEqual({ text: 'string' });
    expect(fields(codex.find((event) => event.type === 'turn.completed')?.usage, ['input_tokens', 'output_tokens'])).toEqual({ input_tokens: 'number', output_tokens: 'number' });
    const geminiEvents = events(run.dir, 't1.v3');
    expect(fields(geminiEvents.find((event) => event.type === 'init'), ['session_id', 'model'])).toEqual({ session_id: 'string', model: 'string' });
    expect(fields(geminiEvents.find((event) => event.type === 'tool_use'), ['tool_name', 'tool_id', 'parameters'])).toEqual({ tool_name: 'string', tool_id: 'string', parameters: 'object' });
    expect(fields(geminiEvents.find((event) => event.type === 'tool_result'), ['tool_id', 'status'])).toEqual({ tool_id: 'string', status: 'string' });
    expect(fields(geminiEvents.find((event) => event.type === 'message' && event.role === 'assistant'), ['content', 'delta'])).toEqual({ content: 'string', delta: 'boolean' });
    const result = geminiEvents.find((event) => event.type === 'result');
    expect(fields(result, ['status', 'stats'])).toEqual({ status: 'string', stats: 'object' });
    expect(fields(result?.stats, ['total_tokens'])).toEqual({ total_tokens: 'number' });
  }, 120_000);

  it('codex: an API error fails the job with its message; a 429 is retried by par; a finished job takes a message in its own session', async () => {
    openai.failNext(400, 10);
    const failed = await runPar(sandbox, ['run', '-m', 'scenario=write file=a.txt', '--new', '1', '--agent', 'codex', '--retries', '2'], { cwd: repo, env });
    expect(failed.code).toBe(1);
    const bad = (await runStatus(sandbox, repo)).jobs[0] as Job;
    expect(bad).toMatchObject({ state: 'failed', attempt: 1 });
    expect(bad.error).toMatch(/400/);

    // codex (as pinned, with request_max_retries = 1) gives up after one refused request.
    openai.failNext(429, 1);
    const retried = await runPar(sandbox, ['run', '-m', 'scenario=write file=a.txt', '--new', '1', '--agent', 'codex', '--retries', '1'], { cwd: repo, env });
    expect(retried.code, JSON.stringify((await runStatus(sandbox, repo)).jobs)).toBe(0);
    const run = await runStatus(sandbox, repo);
    const job = run.jobs[0] as Job;
    expect(job).toMatchObject({ state: 'succeeded', attempt: 2, result: 'Wrote a.txt.' });
    const journal = readFileSync(join(run.dir, 'events.ndjson'), 'utf8');
    expect(journal).toMatch(/"type":"job\/retrying".*429 Too Many Requests/);

    // The retry was a fresh session; the message continues the one that succeeded.
    const session = job.session_id;
    expect(events(run.dir, 't1').filter((event) => event.type === 'thread.started').at(-1)?.thread_id).toBe(session);
    const sent = await runPar(sandbox, ['send', run.run, 't1', '-m', 'Also say hi'], { cwd: repo, env });
    expect(sent.code, sent.stderr).toBe(0);
    const after = await ranAgain(run.run, job.attempt);
    expect(after).toMatchObject({ state: 'succeeded', result: 'Done: Also say hi' });
    expect(after.session_id).toBe(session);
  }, 120_000);

  it('gemini: a 503 it gives up on is retried by par; a finished job takes a message in its own session', async () => {
    gemini.failNext(503, 2);
    const ran = await runPar(sandbox, ['run', '-m', 'scenario=write file=b.txt', '--new', '1', '--agent', 'gemini', '--retries', '1'], { cwd: repo, env });
    expect(ran.code, JSON.stringify((await runStatus(sandbox, repo)).jobs)).toBe(0);
    const run = await runStatus(sandbox, repo);
    const job = run.jobs[0] as Job;
    expect(job).toMatchObject({ state: 'succeeded', attempt: 2, result: 'Wrote b.txt.' });
    expect(readFileSync(join(job.worktree as string, 'b.txt'), 'utf8')).toBe('hello\n');
    const sent = await runPar(sandbox, ['send', run.run, 't1', '-m', 'Also say hi'], { cwd: repo, env });
    expect(sent.code, sent.stderr).toBe(0);
    const after = await ranAgain(run.run, job.attempt);
    expect(after).toMatchObject({ state: 'succeeded', result: 'Done: Also say hi', session_id: job.session_id });
  }, 180_000);
});
