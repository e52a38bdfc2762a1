// Jobs in containers (DESIGN §18) with a real podman: a fresh container per
// job from an image made of this machine's own sh, git and node, the
// worktree and the git directory mounted. Where podman cannot run a
// container, the tests say why and skip.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { git } from '../helpers/git-repo.js';
import { ROOT, eventually, runPar, startPar, type Sandbox } from '../helpers/par.js';
import { SIM, makeSimRuns, runStatus } from '../helpers/sim-runs.js';
import { TEST_IMAGE, containersMissing, podmanEnv } from '../helpers/containers.js';

const confDir = mkdtempSync(join(tmpdir(), 'par-podman-'));
const engineEnv = podmanEnv(confDir);
const missing = containersMissing(engineEnv);
if (missing) console.warn(`skipping the container executor tests: ${missing}`);
afterAll(() => rmSync(confDir, { recursive: true, force: true }));

let sandbox: Sandbox;
let repo: string;

/** Where the agents in containers also keep what they print (mounted), to compare with par's logs. */
const tees = (): string => join(sandbox.dir, 'tees');

function configure(agentBinary = SIM): void {
  mkdirSync(tees(), { recursive: true });
  writeFileSync(
    sandbox.configFile,
    [
      'claude:',
      `  binary_path: ${JSON.stringify(SIM)}`,
      'executors:',
      '  pods:',
      '    type: container',
      '    engine: podman',
      `    image: ${TEST_IMAGE}`,
      '    jobs: 2',
      `    agent_binary: ${JSON.stringify(agentBinary)}`,
      // The simulated agent comes from par's own folder, read-only.
      `    mounts: [${JSON.stringify(`${join(ROOT, 'assets')}:${join(ROOT, 'assets')}:ro`)}, ${JSON.stringify(`${tees()}:${tees()}`)}]`,
      '',
    ].join('\n'),
  );
}

beforeEach(() => {
  if (missing) return;
  ({ sandbox, repo } = makeSimRuns(0));
  Object.assign(sandbox.env, engineEnv);
  configure();
});
afterEach(() => sandbox?.cleanup());

/** The containers of a run still there (running or not). */
function containersOf(run: string): string[] {
  const out = spawnSync('podman', ['ps', '-a', '--filter', `label=par.run=${run}`, '--format', '{{.Names}}'], { env: { ...process.env, ...engineEnv }, encoding: 'utf8' }).stdout ?? '';
  return out.split('\n').filter(Boolean);
}

describe.skipIf(missing !== null)('the container executor', () => {
  it('runs jobs in fresh containers beside local ones: all succeed, their work committed here, their logs byte for byte', async () => {
    const file = join(sandbox.dir, 'tasks.json');
    const names = ['one', 'two', 'three', 'four'];
    writeFileSync(file, JSON.stringify({ prompts: names.map((name) => `sim: turns=1 lines=200 write=${name}.md tee=${join(tees(), `${name}.log`)}`) }));
    const result = await runPar(sandbox, ['run', '--tasks', file, '--on', 'local,pods', '--no-tui'], { cwd: repo });
    expect(result.code, result.stderr + result.stdout).toBe(0);
    const run = await runStatus(sandbox, repo);
    expect(run.jobs.filter((job) => job.executor === 'pods')).toHaveLength(2);
    for (const job of run.jobs) {
      expect(job.state).toBe('succeeded');
      expect(git(repo, 'show', '--stat', '--format=%s', job.branch ?? '')).toContain(`par: ${job.id}`);
      // What the agent printed, as it printed it, wherever it ran.
      const log = readFileSync(join(run.dir, 'jobs', job.id, 'output.log'));
      expect(log.equals(readFileSync(join(tees(), `${names[run.jobs.indexOf(job)] ?? ''}.log`)))).toBe(true);
    }
    expect(containersOf(run.run)).toEqual([]);
  });

  it('a cancel stops and removes the container, and so does the supervisor dying', async () => {
    const started = startPar(sandbox, ['run', '-m', 'sim: duration=60', '--new', '2', '--on', 'pods', '--no-tui'], { cwd: repo });
    let run = '';
    await eventually(() => {
      const runs = spawnSync('ls', [join(sandbox.dir, 'data', 'par', 'runs')], { encoding: 'utf8' }).stdout.trim();
      run = runs.split('\n')[0] ?? '';
      return run !== '' && containersOf(run).length === 2;
    }, 30_000, 'both containers to run');
    const cancel = await runPar(sandbox, ['cancel', run, 't1'], { cwd: repo });
    expect(cancel.code, cancel.stderr).toBe(0);
    await eventually(() => containersOf(run).length === 1, 15_000, 'the cancelled job\'s container to go');
    const plan = JSON.parse(readFileSync(join(sandbox.dir, 'data', 'par', 'runs', run, 'run.json'), 'utf8')) as { supervisor_pid: number };
    process.kill(plan.supervisor_pid, 'SIGKILL');
    await eventually(() => containersOf(run).length === 0, 20_000, 'the other container to go with the supervisor');
    await started.result;
  });

  it('says which agent the image lacks', async () => {
    configure('/usr/bin/no-such-agent');
    const result = await runPar(sandbox, ['run', '-m', 'sim: ok', '--new', '1', '--on', 'pods', '--no-tui'], { cwd: repo });
    expect(result.code).toBe(1);
    const run = await runStatus(sandbox, repo);
    expect(run.jobs[0]?.error).toContain(`the agent '/usr/bin/no-such-agent' was not found in the image ${TEST_IMAGE}`);
  });
});
