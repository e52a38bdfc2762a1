// Jobs on an ssh host (DESIGN §18), against a real sshd on 127.0.0.1 with its
// own host key and an authorized key; a directory of the sandbox stands in
// for the remote machine. Half a run's jobs go there and come back as
// branches that par land lands; a dropped connection, a cancel and a timeout
// leave no process of a remote job behind.
import { readFileSync, readdirSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, afterEach, describe, expect, it } from 'vitest';
import { git } from '../helpers/git-repo.js';
import { eventually, runPar, startPar, type Sandbox } from '../helpers/par.js';
import { SIM, makeSimRuns, runStatus } from '../helpers/sim-runs.js';
import { sshdMissing, startSshd, type TestSshd } from '../helpers/sshd.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';

const missing = sshdMissing();
if (missing) console.warn(`skipping the ssh executor tests: ${missing}`);

let sshd: TestSshd;
let keys: string;
let sandbox: Sandbox;
let repo: string;
let remote: string;

beforeAll(async () => {
  if (missing) return;
  keys = mkdtempSync(join(tmpdir(), 'par-sshd-'));
  sshd = await startSshd(keys);
});
afterAll(async () => {
  await sshd?.stop();
  if (keys) rmSync(keys, { recursive: true, force: true });
});

/** The config: the simulated agent as claude, and the host `box` (two jobs at once, its dir in the sandbox). */
function configure(extra = ''): void {
  writeFileSync(
    sandbox.configFile,
    [
      'claude:',
      `  binary_path: ${JSON.stringify(SIM)}`,
      'executors:',
      '  box:',
      '    type: ssh',
      `    host: ${sshd.host}`,
      `    port: ${sshd.port}`,
      `    identity: ${JSON.stringify(sshd.identity)}`,
      '    jobs: 2',
      `    dir: ${JSON.stringify(remote)}`,
      `    ssh_options: ${JSON.stringify(sshd.sshOptions)}`,
      extra,
    ].join('\n'),
  );
}

beforeEach(() => {
  if (missing) return;
  ({ sandbox, repo } = makeSimRuns(0, { 'README.md': '# app\n', 'a.txt': 'one\n' }));
  git(repo, 'config', 'user.name', 'Ada Local');
  git(repo, 'config', 'user.email', 'ada@local.test');
  remote = join(sandbox.dir, 'box');
  configure();
});
afterEach(() => sandbox?.cleanup());

/** Processes whose working directory is under `dir`: what a job left running on the "host". */
function processesIn(dir: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readlinkSync(`/proc/${entry}/cwd`).startsWith(dir)) found.push(Number(entry));
    } catch {
      // Gone meanwhile, or not ours to read.
    }
  }
  return found;
}

/** The simulated agents running on the host (in its worktrees), not git making them. */
function agentsThere(): number[] {
  return processesIn(join(remote, 'worktrees')).filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('sim-agent.mjs');
    } catch {
      return false;
    }
  });
}

async function tasksRun(tasks: string[], args: string[]): Promise<{ code: number | null; stderr: string }> {
  const file = join(sandbox.dir, 'tasks.json');
  writeFileSync(file, JSON.stringify({ prompts: tasks }));
  return runPar(sandbox, ['run', '--tasks', file, '--no-tui', ...args], { cwd: repo });
}

describe.skipIf(missing !== null)('the ssh executor', () => {
  it('runs half of a run on the host: every job succeeds, the branches come back with the local identity, and par land lands them', async () => {
    const result = await tasksRun(['sim: turns=1 write=one.md', 'sim: turns=1 write=two.md', 'sim: turns=1 write=three.md', 'sim: turns=1 write=four.md'], ['--on', 'local,box']);
    expect(result.code, result.stderr).toBe(0);
    const run = await runStatus(sandbox, repo);
    expect(run.jobs.map((job) => job.state)).toEqual(['succeeded', 'succeeded', 'succeeded', 'succeeded']);
    // In turn, as each job's worktree is ready: two here, two there.
    const there = run.jobs.filter((job) => job.executor === 'box').map((job) => job.id);
    expect(there).toHaveLength(2);
    expect(run.jobs.filter((job) => job.executor === 'local')).toHaveLength(2);
    for (const job of run.jobs) {
      // The work is on the job's branch here, committed by the local identity wherever it ran.
      expect(git(repo, 'log', '-1', '--format=%an <%ae> / %cn', job.branch ?? '')).toBe('Ada Local <ada@local.test> / Ada Local');
      expect(git(repo, 'show', '--stat', '--format=', job.branch ?? '')).toContain(['one.md', 'two.md', 'three.md', 'four.md'][run.jobs.indexOf(job)]);
      expect(job.diffstat).toEqual({ files: 1, insertions: 1, deletions: 0 });
    }
    // The host's worktrees were made under its dir, from the mirror.
    expect(readdirSync(join(remote, 'worktrees', run.run)).filter((name) => !name.endsWith('.pid')).sort()).toEqual(there.sort());
    const land = await runPar(sandbox, ['land', run.run], { cwd: repo });
    expect(land.code, land.stderr).toBe(0);
    expect(git(repo, 'ls-files').split('\n').sort()).toEqual(['README.md', 'a.txt', 'four.md', 'one.md', 'three.md', 'two.md']);
    expect(processesIn(remote)).toEqual([]);
  });

  it("honours the repository's .worktreeinclude and worktrees.setup on the host, and copies the agent's output byte for byte", async () => {
    // An ignored file the checkout lacks, listed in .worktreeinclude; and a setup command (whose mark is ignored too).
    writeFileSync(join(repo, '.gitignore'), '.env\n.setup-done\n');
    writeFileSync(join(repo, '.worktreeinclude'), '.env\n');
    git(repo, 'add', '.gitignore', '.worktreeinclude');
    git(repo, 'commit', '-q', '-m', 'ignore .env');
    writeFileSync(join(repo, '.env'), 'TOKEN=local\n');
    configure('worktrees:\n  setup: [["sh", "-c", "cat .env > .setup-done"]]\n');
    const tee = join(sandbox.dir, 'printed.log');
    const result = await runPar(sandbox, ['run', '-m', `sim: turns=2 lines=300 write=out.md tee=${tee}`, '--new', '1', '--on', 'box', '--no-tui'], { cwd: repo });
    expect(result.code, result.stderr + result.stdout).toBe(0);
    const run = await runStatus(sandbox, repo);
    const there = join(remote, 'worktrees', run.run, 't1');
    expect(readFileSync(join(there, '.env'), 'utf8')).toBe('TOKEN=local\n');
    expect(readFileSync(join(there, '.setup-done'), 'utf8')).toBe('TOKEN=local\n');
    expect(readFileSync(join(run.dir, 'jobs', 't1', 'output.log')).equals(readFileSync(tee))).toBe(true);
  });

  it('a dropped connection: the remote agent is gone within seconds, the job fails saying so, and par resume runs it again there', async () => {
    const started = startPar(sandbox, ['run', '-m', 'sim: duration=20 write=late.md', '--new', '1', '--on', 'box', '--retries', '0', '--no-tui'], { cwd: repo });
    await eventually(() => agentsThere().length > 0, 20_000, 'the agent to start on the host');
    // The connection drops: the sshd process serving it dies, as when the network goes.
    for (const pid of sshd.connectionPids()) process.kill(pid, 'SIGKILL');
    await eventually(() => processesIn(remote).length === 0, 10_000, 'the remote agent to be ended by its watchdog');
    const result = await started.result;
    expect(result.code).toBe(1);
    const run = await runStatus(sandbox, repo);
    expect(run.jobs[0]?.state).toBe('failed');
    expect(run.jobs[0]?.error).toContain(`the connection to box (${sshd.host}) was lost`);
    const resumed = await runPar(sandbox, ['resume', run.run, '--detach'], { cwd: repo });
    expect(resumed.code, resumed.stderr).toBe(0);
    await eventually(() => agentsThere().length > 0, 20_000, 'the agent to start again on the host');
    const cancel = await runPar(sandbox, ['cancel', run.run], { cwd: repo });
    expect(cancel.code, cancel.stderr).toBe(0);
    await eventually(() => processesIn(remote).length === 0, 10_000, 'the resumed agent to end on cancel');
    const ended = await runStatus(sandbox, repo, run.run);
    expect(ended.jobs.map((job) => [job.state, job.executor, job.attempt])).toEqual([['cancelled', 'box', 2]]);
  });

  it('a cancelled job and a timed-out one leave nothing running on the host', async () => {
    const started = startPar(sandbox, ['run', '-m', 'sim: duration=30', '--new', '2', '--on', 'box', '--no-tui', '-t', '4s'], { cwd: repo });
    await eventually(() => agentsThere().length >= 2, 20_000, 'both agents to start on the host');
    const run = await runStatus(sandbox, repo);
    const cancel = await runPar(sandbox, ['cancel', run.run, 't1'], { cwd: repo });
    expect(cancel.code, cancel.stderr).toBe(0);
    const result = await started.result;
    expect(result.code).toBe(1);
    const ended = await runStatus(sandbox, repo, run.run);
    expect(ended.jobs.map((job) => [job.id, job.state, job.executor])).toEqual([
      ['t1', 'cancelled', 'box'],
      ['t2', 'timed-out', 'box'],
    ]);
    await eventually(() => processesIn(remote).length === 0, 10_000, 'no process left on the host');
  });

  it('par doctor checks the host; par clean removes its worktrees whose work came back, and keeps one with uncommitted changes', async () => {
    configure('  gone:\n    type: ssh\n    host: nobody@127.0.0.1\n    port: 1\n');
    const doctor = await runPar(sandbox, ['doctor', '--json'], { cwd: repo });
    const checks = (JSON.parse(doctor.stdout) as { checks: { name: string; status: string; detail: string }[] }).checks;
    expect(checks.find((check) => check.name === 'executor box')).toMatchObject({ status: 'ok', detail: expect.stringMatching(new RegExp(`^${sshd.host}: git \\d+\\.\\d+.*, \\d+\\.\\d+\\.\\d+ \\(Claude Code, simulated by par\\)$`)) });
    expect(checks.find((check) => check.name === 'executor gone')).toMatchObject({ status: 'warn', detail: expect.stringContaining('Connection refused (needed only for --on gone)') });

    const result = await tasksRun(['sim: turns=1 write=one.md', 'sim: turns=1 write=two.md'], ['--on', 'box']);
    expect(result.code, result.stderr).toBe(0);
    const run = await runStatus(sandbox, repo);
    const there = (job: string): string => join(remote, 'worktrees', run.run, job);
    writeFileSync(join(there('t2'), 'notes.txt'), 'left there\n');
    const dry = await runPar(sandbox, ['clean', '--all', '--dry-run'], { cwd: repo });
    expect(dry.stdout).toContain(`remove   box:${there('t1')}  (its work is here)`);
    expect(dry.stdout).toContain(`keep     box:${there('t2')}  (uncommitted changes there)`);
    const clean = await runPar(sandbox, ['clean', '--all', '-f'], { cwd: repo });
    expect(clean.code, clean.stderr).toBe(0);
    expect(clean.stdout).toContain(`Removed box:${there('t1')}`);
    expect(readdirSync(join(remote, 'worktrees', run.run)).filter((name) => !name.endsWith('.pid'))).toEqual(['t2']);
    // The run's data stays while a worktree of it does, so a later clean finds it.
    expect(clean.stdout).toContain('keep     run data');
  });

  it('refuses what cannot work, each in one sentence: an unknown executor, one named twice, a dirty worktree to send, a container without an image, an entry without a host', async () => {
    const unknown = await runPar(sandbox, ['run', '-m', 'sim: ok', '--new', '1', '--on', 'local,bx'], { cwd: repo });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("--on names 'bx', which is not an executor (did you mean box?)");
    const twice = await runPar(sandbox, ['run', '-m', 'sim: ok', '--new', '1', '--on', 'box,box'], { cwd: repo });
    expect(twice.code).toBe(2);
    expect(twice.stderr).toContain("--on names 'box' twice");

    git(repo, 'worktree', 'add', '-q', join(sandbox.dir, 'wt1'), '-b', 'b1');
    writeFileSync(join(sandbox.dir, 'wt1', 'a.txt'), 'changed here\n');
    const dirty = await runPar(sandbox, ['run', '-m', 'sim: ok', join(sandbox.dir, 'wt1'), '--on', 'box', '--no-tui'], { cwd: repo });
    expect(dirty.code).toBe(1);
    const run = await runStatus(sandbox, repo);
    expect(run.jobs[0]?.error).toContain('has uncommitted changes, which cannot go to box: commit or stash them, or run the job here (--on local)');

    configure('  pods:\n    type: container\n');
    const container = await runPar(sandbox, ['config', 'list'], { cwd: repo });
    expect(container.code).toBe(2);
    expect(container.stderr).toContain('executors.pods needs image: (the image each job runs in, with git and the agent)');
    configure('  nohost:\n    type: ssh\n    jobs: 0\n');
    const nohost = await runPar(sandbox, ['config', 'list'], { cwd: repo });
    expect(nohost.code).toBe(2);
    expect(nohost.stderr).toContain('executors.nohost needs host: (user@host, or a name from ~/.ssh/config)');
  });
});
