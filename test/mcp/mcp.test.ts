// `par mcp` from its client's side (DESIGN §16): a client of the reference
// SDK over stdio, and the raw protocol for what goes to stdout.
import { spawn } from 'node:child_process';
import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunEvent } from '../../src/core/events.js';
import { PAR_BIN, runPar, type Sandbox } from '../helpers/par.js';
import { makeSimRuns, runStatus } from '../helpers/sim-runs.js';

let sandbox: Sandbox;
let repo: string;
let client: Client;
const wt = (n: number): string => join(sandbox.dir, `wt${n}`);

async function connect(): Promise<Client> {
  const transport = new StdioClientTransport({ command: process.execPath, args: [PAR_BIN, 'mcp'], env: sandbox.env, cwd: repo, stderr: 'pipe' });
  const connected = new Client({ name: 'par-test', version: '1.0.0' });
  await connected.connect(transport);
  return connected;
}

beforeEach(async () => {
  ({ sandbox, repo } = makeSimRuns(3));
  client = await connect();
});
afterEach(async () => {
  await client.close();
  await runPar(sandbox, ['cancel'], { cwd: repo }).catch(() => undefined);
  sandbox.cleanup();
});

const call = async (name: string, args: Record<string, unknown> = {}): Promise<CallToolResult> => (await client.callTool({ name, arguments: args })) as CallToolResult;
const text = (result: CallToolResult): string => result.content.map((block) => (block.type === 'text' ? block.text : '')).join('');
const journal = (dir: string): RunEvent[] => readFileSync(join(dir, 'events.ndjson'), 'utf8').split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as RunEvent);

describe('par mcp', () => {
  it('lists its tools, each with a description and a schema of the arguments §16 names', async () => {
    const { tools } = await client.listTools();
    const byName = Object.fromEntries(tools.map((tool) => [tool.name, tool]));
    expect(Object.keys(byName).sort()).toEqual(['answer', 'approve', 'cancel', 'compare', 'deny', 'inbox', 'interrupt', 'job_log', 'job_result', 'keep', 'land', 'list_prompts', 'list_worktrees', 'run_status', 'send_message', 'start_run', 'wait_run']);
    for (const tool of tools) expect(tool.description?.length, tool.name).toBeGreaterThan(40);
    const properties = (name: string): string[] => Object.keys((byName[name]?.inputSchema.properties ?? {}) as object).sort();
    expect(properties('start_run')).toEqual(['agent', 'base', 'jobs', 'message', 'new', 'prompt', 'tasks', 'variants', 'worktrees']);
    expect(properties('wait_run')).toEqual(['run', 'timeout_s']);
    expect(properties('approve')).toEqual(['job', 'request_id', 'run']);
    expect(properties('answer')).toEqual(['job', 'options', 'request_id', 'run']);
    expect(properties('send_message')).toEqual(['all', 'job', 'run', 'text']);
    expect(byName.run_status?.inputSchema.required).toEqual(['run']);
    // No tool takes a permission mode: none can lower one.
    expect(JSON.stringify(tools)).not.toMatch(/permission_?mode|bypass/i);
  });

  it('starts a run of 2 jobs that is an ordinary run, follows it to its end with wait_run, and reads its results', async () => {
    const started = await call('start_run', { message: 'sim: turns=2 duration=300ms edit=README.md', worktrees: [wt(1), wt(2)] });
    expect(started.isError).toBeFalsy();
    const run = (started.structuredContent as { run: string }).run;
    expect(JSON.parse(text(started))).toEqual({ run });
    const waited = await call('wait_run', { run, timeout_s: 30 });
    expect(waited.structuredContent).toMatchObject({ waited: 'ended', run, state: 'succeeded' });
    const status = await runStatus(sandbox, repo, run);
    const { waited: _waited, ...same } = waited.structuredContent as Record<string, unknown>;
    expect(same).toEqual({ run, state: status.state, started_at: expect.any(String), finished_at: expect.any(String), dir: status.dir, jobs: status.jobs });
    expect((await call('run_status', { run: run.slice(0, 17) })).structuredContent).toMatchObject({ run, jobs: status.jobs });
    const result = await call('job_result', { run, job: 'wt1' });
    expect(result.structuredContent).toMatchObject({ job: 'wt1', state: 'succeeded', result: expect.stringContaining('Done'), diffstat: { files: 1, insertions: 1, deletions: 0 }, branch: 'b1', turns: 3 });
    const log = await call('job_log', { run, job: 'wt2', tail: 3 });
    expect((log.structuredContent as { lines: string[] }).lines).toHaveLength(3);
    expect((log.structuredContent as { lines: string[] }).lines.at(-1)).toMatch(/^✓ done \(3 turns, \$[\d.]+\)$/);
    // A list of tasks: a job each, in fresh worktrees.
    const tasks = await call('start_run', { tasks: ['sim: turns=1 duration=100ms write=a.txt', 'sim: turns=1 duration=100ms write=b.txt'] });
    const byTasks = await call('wait_run', { run: (tasks.structuredContent as { run: string }).run, timeout_s: 30 });
    expect(byTasks.structuredContent).toMatchObject({ waited: 'ended', state: 'succeeded', jobs: [{ id: 't1', state: 'succeeded' }, { id: 't2', state: 'succeeded' }] });
    // Landed through the queue, onto the branch checked out in the run's repository.
    const landed = await call('land', { run: (tasks.structuredContent as { run: string }).run });
    expect(landed.structuredContent).toMatchObject({ onto: 'main', outcomes: [{ outcome: 'landed' }, { outcome: 'landed' }] });
    // Jobs in worktrees par did not make left their work uncommitted: said, not landed.
    const skipped = await call('land', { run });
    const outcomes = (skipped.structuredContent as { outcomes: { job: string }[] }).outcomes.sort((a, b) => a.job.localeCompare(b.job));
    expect(outcomes).toMatchObject([{ job: 'wt1', outcome: 'skipped', detail: expect.stringContaining('uncommitted changes') }, { job: 'wt2', outcome: 'skipped' }]);
    // Best-of-N over MCP: a run of no attempts says so; one of three keeps one.
    expect(text(await call('compare', { run }))).toMatch(/has no attempts to compare: par run --variants N/);
    const best = (await call('start_run', { message: 'sim: turns=1 edit=README.md line=random', new: 1, variants: 3, jobs: 3 })).structuredContent as { run: string };
    expect((await call('wait_run', { run: best.run, timeout_s: 30 })).structuredContent).toMatchObject({ waited: 'ended', state: 'succeeded' });
    const compared = (await call('compare', { run: best.run })).structuredContent as { targets: { target: string; variants: { job: string; files_in_common: string[] }[] }[] };
    expect(compared.targets.map((target) => [target.target, target.variants.map((variant) => [variant.job, variant.files_in_common])])).toEqual([['t1', [['t1.v1', ['README.md']], ['t1.v2', ['README.md']], ['t1.v3', ['README.md']]]]]);
    const kept = await call('keep', { run: best.run, job: 't1.v2' });
    expect(kept.structuredContent).toMatchObject({ ok: true, said: [expect.stringMatching(/^Kept t1\.v2: Landed t1\.v2 on main\.$/), expect.stringMatching(/^discarded .*t1\.v1/), expect.stringMatching(/^discarded .*t1\.v3/)] });
    const prompts = await call('list_prompts');
    expect(prompts.structuredContent).toEqual({ prompts: [] });
    const worktrees = (await call('list_worktrees')).structuredContent as { worktrees: { path: string; valid: boolean }[] };
    expect(worktrees.worktrees.map((item) => item.path)).toEqual(expect.arrayContaining([wt(1), wt(2), wt(3)]));
  }, 60_000);

  it('answers bad arguments with a tool error naming the argument and the fix, and goes on serving', async () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ prompt: 'nosuch', worktrees: [wt(1)] }, /no prompt named 'nosuch'/],
      [{ message: 'x', worktrees: [sandbox.dir] }, /is not a git worktree/],
      [{ message: 'x', worktrees: [wt(1)], jobs: 0 }, /jobs takes a whole number of 1 or more/],
      [{ message: 'x' }, /Say where to run: worktrees .*, new .* or tasks/],
      [{ prompt: 'a', message: 'b', worktrees: [wt(1)] }, /Give prompt or message, not both/],
      [{ worktrees: [wt(1)] }, /Give prompt .*, message .* or tasks/],
    ];
    for (const [args, expected] of cases) {
      const result = await call('start_run', args);
      expect(result.isError, JSON.stringify(args)).toBe(true);
      expect(text(result)).toMatch(expected);
    }
    expect(text(await call('run_status', { run: 'nosuch' }))).toMatch(/There are no runs yet; start one/);
    expect(text(await call('wait_run', { run: 'x', timeout_s: 0 }))).toMatch(/timeout_s takes 1 to 600 seconds/);
    // Still serving.
    expect((await call('inbox')).structuredContent).toEqual({ items: [] });
  });

  it('answers a permission request only with mcp.allow_answers, never "always", and only the request it names', async () => {
    const started = await call('start_run', { message: 'sim: turns=1 duration=300ms ask=curl_example.com', worktrees: [wt(1)] });
    const run = (started.structuredContent as { run: string }).run;
    const waited = await call('wait_run', { run, timeout_s: 20 });
    expect(waited.structuredContent).toMatchObject({ waited: 'needs-input' });
    const items = ((await call('inbox')).structuredContent as { items: { run: string; job: string; request_id: string; summary: string }[] }).items;
    expect(items).toEqual([expect.objectContaining({ run, job: 'wt1', summary: 'asks: Bash curl example.com' })]);
    const request = (items[0] as { request_id: string }).request_id;
    const refused = await call('approve', { run, job: 'wt1', request_id: request });
    expect(refused.isError).toBe(true);
    expect(text(refused)).toContain('par config set mcp.allow_answers true');
    // Turned on, by a person, for a new server.
    appendFileSync(sandbox.configFile, 'mcp:\n  allow_answers: true\n');
    await client.close();
    client = await connect();
    expect(text(await call('approve', { run, job: 'wt1', request_id: 'other' }))).toMatch(new RegExp(`not waiting on request other \\(it waits on ${request}\\)`));
    const allowed = await call('approve', { run, job: 'wt1', request_id: request });
    expect(allowed.structuredContent).toEqual({ ok: true, said: ['wt1: allowed.'] });
    expect((await call('wait_run', { run, timeout_s: 20 })).structuredContent).toMatchObject({ waited: 'ended', state: 'succeeded' });
    const decided = journal((await runStatus(sandbox, repo, run)).dir).filter((event) => event.type === 'job/permission');
    expect(decided).toEqual([expect.objectContaining({ decision: 'allow', by: 'person', via: 'mcp', rule: null })]);
  }, 60_000);

  it('writes nothing but the protocol to stdout, and ends when stdin closes, leaving its runs going', async () => {
    const child = spawn(process.execPath, [PAR_BIN, 'mcp'], { cwd: repo, env: sandbox.env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    const send = (message: Record<string, unknown>): void => void child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', ...message })}\n`);
    send({ id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } });
    send({ method: 'notifications/initialized' });
    send({ id: 2, method: 'tools/call', params: { name: 'start_run', arguments: { message: 'sim: turns=2 duration=4s', worktrees: [wt(3)] } } });
    const deadline = Date.now() + 15_000;
    while (!stdout.includes('"id":2') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    child.stdin.end();
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n');
    for (const line of lines) expect(JSON.parse(line)).toMatchObject({ jsonrpc: '2.0' });
    const reply = JSON.parse(lines.find((line) => line.includes('"id":2')) as string) as { result: { structuredContent: { run: string } } };
    expect((await runStatus(sandbox, repo, reply.result.structuredContent.run)).state).toBe('running');
  }, 30_000);
});
