// par land --resolve with the real Claude Code CLI (the pinned dev
// dependency) over the stand-in of the Anthropic API: two jobs append to
// the same file; the second conflicts, its session is continued to merge
// the target and resolve the file, and it lands on the second try.
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunEvent } from '../../src/core/events.js';
import { standInEnv, startStandIn, type StandIn } from '../helpers/anthropic-stand-in.js';
import { git } from '../helpers/git-repo.js';
import { ROOT, runPar, type Sandbox } from '../helpers/par.js';
import { makeSimRuns, runStatus, useAgent } from '../helpers/sim-runs.js';

const CLAUDE = join(ROOT, 'node_modules', '.bin', 'claude');

let sandbox: Sandbox;
let repo: string;
let api: StandIn;

beforeEach(async () => {
  ({ sandbox, repo } = makeSimRuns(0, { 'README.md': '# app\n', 'a.txt': 'one\n' }));
  useAgent(sandbox, CLAUDE);
  // The scripted model resolves with Bash: let the permission policy allow it.
  appendFileSync(sandbox.configFile, 'permissions:\n  default: allow\n');
  api = await startStandIn();
});
afterEach(async () => {
  await api.close();
  sandbox.cleanup();
});

describe('par land --resolve with the real Claude Code CLI', () => {
  it('continues a conflicting job’s session to merge the target and resolve the file, and lands it on the second try', async () => {
    const tasks = join(sandbox.dir, 'tasks.json');
    writeFileSync(tasks, JSON.stringify({ prompts: ['Add a line. scenario=commands commands=echo_from_t1_>>_a.txt', 'Add a line. scenario=commands commands=echo_from_t2_>>_a.txt'] }));
    // The agent commits its merge as a person would: with a git identity.
    const env = { ...standInEnv(api), GIT_AUTHOR_NAME: 'agent', GIT_AUTHOR_EMAIL: 'agent@par.invalid', GIT_COMMITTER_NAME: 'agent', GIT_COMMITTER_EMAIL: 'agent@par.invalid' };
    const ran = await runPar(sandbox, ['run', '--tasks', tasks, '-j', '2'], { cwd: repo, env });
    expect(ran.code, ran.stdout + ran.stderr).toBe(0);
    const run = await runStatus(sandbox, repo);
    expect(run.jobs.map((job) => (job as unknown as { overlaps: { job: string; files: string[] }[] }).overlaps.map((other) => other.files))).toEqual([[['a.txt']], [['a.txt']]]);
    const landed = await runPar(sandbox, ['land', run.run, '--resolve'], { cwd: repo, env });
    expect(landed.code, landed.stdout + landed.stderr).toBe(0);
    expect(landed.stderr).toMatch(/^t[12]: conflict in a\.txt; its agent resolves it \(--resolve\)…$/m);
    expect(landed.stdout).toMatch(/^t1 +landed/m);
    expect(landed.stdout).toMatch(/^t2 +landed/m);
    // Both lines on main, no conflict markers; the resolved job ran a second attempt of its session.
    const lines = readFileSync(join(repo, 'a.txt'), 'utf8').split('\n').filter(Boolean);
    expect(lines.sort()).toEqual(['from t1', 'from t2', 'one']);
    expect(git(repo, 'status', '--porcelain')).toBe('');
    const after = await runStatus(sandbox, repo, run.run);
    const resolved = after.jobs.find((job) => job.attempt > 0);
    expect(resolved).toMatchObject({ state: 'succeeded', landing: { outcome: 'landed', onto: 'main' } });
    expect(api.requests.filter((request) => request.scenario === 'resolve').map((request) => request.turns)).toEqual([0, 1, 2]);
    const events = readFileSync(join(run.dir, 'events.ndjson'), 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as RunEvent);
    expect(events.filter((event) => event.type === 'job/landed')).toHaveLength(2);
  }, 180_000);
});
