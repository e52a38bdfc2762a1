// DESIGN §18: jobs on an ssh host over loopback. 32 jobs × 1 s of the
// simulated agent at -j 16 over `local` plus one host, against the same 32
// run here at -j 16; and the ssh path's overhead per job, from jobs run one
// at a time there and here (at -j 16 both ends share this machine's 2
// cores, so the wall time says more about the cores than about the path).
// The host is a private sshd on 127.0.0.1; its mirror is made by an untimed
// first run, as a user's first run makes it once.
import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startSshd, sshdMissing } from '../helpers/sshd.js';
import { makeRunFixture } from './fixtures.js';
import { median, type BenchRow } from './measure.js';

const ROUNDS = 3;
const JOBS = 32;
const AT_ONCE = 16;
/** Jobs run one at a time, here and there, for the overhead of each: what one job waits for, not what 2 cores shared by both ends can do at once. */
const ONE_BY_ONE = 8;

function timedRun(parBin: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }): number {
  const start = performance.now();
  const result = spawnSync(process.execPath, [parBin, 'run', ...args], { ...options, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 26 });
  if (result.status !== 0) throw new Error(`par run … ${args.slice(-4).join(' ')} failed: ${(result.stderr.toString() || result.stdout.toString()).split("\n").filter((line) => /failed/.test(line)).slice(0, 6).join("\n")}`);
  return performance.now() - start;
}

export async function benchRemote(parBin: string): Promise<BenchRow[]> {
  const missing = sshdMissing();
  if (missing) throw new Error(missing);
  const fixture = makeRunFixture(JOBS, 'par-bench-remote-');
  const sshd = await startSshd(join(fixture.dir, 'sshd'));
  try {
    const host = (name: string, jobs: number): string =>
      [`  ${name}:`, '    type: ssh', `    host: ${sshd.host}`, `    port: ${sshd.port}`, `    identity: ${JSON.stringify(sshd.identity)}`, `    jobs: ${jobs}`, `    dir: ${JSON.stringify(join(fixture.dir, 'box'))}`, `    ssh_options: ${JSON.stringify(sshd.sshOptions)}`].join('\n');
    writeFileSync(
      join(fixture.env.XDG_CONFIG_HOME as string, 'par', 'config.yaml'),
      [`claude:\n  binary_path: ${JSON.stringify(fixture.agent)}`, `defaults:\n  jobs: ${AT_ONCE / 2}`, 'executors:', host('box', AT_ONCE / 2), host('one', 1), ''].join('\n'),
    );
    const options = { cwd: fixture.repo, env: fixture.env };
    const run = (paths: string[], args: string[]): number => timedRun(parBin, ['-m', 'sim: duration=1s turns=1', ...paths, '--no-tui', ...args], options);
    const few = fixture.paths.slice(0, ONE_BY_ONE);
    // The mirror is made once, by a first run.
    run(few.slice(0, 1), ['--on', 'box']);
    const local: number[] = [];
    const mixed: number[] = [];
    const alone: number[] = [];
    const there: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      local.push(run(fixture.paths, ['-j', String(AT_ONCE)]));
      mixed.push(run(fixture.paths, ['-j', String(AT_ONCE), '--on', 'local,box']));
      alone.push(run(few, ['-j', '1']));
      there.push(run(few, ['-j', '1', '--on', 'one']));
      rmSync(join(fixture.env.XDG_DATA_HOME as string, 'par', 'runs'), { recursive: true, force: true });
    }
    return [
      { name: `${JOBS} jobs × 1 s, -j ${AT_ONCE}: half here, half on an ssh host over loopback (median of ${ROUNDS})`, baselineName: `all ${JOBS} here, -j ${AT_ONCE}`, par: median(mixed), baseline: median(local), unit: 'ms', target: null },
      { name: `  the ssh path's overhead per job: ${ONE_BY_ONE} jobs one at a time there, less the same here, ÷ ${ONE_BY_ONE}`, baselineName: 'the 300 ms target', par: Math.max(0, (median(there) - median(alone)) / ONE_BY_ONE), baseline: 300, unit: 'ms', target: 1 },
    ];
  } finally {
    await sshd.stop();
    rmSync(fixture.dir, { recursive: true, force: true });
  }
}
