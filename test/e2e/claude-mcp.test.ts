// par as the tools of the real Claude Code CLI (the pinned dev dependency):
// claude, pointed at the stand-in of the Anthropic API, loads `par mcp` from
// --mcp-config; the stand-in's scripted model calls par's tools to start a
// run, wait for it and read its status, and the run really happens.
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { standInEnv, startStandIn, type StandIn } from '../helpers/anthropic-stand-in.js';
import { PAR_BIN, ROOT, runPar, type Sandbox } from '../helpers/par.js';
import { makeSimRuns, runStatus } from '../helpers/sim-runs.js';

const CLAUDE = join(ROOT, 'node_modules', '.bin', 'claude');

let sandbox: Sandbox;
let repo: string;
let api: StandIn;

beforeEach(async () => {
  ({ sandbox, repo } = makeSimRuns(2));
  api = await startStandIn();
});
afterEach(async () => {
  await api.close();
  await runPar(sandbox, ['cancel'], { cwd: repo }).catch(() => undefined);
  sandbox.cleanup();
});

describe('par mcp with the real Claude Code CLI', () => {
  it('claude starts a par run of 2 jobs through the MCP tools, waits for it and reports their result; par status shows the same run', async () => {
    const config = join(sandbox.dir, 'mcp.json');
    writeFileSync(config, JSON.stringify({ mcpServers: { par: { type: 'stdio', command: process.execPath, args: [PAR_BIN, 'mcp'], env: sandbox.env } } }));
    const worktrees = [join(sandbox.dir, 'wt1'), join(sandbox.dir, 'wt2')];
    const args = ['-p', `Run the task in both worktrees with par. scenario=orchestrate worktrees=${worktrees.join(',')}`, '--mcp-config', config, '--strict-mcp-config', '--allowedTools', 'mcp__par__start_run,mcp__par__wait_run,mcp__par__run_status', '--output-format', 'json'];
    const { stdout } = await new Promise<{ stdout: string; stderr: string }>((resolve, reject) => {
      execFile(CLAUDE, args, { cwd: repo, env: { ...sandbox.env, ...standInEnv(api) }, timeout: 90_000 }, (error, out, err) => (error ? reject(new Error(`${error.message}\n${out}\n${err}`)) : resolve({ stdout: out, stderr: err })));
    });
    const final = JSON.parse(stdout) as { result: string; is_error: boolean };
    expect(final.is_error).toBe(false);
    const run = /^Run (\S+): /.exec(final.result)?.[1] as string;
    expect(final.result).toBe(`Run ${run}: wt1 succeeded, wt2 succeeded.`);
    // The model's calls, as the API saw them: each tool's result came back to it.
    const calls = api.requests.filter((request) => request.scenario === 'orchestrate');
    expect(calls.map((request) => request.turns)).toEqual([0, 1, 2, 3]);
    expect(calls[1]?.toolResults).toContain(run);
    const status = await runStatus(sandbox, repo, run);
    expect(status.state).toBe('succeeded');
    expect(status.jobs.map((job) => [job.id, job.state, job.worktree])).toEqual([
      ['wt1', 'succeeded', worktrees[0]],
      ['wt2', 'succeeded', worktrees[1]],
    ]);
  }, 120_000);
});
