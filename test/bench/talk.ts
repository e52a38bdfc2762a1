// The two-way channel's benchmarks (DESIGN §14): how long an agent waits for
// par's answer to a permission request a rule decides, with 16 agents
// streaming, against a host that answers from the agent's stdout pipe at
// once; and how long from a person's `y` in the TUI to the answer on the
// agent's stdin.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { makeRunFixture, SIM } from './fixtures.js';
import { median, type BenchRow } from './measure.js';
import { Pty, percentile } from './tui.js';

const AGENTS = 16;
const ASKS = 40;
/** Each agent streams text while it asks, as a busy agent does: 1,200 lines of 200 B over ~6 s (3,200 lines a second from the 16). */
const KNOBS = `duration=6s turns=1 lines=1200 size=200 asks=${ASKS} ask-every=120ms`;

const numbers = (file: string): number[] => (existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map(Number) : []);

/** The baseline host: the same simulated agents on pipes, each request answered the moment its line is read. */
async function bareHost(dir: string, cwd: string, env: NodeJS.ProcessEnv): Promise<number[]> {
  const file = join(dir, 'bare-latencies.txt');
  const prompt = JSON.stringify({ type: 'user', message: { role: 'user', content: [{ type: 'text', text: `sim: ${KNOBS} latencies=${file}` }] } });
  await Promise.all(
    Array.from({ length: AGENTS }, (_, index) => {
      const child = spawn(process.execPath, [SIM, '-p', '--input-format', 'stream-json', '--output-format', 'stream-json', '--verbose', '--session-id', `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`], { cwd, env, stdio: ['pipe', 'pipe', 'ignore'] });
      child.stdin.write(`${prompt}\n`);
      createInterface({ input: child.stdout }).on('line', (line) => {
        if (line.startsWith('{"type":"control_request"')) {
          const request = JSON.parse(line) as { request_id: string; request: { input: unknown } };
          child.stdin.write(`${JSON.stringify({ type: 'control_response', response: { subtype: 'success', request_id: request.request_id, response: { behavior: 'allow', updatedInput: request.request.input } } })}\n`);
        } else if (line.startsWith('{"type":"result"')) child.stdin.end();
      });
      return new Promise((resolve) => child.once('exit', resolve));
    }),
  );
  return numbers(file);
}

async function ruleLatency(parBin: string): Promise<BenchRow[]> {
  const { dir, repo, paths, env } = makeRunFixture(AGENTS, 'par-bench-talk-');
  try {
    const baseline = await bareHost(dir, paths[0] as string, env);
    const file = join(dir, 'par-latencies.txt');
    await new Promise<void>((resolve, reject) => {
      const run = spawn(process.execPath, [parBin, 'run', '-m', `sim: ${KNOBS} latencies=${file}`, ...paths, '-j', String(AGENTS), '--no-tui'], { cwd: repo, env, stdio: 'ignore' });
      run.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`par run exited ${code}`))));
    });
    const par = numbers(file);
    if (par.length < AGENTS * ASKS) throw new Error(`only ${par.length} of ${AGENTS * ASKS} requests were answered`);
    return [
      { name: `permission request → answer (a rule decides), p95, ${AGENTS} agents streaming (${par.length} requests)`, baselineName: 'the 50 ms target', par: percentile(par, 95), baseline: 50, unit: 'ms', target: 1 },
      { name: '  the same: median', baselineName: 'host answering from the pipe, median', par: median(par), baseline: median(baseline), unit: 'ms', target: null },
      { name: '  the same: p95', baselineName: 'host answering from the pipe, p95', par: percentile(par, 95), baseline: percentile(baseline, 95), unit: 'ms', target: null },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function personLatency(parBin: string): Promise<BenchRow[]> {
  const { dir, repo, paths, env } = makeRunFixture(1, 'par-bench-talk-tui-');
  const answered = join(dir, 'answered.txt');
  const asks = Array.from({ length: 15 }, (_, index) => `ask=curl_-s_http://127.0.0.1:9/${index}`).join(' ');
  const tui = new Pty(`${process.execPath} ${parBin} run -m 'sim: turns=1 duration=100ms ${asks} answered=${answered}' ${paths.join(' ')}`, { cwd: repo, env });
  try {
    const latencies: number[] = [];
    for (let index = 0; index < 15; index++) {
      await tui.waitFor(`127.0.0.1:9/${index}`, 0, performance.now(), 20_000);
      // The screen shows the request: a person reads it and presses y.
      await new Promise((resolve) => setTimeout(resolve, 150));
      const pressed = performance.timeOrigin + performance.now();
      tui.write('y');
      for (const deadline = Date.now() + 5000; numbers(answered).length <= index; ) {
        if (Date.now() > deadline) throw new Error('the answer never reached the agent');
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
      latencies.push((numbers(answered)[index] ?? 0) - pressed);
    }
    return [
      { name: `person's y in the TUI → answer on the agent's stdin, p95 (${latencies.length} requests)`, baselineName: 'the 150 ms target', par: percentile(latencies, 95), baseline: 150, unit: 'ms', target: 1 },
      { name: '  the same: median', baselineName: 'the 150 ms target', par: median(latencies), baseline: 150, unit: 'ms', target: null },
    ];
  } finally {
    await tui.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Both channel benchmarks. */
export async function benchTalk(parBin: string): Promise<BenchRow[]> {
  return [...(await ruleLatency(parBin)), ...(await personLatency(parBin))];
}
