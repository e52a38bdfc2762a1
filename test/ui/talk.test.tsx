// Talking with jobs from the TUI (DESIGN §14), over fake ports: what a job
// waiting on a person looks like, and the keys that answer it.
import { afterEach, describe, expect, it } from 'vitest';
import type { RunCommand } from '../../src/rundir/channel.js';
import { FakeRun, fakePorts, renderApp } from '../helpers/render-app.js';

function runningRun(id: string, jobs: string[]): FakeRun {
  const run = new FakeRun(id);
  run.emit({ type: 'run/started', run: id, supervisor_pid: 1, jobs: jobs.map((job) => ({ id: job, worktree: `/wt/${job}`, branch: job, created: false })), at: '2026-11-22T10:00:00.000Z' });
  for (const job of jobs) run.emit({ type: 'job/started', job, attempt: 1, pid: 10, session_id: 's', head: 'abc' });
  return run;
}

let app: ReturnType<typeof renderApp> | undefined;
afterEach(() => {
  app?.cleanup();
  app = undefined;
});

/** What the TUI sent, without the ids it made up. */
const sent = (talked: RunCommand[]) => talked.map((command) => Object.fromEntries(Object.entries(command).filter(([key]) => key !== 'id')));

describe('a job that needs you', () => {
  it('shows its request in the activity column and the header counts it; the terminal is told; y allows it, naming the request', async () => {
    const run = runningRun('t1', ['alpha', 'beta']);
    const fake = fakePorts({ runs: { t1: run } });
    app = renderApp({ ports: fake.ports, attach: 't1', columns: 120 });
    await app.waitForFrame('beta');
    run.emit({ type: 'job/needs-input', job: 'alpha', pending: { request_id: 'r1', kind: 'permission', tool: 'Bash', input: { command: 'rm -rf build' } } });
    const frame = await app.waitForFrame('◉ 1 need you');
    expect(frame).toMatch(/◉ needs-input +alpha .* asks: Bash rm -rf build/);
    expect(fake.calls.notified).toEqual(['par: alpha needs you']);
    expect(frame).toContain('alpha asks: Bash rm -rf build: y allows, n denies, A allows always.');
    await app.press('y');
    await app.waitForFrame("Allowed alpha's Bash.");
    expect(sent(fake.calls.talked)).toEqual([{ type: 'answer', job: 'alpha', request_id: 'r1', decision: 'allow', always: false, via: 'tui' }]);
    run.emit({ type: 'job/permission', job: 'alpha', request_id: 'r1', tool: 'Bash', input: 'rm -rf build', decision: 'allow', by: 'person', rule: null, message: null, via: 'tui' });
    await app.waitForFrame((text) => !text.includes('need you'));
  });

  it('a request answered elsewhere (the web page, the CLI) takes its keys off the status line', async () => {
    const run = runningRun('t9', ['alpha', 'beta']);
    const fake = fakePorts({ runs: { t9: run } });
    app = renderApp({ ports: fake.ports, attach: 't9', columns: 120 });
    await app.waitForFrame('beta');
    run.emit({ type: 'job/needs-input', job: 'alpha', pending: { request_id: 'r1', kind: 'permission', tool: 'Bash', input: { command: 'rm -rf build' } } });
    await app.waitForFrame('alpha asks: Bash rm -rf build: y allows, n denies, A allows always.');
    run.emit({ type: 'job/permission', job: 'alpha', request_id: 'r1', tool: 'Bash', input: 'rm -rf build', decision: 'allow', by: 'person', rule: null, message: null, via: 'web' });
    const frame = await app.waitForFrame((text) => !text.includes('need you'));
    expect(frame).not.toContain('y allows');
    expect(fake.calls.talked).toEqual([]);
  });

  it('n asks for an optional reason in the input line (pasted text and unicode welcome), then denies; A allows always', async () => {
    const run = runningRun('t2', ['alpha']);
    const fake = fakePorts({ runs: { t2: run } });
    app = renderApp({ ports: fake.ports, attach: 't2', columns: 120 });
    run.emit({ type: 'job/needs-input', job: 'alpha', pending: { request_id: 'r1', kind: 'permission', tool: 'Bash', input: { command: 'git push --force' } } });
    await app.waitForFrame('need you');
    await app.press('n');
    await app.waitForFrame("Why deny alpha's request (optional): ▏");
    await app.press('not on main — ask Zoë 🙂');
    await app.press('backspace');
    await app.waitForFrame('not on main — ask Zoë ▏');
    await app.press('enter');
    await app.waitForFrame("Denied alpha's request: not on main — ask Zoë.");
    run.emit({ type: 'job/permission', job: 'alpha', request_id: 'r1', tool: 'Bash', input: 'git push --force', decision: 'deny', by: 'person', rule: null, message: 'x', via: 'tui' });
    run.emit({ type: 'job/needs-input', job: 'alpha', pending: { request_id: 'r2', kind: 'permission', tool: 'WebFetch', input: { url: 'https://example.com' } } });
    await app.waitForFrame('asks: WebFetch https://example.com');
    await app.press('A');
    await app.waitForFrame("Allowed alpha's WebFetch (and the like, for the rest of the run).");
    expect(sent(fake.calls.talked)).toEqual([
      { type: 'answer', job: 'alpha', request_id: 'r1', decision: 'deny', message: 'not on main — ask Zoë', via: 'tui' },
      { type: 'answer', job: 'alpha', request_id: 'r2', decision: 'allow', always: true, via: 'tui' },
    ]);
  });

  it('1…9 choose a question’s option; y on a question says what to press', async () => {
    const run = runningRun('t3', ['alpha']);
    const fake = fakePorts({ runs: { t3: run } });
    app = renderApp({ ports: fake.ports, attach: 't3', columns: 120 });
    run.emit({ type: 'job/needs-input', job: 'alpha', pending: { request_id: 'q1', kind: 'question', tool: 'AskUserQuestion', input: { questions: [{ question: 'Which database?', options: [{ label: 'Postgres' }, { label: 'SQLite' }] }] } } });
    await app.waitForFrame('Question: Which database?');
    await app.press('y');
    await app.waitForFrame('alpha asks a question: press the number of an option (1…9).');
    await app.press('3');
    await app.waitForFrame('There is no option 3; the question has 2.');
    await app.press('2');
    await app.waitForFrame('Answered alpha: SQLite.');
    expect(sent(fake.calls.talked)).toEqual([{ type: 'answer', job: 'alpha', request_id: 'q1', decision: 'answer', answers: ['SQLite'], via: 'tui' }]);
  });

  it('s sends a message, S sends to every running job, i interrupts; a refusal from the supervisor is said', async () => {
    const run = runningRun('t4', ['alpha', 'beta']);
    const fake = fakePorts({ runs: { t4: run } });
    app = renderApp({ ports: fake.ports, attach: 't4', columns: 120 });
    await app.waitForFrame('beta');
    await app.press('s');
    await app.waitForFrame('Message for alpha: ▏');
    await app.press('also update the README', 'enter');
    await app.waitForFrame('Sent to alpha.');
    // Typed text and the Enter after it in one chunk, as a fast typist's terminal may send them: still sent.
    await app.press('S', 'run the linter too\r');
    await app.waitForFrame('Sent to alpha, beta.');
    await app.press('i');
    await app.waitForFrame('Interrupting alpha; it will wait for instructions (s).');
    await app.press('s', 'esc');
    await app.waitForFrame((text) => !text.includes('Message for'));
    expect(sent(fake.calls.talked)).toEqual([
      { type: 'send', job: 'alpha', text: 'also update the README', via: 'tui' },
      { type: 'send', job: 'alpha', text: 'run the linter too', via: 'tui' },
      { type: 'send', job: 'beta', text: 'run the linter too', via: 'tui' },
      { type: 'interrupt', job: 'alpha', via: 'tui' },
    ]);
    const interrupt = fake.calls.talked.at(-1) as RunCommand & { id: string };
    run.emit({ type: 'command/refused', command: interrupt.id, job: 'alpha', reason: 'the job is between turns: there is nothing to stop' });
    await app.waitForFrame('The job is between turns: there is nothing to stop.');
  });

  it('Ctrl+E in the input line writes a longer message in $EDITOR, sent when saved', async () => {
    const run = runningRun('t8', ['alpha']);
    const fake = fakePorts({ runs: { t8: run }, edit: (text) => `${text}\n\nAnd keep the old API working.` });
    app = renderApp({ ports: fake.ports, attach: 't8', columns: 120 });
    await app.waitForFrame('alpha');
    await app.press('s', 'Rename the module', '\x05');
    await app.waitForFrame('Sent to alpha.');
    expect(sent(fake.calls.talked)).toEqual([{ type: 'send', job: 'alpha', text: 'Rename the module\n\nAnd keep the old API working.', via: 'tui' }]);
  });

  it('a finished job of a run that is over continues its session with s', async () => {
    const run = runningRun('t5', ['alpha']);
    run.emit({ type: 'job/finished', job: 'alpha', outcome: { state: 'succeeded', reason: null, exit_code: 0, signal: null, error: null, result: 'Done.', denials: [], session_id: 's', cost_usd: 0.1, turns: 2, tokens: 10, diffstat: null } });
    run.emit({ type: 'run/finished', state: 'succeeded' });
    const fake = fakePorts({ runs: { t5: run } });
    app = renderApp({ ports: fake.ports, attach: 't5', columns: 120 });
    await app.waitForFrame('succeeded');
    await app.press('s', 'and the changelog', 'enter');
    await app.waitForFrame('alpha continues its session with your message.');
    expect(fake.calls.continued).toEqual([['alpha', 'and the changelog']]);
  });

  it('a usage limit shows in the header; a paused job says until when', async () => {
    const run = runningRun('t6', ['alpha']);
    const fake = fakePorts({ runs: { t6: run } });
    app = renderApp({ ports: fake.ports, attach: 't6', columns: 140 });
    run.emit({ type: 'run/usage', status: 'allowed_warning', resets_at: '2026-11-22T15:00:00.000Z', limit: 'five_hour' });
    await app.waitForFrame('⚠ usage close to its limit, resets 15:00 UTC');
    run.emit({ type: 'job/paused', job: 'alpha', resets_at: '2026-11-22T15:00:00.000Z', limit: 'five_hour' });
    await app.waitForFrame(/‖ paused +alpha .* usage limit: waits until 15:00 UTC/);
  });
});

describe('the log pane of a job that talks', () => {
  it('shows its requests, the decisions on them and the messages sent, in order', async () => {
    const run = runningRun('t7', ['alpha']);
    const request = JSON.stringify({ type: 'control_request', request_id: 'r1', request: { subtype: 'can_use_tool', tool_name: 'Bash', input: { command: 'npm test' } } });
    const prompt = JSON.stringify({ type: 'user', message: { role: 'user', content: [{ type: 'text', text: 'Fix the bug' }] } });
    const fake = fakePorts({ runs: { t7: run }, output: { alpha: [prompt, request] } });
    app = renderApp({ ports: fake.ports, attach: 't7', columns: 120 });
    await app.waitForFrame('alpha');
    await app.press('enter');
    await app.waitForFrame('◉ asks to use Bash npm test');
    run.emit({ type: 'job/permission', job: 'alpha', request_id: 'r1', tool: 'Bash', input: 'npm test', decision: 'allow', by: 'preset', rule: 'safe: a test, lint or build command', message: null });
    run.emit({ type: 'job/message', job: 'alpha', text: 'also update the README', queued: true, via: 'tui' });
    const frame = await app.waitForFrame('› (for the next turn) also update the README');
    const lines = frame.split('\n');
    const at = (text: string) => lines.findIndex((line) => line.includes(text));
    expect(at('› Fix the bug')).toBeLessThan(at('◉ asks to use Bash npm test'));
    expect(at('◉ asks to use Bash npm test')).toBeLessThan(at('✓ allowed by preset: safe: a test, lint or build command'));
    expect(at('✓ allowed by preset')).toBeLessThan(at('› (for the next turn) also update the README'));
  });
});
