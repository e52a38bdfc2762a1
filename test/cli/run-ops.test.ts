import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SIM, makeSimRuns, runStatus, type RunStatus } from '../helpers/sim-runs.js';
import { git, makeRepo } from '../helpers/git-repo.js';
import { eventually, runPar, type Sandbox } from '../helpers/par.js';

let sandbox: Sandbox;
let repo: string;
const wt = (n: number): string => join(sandbox.dir, `wt${n}`);
const status = (run?: string): Promise<RunStatus> => runStatus(sandbox, repo, run);

beforeEach(() => {
  ({ sandbox, repo } = makeSimRuns(8));
});
afterEach(() => sandbox.cleanup());

async function addTemplate(name: string, body: string): Promise<void> {
  writeFileSync(join(sandbox.dir, `${name}.md`), `---\ntemplate: true\n---\n${body}`);
  await runPar(sandbox, ['add', '--name', name, '--force', '--file', join(sandbox.dir, `${name}.md`)]);
}

describe('retries, fail-fast and budgets', () => {
  it('retries a retryable failure with backoff, each attempt a fresh session, until it succeeds', async () => {
    const counter = join(sandbox.dir, 'attempts');
    const result = await runPar(sandbox, ['run', '-m', `sim: retryable=529 succeed-on=3 counter=${counter} turns=1`, wt(1)], { cwd: repo });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/wt1 {2}retrying {2}retrying \(1\/2\), retrying in [\d.]+s {2}after: API Error: 529 Overloaded/);
    const run = await status();
    expect(run.jobs[0]).toMatchObject({ state: 'succeeded', attempt: 3 });
    const events = readFileSync(join(run.dir, 'events.ndjson'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    const retrying = events.filter((event) => event.type === 'job/retrying');
    expect(retrying.map((event) => [event.attempt, event.retries])).toEqual([[1, 2], [2, 2]]);
    for (const event of retrying) expect(event.delay_ms as number).toBeLessThanOrEqual(event.attempt === 1 ? 2000 : 4000);
    const sessions = events.filter((event) => event.type === 'job/started').map((event) => event.session_id);
    expect(new Set(sessions).size).toBe(3);
  });

  it('does not retry a failure that is not retryable, nor past --retries', async () => {
    expect((await runPar(sandbox, ['run', '-m', 'sim: fail=Bad_request', wt(1)], { cwd: repo })).code).toBe(1);
    expect((await status()).jobs[0]).toMatchObject({ state: 'failed', attempt: 1 });
    expect((await runPar(sandbox, ['run', '-m', 'sim: retryable=500', wt(1), '--retries', '0'], { cwd: repo })).code).toBe(1);
    expect((await status()).jobs[0]).toMatchObject({ state: 'failed', attempt: 1, error: 'API Error: 500 Internal server error' });
  });

  it('cancels the others when one job fails with --fail-fast', async () => {
    writeFileSync(join(wt(3), '.sim-knobs'), 'fail=Broken_build duration=500ms');
    const worktrees = [1, 2, 3, 4, 5, 6, 7, 8].map(wt);
    const result = await runPar(sandbox, ['run', '-m', 'sim: duration=60s', ...worktrees, '-j', '8', '--fail-fast'], { cwd: repo });
    expect(result.code).toBe(1);
    const run = await status();
    // The failure ended first; every other job ended after it, cancelled by it — not by its own 60 s.
    const events = readFileSync(join(run.dir, 'events.ndjson'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { type: string; job?: string });
    expect(events.filter((event) => event.type === 'job/finished').map((event) => event.job)[0]).toBe('wt3');
    expect(run.state).toBe('failed');
    expect(run.jobs.map((job) => [job.id, job.state, job.reason])).toEqual(
      worktrees.map((_, index) => (index === 2 ? ['wt3', 'failed', null] : [`wt${index + 1}`, 'cancelled', 'fail-fast'])),
    );
  });

  it('stops starting jobs once the budget is spent', async () => {
    const result = await runPar(sandbox, ['run', '-m', 'sim: turns=2', wt(1), wt(2), wt(3), '-j', '1', '--budget', '0.03'], { cwd: repo });
    expect(result.code).toBe(1);
    const run = await status();
    expect(run.jobs.map((job) => [job.state, job.reason])).toEqual([
      ['succeeded', null],
      ['succeeded', null],
      ['cancelled', 'budget'],
    ]);
  });

  it.each([
    [['--retries', '-1'], "--retries takes a whole number of 0 or more, not '-1'."],
    [['--budget', '-1'], "--budget takes an amount of US dollars above 0, such as 5 or 2.50, not '-1'."],
    [['--budget', 'abc'], "--budget takes an amount of US dollars above 0, such as 5 or 2.50, not 'abc'."],
  ])('refuses %j', async (args, message) => {
    const result = await runPar(sandbox, ['run', '-m', 'x', wt(1), ...args], { cwd: repo });
    expect(result).toMatchObject({ code: 2, stdout: '' });
    expect(result.stderr).toContain(message);
  });
});

describe('--tasks', () => {
  it('runs each task in its own new worktree with its own prompt, through a wrapper', async () => {
    writeFileSync(join(sandbox.dir, 'tasks.json'), JSON.stringify({ prompts: ['Fix lint\nsim: turns=1', { id: 'Docs', prompt: 'Write docs\nsim: turns=1 write=docs.md', description: 'the docs', expected_outcome: 'docs.md exists' }, 'Add tests\nsim: turns=1'] }));
    await addTemplate('wrap', 'Task {{.TaskName}} ({{default "no description" .Description}}): {{.Instructions}}\nDone when: {{default "it works" .ExpectedOutcome}}\n');
    const result = await runPar(sandbox, ['run', 'wrap', '--tasks', join(sandbox.dir, 'tasks.json')], { cwd: repo });
    expect(result.code).toBe(0);
    const run = await status();
    expect(run.jobs.map((job) => job.id)).toEqual(['t1', 'docs', 't3']);
    expect(new Set(run.jobs.map((job) => job.worktree)).size).toBe(3);
    const prompt = (job: string): string => readFileSync(join(run.dir, 'jobs', job, 'prompt.md'), 'utf8');
    expect(prompt('docs')).toBe('Task docs (the docs): Write docs\nsim: turns=1 write=docs.md\nDone when: docs.md exists\n');
    expect(prompt('t1')).toBe('Task t1 (no description): Fix lint\nsim: turns=1\nDone when: it works\n');
    expect(git(repo, 'show', '--name-only', '--format=', `par/${run.run}/docs`)).toBe('docs.md');
  });

  it('reads one task per line from stdin, each task its own prompt', async () => {
    const result = await runPar(sandbox, ['run', '--tasks', '-'], { cwd: repo, input: 'sim: turns=1 write=a.txt\nsim: turns=1 write=b.txt\n' });
    expect(result.code).toBe(0);
    expect((await status()).jobs.map((job) => [job.id, job.state])).toEqual([['t1', 'succeeded'], ['t2', 'succeeded']]);
  });

  it.each([
    ['missing.json', null, 'The tasks file'],
    ['bad.json', '{"prompts": [\n  "a",\n  }', 'are not valid JSON at line 3'],
    ['empty.txt', '\n', 'has no tasks'],
    ['dup.json', '{"prompts": [{"id": "x", "prompt": "a"}, {"id": "x", "prompt": "b"}]}', "share the id 'x'"],
  ])('refuses %s', async (name, content, message) => {
    if (content !== null) writeFileSync(join(sandbox.dir, name), content);
    const result = await runPar(sandbox, ['run', '--tasks', join(sandbox.dir, name)], { cwd: repo });
    expect(result).toMatchObject({ code: 2, stdout: '' });
    expect(result.stderr).toContain(message);
    expect(existsSync(join(sandbox.dir, 'data', 'par', 'runs'))).toBe(false);
  });
});

describe('reports, results, cancel and runs', () => {
  it('writes report.json, summary.md and report.html at the end, and renders any run', async () => {
    writeFileSync(join(sandbox.dir, 'config', 'par', 'config.yaml'), `claude:\n  binary_path: ${JSON.stringify(SIM)}\ndefaults:\n  output_dir: ${JSON.stringify(join(sandbox.dir, 'reports'))}\n`);
    writeFileSync(join(wt(2), '.sim-knobs'), 'fail=Tests_<failed>');
    await runPar(sandbox, ['run', '-m', 'sim: turns=1 write=x.txt denials=1', wt(1), wt(2)], { cwd: repo });
    const run = await status();
    const report = JSON.parse(readFileSync(join(run.dir, 'report.json'), 'utf8')) as { state: string; totals: { total: number; succeeded: number; failed: number }; jobs: { id: string; log: string }[] };
    expect(report).toMatchObject({ state: 'failed', totals: { total: 2, succeeded: 1, failed: 1 } });
    expect(report.jobs.map((job) => job.log)).toEqual(['jobs/wt1/output.log', 'jobs/wt2/output.log']);
    const html = readFileSync(join(run.dir, 'report.html'), 'utf8');
    expect(html).toContain('<meta name="viewport"');
    expect(html).not.toMatch(/<link |<script src/);
    expect(html).toContain('id="job-wt1"');
    expect(html).toContain('Tests &lt;failed&gt;');
    expect(html).toContain('⚠ 1 denied: Bash');
    expect(html).toContain('href="jobs/wt2/output.log"');
    expect(readFileSync(join(run.dir, 'summary.md'), 'utf8')).toMatch(/^# Run .*: failed\n\n1 of 2 jobs succeeded, 1 failed/);
    expect(readFileSync(join(sandbox.dir, 'reports', run.run, 'report.html'), 'utf8')).toBe(html);

    const out = join(sandbox.dir, 'r.json');
    const rendered = await runPar(sandbox, ['report', run.run.slice(0, 17), '-o', out], { cwd: repo });
    expect(rendered.code).toBe(0);
    expect(JSON.parse(readFileSync(out, 'utf8'))).toMatchObject({ run: run.run, state: 'failed' });
    const missing = await runPar(sandbox, ['report', run.run, '-o', join(sandbox.dir, 'nope', 'r.html')], { cwd: repo });
    expect(missing).toMatchObject({ code: 2 });
    expect(missing.stderr).toContain('for -o does not exist');
  });

  it('shows results, a readable transcript, the raw log, and follows a running job', async () => {
    await runPar(sandbox, ['run', '-m', 'sim: turns=2 write=src/app.ts', wt(1)], { cwd: repo });
    const run = await status();
    const all = await runPar(sandbox, ['results', run.run], { cwd: repo });
    expect(all.stdout).toBe('── wt1 (succeeded)\nDone: the change is made and the tests pass.\n\n');
    const transcript = await runPar(sandbox, ['results', run.run, 'wt1'], { cwd: repo });
    expect(transcript.stdout).toContain('› sim: turns=2 write=src/app.ts\n');
    expect(transcript.stdout).toContain('● Write src/app.ts\n  ⎿ ok\n● Bash npm test\n◉ asks to use Bash npm test\n  ✓ allowed by preset: safe: a test, lint or build command\n  ⎿ Tests: 12 passed, 0 failed\n');
    expect(transcript.stdout).toMatch(/✓ done \(3 turns, \$0\.0246\)\n$/);
    const raw = await runPar(sandbox, ['results', run.run, 'wt1', '--raw'], { cwd: repo });
    expect(raw.stdout).toBe(readFileSync(join(run.dir, 'jobs', 'wt1', 'output.log'), 'utf8'));
    const unknown = await runPar(sandbox, ['results', run.run, 'wt9'], { cwd: repo });
    expect(unknown).toMatchObject({ code: 2 });
    expect(unknown.stderr).toContain("has no job 'wt9'");

    const detached = (await runPar(sandbox, ['run', '-m', 'sim: turns=3 duration=2s', wt(2), '--detach'], { cwd: repo })).stdout.trim();
    const followed = await runPar(sandbox, ['results', detached, 'wt2', '--follow'], { cwd: repo });
    expect(followed.stdout).toContain('● Bash npm test');
    expect(followed.stdout).toMatch(/── wt2 succeeded\n$/);
  });

  it('cancels a running run or one job, and says when there is nothing to cancel', async () => {
    const runId = (await runPar(sandbox, ['run', '-m', 'sim: duration=60s', wt(1), wt(2), '--detach'], { cwd: repo })).stdout.trim();
    await eventually(() => readFileSync(join(sandbox.dir, 'data', 'par', 'runs', runId, 'events.ndjson'), 'utf8').split('job/started').length === 3, 10_000, 'both jobs to start');
    const one = await runPar(sandbox, ['cancel', runId, 'wt1'], { cwd: repo });
    expect(one.stdout).toContain('Job wt1: cancelled');
    const rest = await runPar(sandbox, ['cancel', runId], { cwd: repo });
    expect(rest.stdout).toContain(`Run ${runId}: cancelled`);
    const again = await runPar(sandbox, ['cancel', runId], { cwd: repo });
    expect(again).toMatchObject({ code: 0, stdout: `Run ${runId} has already ended (cancelled); there is nothing to cancel.\n` });
    expect((await status()).jobs.map((job) => [job.state, job.reason])).toEqual([['cancelled', 'user'], ['cancelled', 'user']]);
  });

  it('lists runs, this repository first', async () => {
    const other = makeRepo(join(sandbox.dir, 'other'));
    git(other, 'worktree', 'add', '-q', join(sandbox.dir, 'other-wt'), '-b', 'x');
    await runPar(sandbox, ['run', '-m', 'sim: turns=1', join(sandbox.dir, 'other-wt')], { cwd: other });
    await runPar(sandbox, ['run', '-m', 'sim: turns=1', wt(1)], { cwd: repo });
    await runPar(sandbox, ['run', '-m', 'sim: turns=1', join(sandbox.dir, 'other-wt')], { cwd: other });
    const listed = JSON.parse((await runPar(sandbox, ['list', 'runs', '--json'], { cwd: repo })).stdout) as { repository: string; state: string }[];
    expect(listed.map((row) => row.repository)).toEqual([repo, other, other]);
    const table = await runPar(sandbox, ['list', 'runs'], { cwd: repo });
    expect(table.stdout).toMatch(/^RUN +STATE +JOBS +COST +STARTED +REPOSITORY$/m);
  });

  it('streams every job’s output with --terminal-output, each line prefixed by its job', async () => {
    const result = await runPar(sandbox, ['run', '-m', 'sim: turns=1', wt(1), wt(2), '--terminal-output'], { cwd: repo });
    expect(result.stdout).toContain('wt1 │ ● Read README.md');
    expect(result.stdout).toContain('wt2 │ ✓ done (2 turns, $0.0123)');
    expect(result.stdout).not.toContain('\x1b[');
  });
});

describe('par merge', () => {
  it('brings the file a job wrote into the current branch', async () => {
    await runPar(sandbox, ['run', '-m', 'sim: turns=1 write=feature.txt', '--new', '1'], { cwd: repo });
    const run = await status();
    const merged = await runPar(sandbox, ['merge', run.run, 't1'], { cwd: repo });
    expect(merged).toMatchObject({ code: 0, stderr: '' });
    expect(merged.stdout).toBe(`Merged par/${run.run}/t1 into main (1 file changed).\n`);
    expect(readFileSync(join(repo, 'feature.txt'), 'utf8')).toBe('written by the simulated agent\n');
    const again = await runPar(sandbox, ['merge', run.run, 't1'], { cwd: repo });
    expect(again.stdout).toContain('nothing to merge');
    // A merge is a landing: journaled, so par land does not land it again.
    expect((await status(run.run)).jobs[0]?.landing).toMatchObject({ outcome: 'landed', onto: 'main', commit: git(repo, 'rev-parse', 'HEAD') });
    expect((await runPar(sandbox, ['land', run.run], { cwd: repo })).stdout).toMatch(/^Nothing of run .* waits to land on main/);
  });

  it('stops on a conflict and puts everything back; refuses a target with uncommitted changes', async () => {
    await runPar(sandbox, ['run', '-m', 'sim: turns=1 write=notes.txt', '--new', '1'], { cwd: repo });
    const run = await status();
    writeFileSync(join(repo, 'notes.txt'), 'mine\n');
    git(repo, 'add', 'notes.txt');
    git(repo, 'commit', '-q', '-m', 'my notes');
    const head = git(repo, 'rev-parse', 'HEAD');
    const conflict = await runPar(sandbox, ['merge', run.run, 't1'], { cwd: repo });
    expect(conflict.code).toBe(1);
    expect(conflict.stderr).toContain(`Merging par/${run.run}/t1 into main conflicts in notes.txt; nothing was changed.`);
    expect(git(repo, 'rev-parse', 'HEAD')).toBe(head);
    expect(git(repo, 'status', '--porcelain')).toBe('');
    expect(readFileSync(join(repo, 'notes.txt'), 'utf8')).toBe('mine\n');

    writeFileSync(join(repo, 'README.md'), 'changed\n');
    const dirty = await runPar(sandbox, ['merge', run.run, 't1', '--squash'], { cwd: repo });
    expect(dirty).toMatchObject({ code: 2 });
    expect(dirty.stderr).toContain('has uncommitted changes; commit or stash them first');
  });
});
