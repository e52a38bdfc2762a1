import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AgentResult } from '../../src/agents/agent.js';
import { claudeAdapter } from '../../src/agents/claude.js';
import type { NewRunEvent } from '../../src/core/events.js';
import { attemptOutcome } from '../../src/engine/attempt-outcome.js';
import { Executor, type ExecutorJob } from '../../src/engine/executor.js';
import { FileTail } from '../../src/engine/file-tail.js';
import { LineSplitter } from '../../src/engine/line-splitter.js';
import { retryDelay, type RetryQuestion } from '../../src/engine/retry-policy.js';
import type { Logger } from '../../src/logging/logger.js';
import type { GroupProcess, ProcessSpawner } from '../../src/os/process-group.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'par-executor-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('the retry policy', () => {
  const base: RetryQuestion = { attempt: 1, first: 1, retries: 2, failed: true, retryable: true, stopped: false, retryAfterMs: null, random: 0.5 };
  it.each<[string, Partial<RetryQuestion>, number | null]>([
    ['a retryable failure: half of 2 s', {}, 1000],
    ['the second attempt: half of 4 s', { attempt: 2 }, 2000],
    ['the wait is capped at 60 s', { attempt: 9, first: 9, retries: 1, random: 1 }, 60_000],
    ['retries used up', { attempt: 3 }, null],
    ['the backoff grows with the attempt number, a resumed job included', { attempt: 5, first: 4 }, 16_000],
    ['not retryable', { retryable: false }, null],
    ['succeeded', { failed: false }, null],
    ['stopped by par', { stopped: true }, null],
    ['retry-after longer than the jitter', { retryAfterMs: 30_000 }, 30_000],
    ['retry-after shorter than the jitter', { retryAfterMs: 10 }, 1000],
    ['no retries at all', { retries: 0 }, null],
  ])('%s', (_what, change, delay) => {
    expect(retryDelay({ ...base, ...change })).toBe(delay);
  });
});

describe("an attempt's outcome", () => {
  const agent = (change: Partial<AgentResult>): AgentResult => ({
    state: 'succeeded',
    exit_code: 0,
    signal: null,
    error: null,
    result: 'done',
    denials: [],
    session_id: null,
    cost_usd: 0.1,
    turns: 2,
    tokens: 10,
    retryable: false,
    ...change,
  });
  it.each([
    ['what the agent said', agent({}), null, { state: 'succeeded', reason: null, result: 'done', session_id: 'given' }],
    ["the agent's own session", agent({ session_id: 'its' }), null, { session_id: 'its' }],
    ['a failure', agent({ state: 'failed', error: 'boom', result: null }), null, { state: 'failed', error: 'boom' }],
    ['cancelled by par', agent({ state: 'failed', error: 'killed', exit_code: 143 }), { state: 'cancelled', reason: 'user' } as const, { state: 'cancelled', reason: 'user', error: 'killed', exit_code: 143 }],
    ['timed out', agent({ state: 'failed' }), { state: 'timed-out', reason: 'timeout' } as const, { state: 'timed-out', reason: 'timeout', error: 'stopped after the timeout' }],
    ['idle', agent({ state: 'failed' }), { state: 'timed-out', reason: 'idle' } as const, { error: 'stopped after no output for the idle timeout' }],
    ['a success that came just before the stop stays one', agent({}), { state: 'cancelled', reason: 'user' } as const, { state: 'succeeded', reason: null }],
  ])('%s', (_what, result, stop, expected) => {
    expect(attemptOutcome(result, stop, 'given')).toMatchObject(expected);
  });
});

describe('the line splitter', () => {
  const split = (chunks: string[], maxLine?: number): string[] => {
    const lines: string[] = [];
    const splitter = new LineSplitter((line) => lines.push(line.toString('utf8')), undefined, maxLine);
    for (const chunk of chunks) splitter.push(Buffer.from(chunk));
    splitter.end();
    return lines;
  };
  it.each([
    ['lines in one chunk', ['a\nb\n'], ['a', 'b']],
    ['a line across chunks', ['ab', 'c\nd', 'e\n'], ['abc', 'de']],
    ['a last line with no newline', ['a\nb'], ['a', 'b']],
    ['empty lines are lines', ['\n\na\n'], ['', '', 'a']],
    ['a character split between chunks', ['é'.slice(0, 1), '\n'], ['é']],
  ])('%s', (_what, chunks, lines) => {
    expect(split(chunks)).toEqual(lines);
  });
  it('skips a line over the limit, whole, and goes on after it', () => {
    expect(split(['short\nway too ', 'long for it\nnext\n'], 8)).toEqual(['short', 'next']);
  });
  it('lets the parser pass over a region of whole lines at once', () => {
    const lines: string[] = [];
    const splitter = new LineSplitter((line) => lines.push(line.toString()), (region) => region.includes('noise'));
    splitter.push(Buffer.from('noise 1\nnoise 2\nlast'));
    splitter.push(Buffer.from(' line\n'));
    expect(lines).toEqual(['last line']);
  });
});

describe('the file tail', () => {
  it('reads what is appended from where it began, and tells growth apart', () => {
    const file = join(dir, 'output.log');
    writeFileSync(file, 'earlier attempt\n');
    const tail = new FileTail(file, 16);
    const read: string[] = [];
    expect(tail.read((chunk) => read.push(chunk.toString()))).toBe(false);
    writeFileSync(file, 'earlier attempt\nthis one\n');
    expect(tail.read((chunk) => read.push(chunk.toString()))).toBe(true);
    expect(tail.read((chunk) => read.push(chunk.toString()))).toBe(false);
    expect(read.join('')).toBe('this one\n');
    expect(tail.tail(4, 16).toString()).toBe('one\n');
    expect(tail.tail(100, 16).toString()).toBe('this one\n');
    expect(tail.grew()).toBe(false);
    writeFileSync(file, 'earlier attempt\nthis one\nmore\n');
    expect(tail.grew()).toBe(true);
    tail.close();
  });
});

/** What a fake agent does: how long it takes, what it costs, whether it fails. */
interface Script {
  ms?: number;
  cost?: number;
  fail?: boolean;
  retryable?: boolean;
}

/**
 * A spawner that runs no process: it writes a claude result line to the
 * agent's stdout descriptor and reports the exit `ms` later, or a kill when
 * its group is signalled. The script is chosen by the prompt.
 */
function fakeSpawner(scripts: Record<string, Script>, agents: { live: number; most: number }): ProcessSpawner {
  let pid = 1000;
  return {
    async spawn({ stdin, stdout }): Promise<GroupProcess> {
      const script = scripts[(typeof stdin === 'string' ? stdin : '').trim()] ?? {};
      agents.most = Math.max(agents.most, ++agents.live);
      let done = false;
      let resolveExit: (exit: { code: number | null; signal: string | null }) => void = () => undefined;
      const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => (resolveExit = resolve));
      const finish = (exit: { code: number | null; signal: string | null }): void => {
        if (!done) agents.live--;
        done = true;
        resolveExit(exit);
      };
      // Its own copy of the descriptor, as a child process has: par closes its copy once the agent has started.
      const own = openSync(`/dev/fd/${stdout}`, 'a');
      const error = script.fail === true;
      const line = { type: 'result', subtype: 'success', is_error: error, result: error ? 'API Error: 529 Overloaded' : 'done', session_id: 's', total_cost_usd: script.cost ?? 0, num_turns: 1, api_error_status: error && script.retryable ? 529 : null };
      const timer = setTimeout(() => {
        writeSync(own, `${JSON.stringify(line)}\n`);
        closeSync(own);
        finish({ code: error ? 1 : 0, signal: null });
      }, script.ms ?? 20);
      return {
        pid: pid++,
        exited,
        input: null,
        signalGroup(signal) {
          clearTimeout(timer);
          try {
            closeSync(own);
          } catch {
            // Closed at its exit already.
          }
          finish({ code: null, signal });
        },
      };
    },
  };
}

const quietLog: Logger = { file: '', level: 'error', error: () => undefined, warn: () => undefined, info: () => undefined, debug: () => undefined, trace: () => undefined } as unknown as Logger;

function executor(jobs: string[], scripts: Record<string, Script>, options: { concurrency?: number; budgetUsd?: number | null; spentUsd?: number; failFast?: boolean; retries?: number } = {}) {
  const events: NewRunEvent[] = [];
  const agents = { live: 0, most: 0 };
  const exec = new Executor({
    runId: 'r',
    runDir: dir,
    jobs: jobs.map((id): ExecutorJob => ({ id, worktree: dir, branch: null, created: false, prompt: id })),
    concurrency: options.concurrency ?? 2,
    timeoutMs: 0,
    idleTimeoutMs: 0,
    adapter: claudeAdapter({ binary: 'claude', defaultArgs: [], allowedTools: [], disallowedTools: [], env: {}, channel: false }),
    model: null,
    permissionMode: null,
    commitResults: false,
    retries: options.retries ?? 0,
    failFast: options.failFast ?? false,
    budgetUsd: options.budgetUsd ?? null,
    spentUsd: options.spentUsd ?? 0,
    random: () => 0,
    git: { run: async () => '' },
    spawner: fakeSpawner(scripts, agents),
    emit: (event) => void events.push(event),
    supervisorPid: process.pid,
    env: {},
    log: quietLog,
  });
  return { exec, events, agents };
}

const finished = (events: NewRunEvent[]): Record<string, string> =>
  Object.fromEntries(events.flatMap((event) => (event.type === 'job/finished' ? [[event.job, `${event.outcome.state}${event.outcome.reason ? ` (${event.outcome.reason})` : ''}`]] : [])));

describe('the pool', () => {
  it('never runs more jobs at once than asked, and runs them all', async () => {
    const { exec, events, agents } = executor(['a', 'b', 'c', 'd', 'e'], {}, { concurrency: 2 });
    await exec.run();
    // A job's place goes to the next as its agent exits: agents, not journal entries, are what -j counts.
    expect(agents.most).toBe(2);
    expect(agents.live).toBe(0);
    expect(finished(events)).toEqual({ a: 'succeeded', b: 'succeeded', c: 'succeeded', d: 'succeeded', e: 'succeeded' });
  });

  it('starts no job once finished jobs have spent the budget', async () => {
    const { exec, events } = executor(['a', 'b', 'c'], { a: { cost: 0.02 }, b: { cost: 0.02 }, c: { cost: 0.02 } }, { concurrency: 1, budgetUsd: 0.03 });
    await exec.run();
    expect(finished(events)).toEqual({ a: 'succeeded', b: 'succeeded', c: 'cancelled (budget)' });
  });

  it('counts what the run spent before (a resume) against the budget', async () => {
    const { exec, events } = executor(['a'], {}, { budgetUsd: 0.03, spentUsd: 0.05 });
    await exec.run();
    expect(finished(events)).toEqual({ a: 'cancelled (budget)' });
  });

  it('with fail-fast, the first failure cancels the jobs still running and those not started', async () => {
    const { exec, events } = executor(['slow', 'bad', 'later'], { slow: { ms: 5000 }, bad: { fail: true, ms: 10 }, later: {} }, { concurrency: 2, failFast: true });
    await exec.run();
    expect(finished(events)).toEqual({ bad: 'failed', slow: 'cancelled (fail-fast)', later: 'cancelled (fail-fast)' });
    const order = events.filter((event) => event.type === 'job/finished').map((event) => (event.type === 'job/finished' ? event.job : ''));
    expect(order[0]).toBe('bad');
  });

  it('retries a retryable failure, holding no place while it waits', async () => {
    let calls = 0;
    const scripts = new Proxy({} as Record<string, Script>, { get: () => (calls++ === 0 ? { fail: true, retryable: true } : {}) });
    const { exec, events } = executor(['flaky'], scripts, { retries: 2 });
    await exec.run();
    expect(events.map((event) => event.type).filter((type) => type !== 'job/progress')).toEqual(['job/started', 'job/retrying', 'job/started', 'job/finished']);
    expect(finished(events)).toEqual({ flaky: 'succeeded' });
  });

  it('cancels a running job and one waiting for a place', async () => {
    const { exec, events } = executor(['a', 'b'], { a: { ms: 5000 }, b: { ms: 5000 } }, { concurrency: 1 });
    const done = exec.run();
    await new Promise((resolve) => setTimeout(resolve, 50));
    exec.cancel(null, 'user');
    await done;
    expect(finished(events)).toEqual({ a: 'cancelled (user)', b: 'cancelled (user)' });
    expect(events.filter((event) => event.type === 'job/started')).toHaveLength(1);
  });
});
