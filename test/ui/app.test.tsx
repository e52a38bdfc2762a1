import { afterEach, describe, expect, it } from 'vitest';
import type { JobOutcome } from '../../src/core/events.js';
import type { WorktreeItem } from '../../src/core/ui-state.js';
import { FakeRun, fakePorts, renderApp } from '../helpers/render-app.js';

const PROMPTS = [
  { name: 'fix-lint', description: 'fix lint in every service', template: false },
  { name: 'add-tests', description: 'add missing tests', template: true },
];
const worktree = (path: string, extra: Partial<WorktreeItem> = {}): WorktreeItem => ({ path, repo: '/repo', branch: path.split('/').pop() ?? null, main: path === '/repo', valid: true, reason: null, dirty: false, ...extra });
const WORKTREES = [worktree('/repo'), worktree('/wt/alpha'), worktree('/wt/beta', { dirty: true }), worktree('/wt/gamma'), worktree('/wt/broken', { valid: false, reason: 'the directory is missing' })];

const outcome = (state: JobOutcome['state'], extra: Partial<JobOutcome> = {}): JobOutcome => ({ state, reason: null, exit_code: 0, signal: null, error: null, result: 'All done.', denials: [], session_id: 's1', cost_usd: 0.5, turns: 4, tokens: 100, diffstat: { files: 2, insertions: 10, deletions: 3 }, ...extra });

function startedRun(id: string, jobs: string[]): FakeRun {
  const run = new FakeRun(id);
  run.emit({ type: 'run/started', run: id, supervisor_pid: 1, jobs: jobs.map((job) => ({ id: job, worktree: `/wt/${job}`, branch: job, created: false })), at: '2026-11-22T10:00:00.000Z' });
  return run;
}

let app: ReturnType<typeof renderApp> | undefined;
afterEach(() => {
  app?.cleanup();
  app = undefined;
});

describe('prompts and worktrees', () => {
  it('explains how to add a prompt when the library is empty', async () => {
    app = renderApp({ ports: fakePorts().ports });
    const frame = await app.waitForFrame('The prompt library is empty');
    expect(frame).toContain('Press a to write a prompt');
    await app.press('enter');
    await app.waitForFrame('The library is empty: press a to add a prompt.');
  });

  it('says why no worktrees were found and how to add search paths', async () => {
    app = renderApp({ ports: fakePorts({ prompts: PROMPTS }).ports });
    await app.waitForFrame('fix-lint');
    await app.press('enter');
    const frame = await app.waitForFrame('No worktrees found here.');
    expect(frame).toContain('worktrees.search_paths');
  });

  it('picks a prompt, selects three worktrees with arrows and space, confirms and starts the run', async () => {
    const fake = fakePorts({ prompts: PROMPTS, worktrees: WORKTREES });
    app = renderApp({ ports: fake.ports });
    await app.waitForFrame('fix-lint');
    await app.press('enter');
    let frame = await app.waitForFrame('Where to run fix-lint');
    // Discovery order, main worktree first, nothing selected.
    expect(frame.indexOf('/repo')).toBeLessThan(frame.indexOf('/wt/alpha'));
    expect(frame).toContain('(0 selected)');
    expect(frame).toContain('● dirty');
    expect(frame).toContain('the directory is missing');
    await app.press('down', 'space', 'down', 'space', 'j', 'space');
    frame = await app.waitForFrame('(3 selected)');
    expect(frame).toMatch(/\[x\] \/wt\/alpha/);
    expect(frame).toMatch(/\[ \] \/repo/);
    await app.press('enter');
    await app.waitForFrame('Run fix-lint in 3 worktrees: 3 jobs, agent claude, -j 3?');
    await app.press('y');
    await app.waitForFrame('STATE');
    expect(fake.calls.started).toEqual([{ prompt: 'fix-lint', worktrees: ['/wt/alpha', '/wt/beta', '/wt/gamma'], newCount: 0 }]);
  });

  it('refuses an invalid worktree with its reason, and needs a selection before running', async () => {
    app = renderApp({ ports: fakePorts({ prompts: PROMPTS, worktrees: WORKTREES }).ports });
    await app.waitForFrame('fix-lint');
    await app.press('enter');
    await app.waitForFrame('Where to run');
    await app.press('enter');
    await app.waitForFrame('Select worktrees with space');
    await app.press('G', 'space');
    await app.waitForFrame('/wt/broken cannot be used: the directory is missing.');
  });

  it('a selects every valid worktree and a again clears; n asks how many new ones', async () => {
    const fake = fakePorts({ prompts: PROMPTS, worktrees: WORKTREES });
    app = renderApp({ ports: fake.ports });
    await app.waitForFrame('fix-lint');
    await app.press('enter');
    await app.waitForFrame('Where to run');
    await app.press('a');
    await app.waitForFrame('(4 selected)');
    await app.press('a');
    await app.waitForFrame('(0 selected)');
    await app.press('n');
    await app.waitForFrame('How many new worktrees');
    await app.press('x', '1', '6');
    await app.waitForFrame('How many new worktrees from the default branch? 16');
    await app.press('enter');
    await app.waitForFrame('Run fix-lint in 16 new worktrees from the default branch: 16 jobs');
    await app.press('enter');
    await app.waitForFrame('STATE');
    expect(fake.calls.started).toEqual([{ prompt: 'fix-lint', worktrees: [], newCount: 16 }]);
  });

  it('filters prompts with / where letters are text, and a pasted line break does not pick', async () => {
    app = renderApp({ ports: fakePorts({ prompts: PROMPTS, worktrees: WORKTREES }).ports });
    await app.waitForFrame('fix-lint');
    await app.press('/');
    // q and a are keys elsewhere; in the filter they are text.
    await app.press('qa');
    await app.waitForFrame('/qa');
    expect(app.frame()).toContain('No prompt matches');
    expect(app.exit()).toBeNull();
    await app.press('backspace', 'backspace', 'tests\nmore');
    await app.waitForFrame('/tests more');
    await app.press('backspace', 'backspace', 'backspace', 'backspace', 'backspace');
    await app.waitForFrame('1 of 2');
    await app.press('enter');
    await app.waitForFrame('Where to run add-tests');
  });

  it('Ctrl+C during the confirmation quits (nothing runs yet), leaving nothing started', async () => {
    const fake = fakePorts({ prompts: PROMPTS, worktrees: WORKTREES });
    app = renderApp({ ports: fake.ports });
    await app.waitForFrame('fix-lint');
    await app.press('enter');
    await app.waitForFrame('Where to run');
    await app.press('down', 'space', 'enter');
    await app.waitForFrame('Run fix-lint in 1 worktree');
    await app.press('ctrl+c');
    expect(app.exit()).toEqual({ how: 'quit', run: null });
    expect(fake.calls.started).toEqual([]);
  });
});

describe('the job grid', () => {
  it('shows each job with its state, activity, turns, cost, diffstat, denials and retries, and the totals', async () => {
    const run = startedRun('r1', ['alpha', 'beta', 'gamma', 'delta']);
    const fake = fakePorts({ runs: { r1: run } });
    app = renderApp({ ports: fake.ports, attach: 'r1', columns: 120 });
    await app.waitForFrame('alpha');
    run.emit({ type: 'job/started', job: 'alpha', attempt: 1, pid: 10, session_id: 's', head: 'abc', at: '2026-11-22T10:00:05.000Z' });
    run.emit({ type: 'job/progress', job: 'alpha', progress: { activity: 'Edit src/app.ts', turns: 3, cost_usd: 0.0123 } });
    run.emit({ type: 'job/started', job: 'beta', attempt: 1, pid: 11, session_id: 's', head: 'abc', at: '2026-11-22T10:00:00.000Z' });
    run.emit({ type: 'job/finished', job: 'beta', outcome: outcome('succeeded', { denials: ['Bash', 'Bash'] }), at: '2026-11-22T10:01:05.000Z' });
    run.emit({ type: 'job/started', job: 'gamma', attempt: 1, pid: 12, session_id: 's', head: 'abc' });
    run.emit({ type: 'job/retrying', job: 'gamma', attempt: 1, retries: 2, delay_ms: 2000, error: 'overloaded' });
    const frame = await app.waitForFrame('retrying (1/2)');
    const line = (job: string): string => frame.split('\n').find((row) => row.includes(` ${job} `)) ?? '';
    expect(line('alpha')).toMatch(/running +alpha .* 25s +Edit src\/app\.ts +3 +\$0\.012/);
    expect(line('beta')).toMatch(/✔ succeeded +beta .*1m05s +⚠ 2 denied · All done\. +4 +\$0\.500 \+10 −3 2f/);
    expect(line('gamma')).toMatch(/↻ retrying +gamma/);
    expect(line('delta')).toMatch(/· queued +delta .*waiting for a slot/);
    expect(frame).toMatch(/2 running · 1\/4 done · 0 failed · \$0\.512/);
  });

  it('keeps every row to one line at 80×24 and below, and scrolls past the screen', async () => {
    const ids = Array.from({ length: 40 }, (_, index) => `job-${String(index + 1).padStart(2, '0')}-with-a-long-name`);
    const run = startedRun('r2', ids);
    app = renderApp({ ports: fakePorts({ runs: { r2: run } }).ports, attach: 'r2', columns: 80, rows: 24 });
    await app.waitForFrame('job-01');
    let frame = app.frame();
    expect(frame.split('\n').length).toBeLessThanOrEqual(23);
    for (const line of frame.split('\n')) expect(line.length).toBeLessThanOrEqual(80);
    expect(frame).not.toContain('job-40');
    await app.press('G');
    frame = await app.waitForFrame('job-40');
    expect(frame).not.toContain('job-01');
    expect(frame.split('\n').length).toBeLessThanOrEqual(23);
  });

  it('degrades on a 50-column terminal without breaking a row or crashing', async () => {
    const run = startedRun('r3', ['alpha', 'beta']);
    app = renderApp({ ports: fakePorts({ runs: { r3: run } }).ports, attach: 'r3', columns: 50, rows: 12 });
    const frame = await app.waitForFrame('alpha');
    for (const line of frame.split('\n')) expect(line.length).toBeLessThanOrEqual(50);
    expect(frame.split('\n').length).toBeLessThanOrEqual(11);
  });

  it('a flood of held keys moves one row per key, to the end and no further', async () => {
    const run = startedRun('r4', ['a1', 'a2', 'a3', 'a4', 'a5']);
    app = renderApp({ ports: fakePorts({ runs: { r4: run } }).ports, attach: 'r4' });
    await app.waitForFrame('a5');
    await app.press('jj');
    expect(app.store.getState().jobs.selected).toBe('a3');
    await app.press('jjjjjjjjjjjjjjjjjjjj');
    expect(app.store.getState().jobs.selected).toBe('a5');
    await app.press('k');
    expect(app.store.getState().jobs.selected).toBe('a4');
  });

  it('selection follows the job, not the row, when the filter changes the rows', async () => {
    const run = startedRun('r5', ['api', 'web', 'worker']);
    app = renderApp({ ports: fakePorts({ runs: { r5: run } }).ports, attach: 'r5' });
    await app.waitForFrame('worker');
    await app.press('j', 'j');
    expect(app.store.getState().jobs.selected).toBe('worker');
    await app.press('/', 'w');
    await app.waitForFrame('2 of 3');
    expect(app.store.getState().jobs.selected).toBe('worker');
    await app.press('o');
    await app.waitForFrame('1 of 3');
    await app.press('enter');
    expect(app.store.getState().jobs.selected).toBe('worker');
  });

  it('x asks before cancelling a running job; m merges a finished one; r reruns it', async () => {
    const run = startedRun('r6', ['alpha', 'beta']);
    run.emit({ type: 'job/started', job: 'alpha', attempt: 1, pid: 10, session_id: 's', head: 'abc' });
    run.emit({ type: 'job/started', job: 'beta', attempt: 1, pid: 11, session_id: 's', head: 'abc' });
    run.emit({ type: 'job/finished', job: 'beta', outcome: outcome('succeeded') });
    const fake = fakePorts({ runs: { r6: run } });
    app = renderApp({ ports: fake.ports, attach: 'r6' });
    await app.waitForFrame('alpha');
    await app.press('x');
    await app.waitForFrame('Cancel job alpha? y yes · n no');
    await app.press('n');
    expect(fake.calls.cancelled).toEqual([]);
    await app.press('x', 'y');
    await app.waitForFrame('Cancelling alpha…');
    expect(fake.calls.cancelled).toEqual(['alpha']);
    await app.press('m');
    await app.waitForFrame('alpha is still running; merge it when it has ended.');
    await app.press('j', 'm');
    await app.waitForFrame('Merged beta.');
    await app.press('r');
    await app.waitForFrame('Rerunning beta (a fresh session, attempt 2).');
    expect(fake.calls.reruns).toEqual(['beta']);
    // L lands the run's succeeded jobs through the queue, and says what became of each.
    await app.press('L');
    await app.waitForFrame('Landed alpha on main; beta: conflict in a.txt.');
    expect(fake.calls.landed).toEqual(['r6']);
  });

  it('tells the terminal when a job fails and when the run ends, not for history', async () => {
    const run = startedRun('r7', ['alpha', 'beta']);
    run.emit({ type: 'job/finished', job: 'alpha', outcome: outcome('failed', { error: 'old failure' }), at: '2020-01-01T00:00:00.000Z' });
    const fake = fakePorts({ runs: { r7: run } });
    app = renderApp({ ports: fake.ports, attach: 'r7' });
    await app.waitForFrame('beta');
    expect(fake.calls.notified).toEqual([]);
    run.emit({ type: 'job/finished', job: 'beta', outcome: outcome('failed', { error: 'Not logged in' }) });
    run.emit({ type: 'run/finished', state: 'failed' });
    await app.waitForFrame('run failed');
    expect(fake.calls.notified).toEqual(['par: beta failed', 'par: run failed']);
  });
});

describe('plan review', () => {
  it('shows a waiting plan in the log pane; p approves, e edits then approves, n rejects', async () => {
    const run = startedRun('rp', ['alpha', 'beta', 'gamma']);
    for (const job of ['alpha', 'beta', 'gamma']) {
      run.emit({ type: 'job/started', job, attempt: 1, pid: 10, session_id: 's', head: 'abc', phase: 'plan' });
    }
    const fake = fakePorts({ runs: { rp: run }, edit: (text) => `${text}\n4. And update the changelog` });
    app = renderApp({ ports: fake.ports, attach: 'rp', columns: 120 });
    let frame = await app.waitForFrame('gamma');
    expect(frame).toMatch(/planning +alpha/);
    run.emit({ type: 'job/plan-ready', job: 'alpha', plan: '1. Read the code\n2. Fix the bug', session_id: 's', cost_usd: 0.02 });
    frame = await app.waitForFrame('The plan of alpha is ready: enter shows it, y (or p) approves, e edits then approves, n rejects.');
    expect(frame).toMatch(/\? awaiting-approval +alpha .* plan ready for review/);
    expect(fake.calls.notified).toEqual(['par: alpha needs approval']);
    await app.press('enter');
    frame = await app.waitForFrame('2. Fix the bug');
    expect(frame).toContain('The plan of alpha: p approves · e edits, then approves · n rejects');
    await app.press('p');
    await app.waitForFrame('Approved the plan of alpha; it executes as a place frees up.');
    await app.press('esc', 'j');
    await app.press('p');
    await app.waitForFrame('beta has no plan waiting for review (it is planning).');
    run.emit({ type: 'job/plan-ready', job: 'beta', plan: '1. Plan B', session_id: 's', cost_usd: 0.02 });
    run.emit({ type: 'job/plan-ready', job: 'gamma', plan: '1. Plan C', session_id: 's', cost_usd: 0.02 });
    await app.waitForFrame(/awaiting-approval +gamma/);
    await app.press('e');
    await app.waitForFrame('Approved the plan of beta as edited');
    await app.press('j', 'n');
    await app.waitForFrame('Rejected the plan of gamma; the job is cancelled.');
    expect(fake.calls.approved).toEqual([
      ['alpha', null],
      ['beta', '1. Plan B\n4. And update the changelog'],
    ]);
    expect(fake.calls.rejected).toEqual(['gamma']);
  });
});

describe('log and diff', () => {
  it('enter shows the transcript of the job, readable; R shows it raw; esc goes back', async () => {
    const run = startedRun('r8', ['alpha']);
    const tool = JSON.stringify({ type: 'assistant', message: { content: [{ type: 'tool_use', id: 't1', name: 'Edit', input: { file_path: '/wt/alpha/src/app.ts' } }] } });
    const text = JSON.stringify({ type: 'assistant', message: { content: [{ type: 'text', text: 'Fixing the lint now.' }] } });
    app = renderApp({ ports: fakePorts({ runs: { r8: run }, output: { alpha: [text, tool] } }).ports, attach: 'r8' });
    await app.waitForFrame('alpha');
    await app.press('enter');
    let frame = await app.waitForFrame('● Edit src/app.ts');
    expect(frame).toContain('Fixing the lint now.');
    expect(frame).toContain('transcript · following');
    await app.press('R');
    frame = await app.waitForFrame('"tool_use"');
    expect(frame).toContain('raw output');
    await app.press('esc');
    await app.waitForFrame('STATE');
  });

  it('scrolling up pauses following; f follows again', async () => {
    const run = startedRun('r9', ['alpha']);
    const lines = Array.from({ length: 200 }, (_, index) => `plain line ${index + 1}`);
    app = renderApp({ ports: fakePorts({ runs: { r9: run }, output: { alpha: lines } }).ports, attach: 'r9' });
    await app.waitForFrame('alpha');
    await app.press('enter');
    await app.waitForFrame('plain line 200');
    await app.press('up', 'up', 'up');
    let frame = await app.waitForFrame('paused, 3 lines above the end');
    expect(frame).not.toContain('plain line 200');
    expect(frame).toContain('plain line 197');
    await app.press('pageup', 'g');
    frame = await app.waitForFrame('plain line 1\n');
    await app.press('f');
    frame = await app.waitForFrame('following');
    expect(frame).toContain('plain line 200');
  });

  it('d shows the diff of the job', async () => {
    const run = startedRun('r10', ['alpha']);
    app = renderApp({ ports: fakePorts({ runs: { r10: run } }).ports, attach: 'r10' });
    await app.waitForFrame('alpha');
    await app.press('d');
    // "Computing the diff of alpha…" first, then the diff itself.
    const frame = await app.waitForFrame('+added line');
    expect(frame).toContain('lines 1–3 of 3');
  });
});

describe('best-of-N in the grid', () => {
  it('ties a target\'s attempts together and names their agents; c compares them side by side with the diff between two; → and s pick the pair', async () => {
    const run = new FakeRun('r20');
    const attempt = (id: string, target: string, variant: number, agent: string) => ({ id, worktree: `/wt/${id}`, branch: `b/${id}`, created: true, target, variant, agent });
    run.emit({ type: 'run/started', run: 'r20', supervisor_pid: 1, jobs: [attempt('t1.v1', 't1', 1, 'claude'), attempt('t1.v2', 't1', 2, 'codex'), attempt('t1.v3', 't1', 3, 'gemini'), { id: 'solo', worktree: '/wt/solo', branch: 'solo', created: false }], at: '2026-11-22T10:00:00.000Z' });
    run.emit({ type: 'job/finished', job: 't1.v1', outcome: outcome('succeeded', { cost_usd: 0.25 }) });
    run.emit({ type: 'job/finished', job: 't1.v2', outcome: outcome('failed', { error: 'tests fail', result: null }) });
    app = renderApp({ ports: fakePorts({ runs: { r20: run } }).ports, attach: 'r20' });
    let frame = await app.waitForFrame('┌ t1.v1');
    expect(frame).toMatch(/├ t1\.v2 .* codex · tests fail/);
    expect(frame).toMatch(/└ t1\.v3 .* gemini · waiting for a slot/);
    expect(frame).toMatch(/ solo {2,}/);
    await app.press('c');
    frame = await app.waitForFrame('t1.v1 → t1.v2');
    expect(frame).toMatch(/A t1\.v1 +B t1\.v2 +t1\.v3/);
    expect(frame).toMatch(/agent +claude +codex +gemini/);
    expect(frame).toMatch(/state +succeeded +failed +queued/);
    expect(frame).toMatch(/cost +\$0\.250 +\$0\.500 +—/);
    expect(frame).toContain('+line of t1.v2');
    await app.press('right');
    frame = await app.waitForFrame('+line of t1.v3');
    expect(frame).toMatch(/A t1\.v1 +t1\.v2 +B t1\.v3/);
    await app.press('s');
    frame = await app.waitForFrame('t1.v3 → t1.v1');
    expect(frame).toMatch(/B t1\.v1 +t1\.v2 +A t1\.v3/);
    await app.press('esc', 'G', 'c');
    await app.waitForFrame('solo is not one of several attempts');
  });
});

describe('quitting, help and runs', () => {
  it('q with jobs running asks: esc stays, k keeps them running, c cancels them', async () => {
    for (const [key, how, cancelled] of [
      ['k', 'kept', []],
      ['c', 'cancelled', [null]],
    ] as const) {
      const run = startedRun('r11', ['alpha']);
      const fake = fakePorts({ runs: { r11: run } });
      app = renderApp({ ports: fake.ports, attach: 'r11' });
      await app.waitForFrame('alpha');
      await app.press('q');
      await app.waitForFrame('Jobs are still running: k keep them running in the background · c cancel them · esc stay');
      await app.press('esc');
      await app.waitForFrame('0 running');
      expect(app.exit()).toBeNull();
      await app.press('ctrl+c');
      await app.waitForFrame('Jobs are still running');
      await app.press(key);
      expect(app.exit()?.how).toBe(how);
      expect(fake.calls.cancelled).toEqual(cancelled);
      app.cleanup();
      app = undefined;
    }
  });

  it('q with nothing running quits at once', async () => {
    app = renderApp({ ports: fakePorts({ prompts: PROMPTS }).ports });
    await app.waitForFrame('fix-lint');
    await app.press('q');
    expect(app.exit()).toEqual({ how: 'quit', run: null });
  });

  it('? lists every key from the keymap; the footer shows the active ones', async () => {
    app = renderApp({ ports: fakePorts({ prompts: PROMPTS }).ports, columns: 120 });
    let frame = await app.waitForFrame('fix-lint');
    expect(frame).toContain('enter pick · / filter · a add · tab pane · ? help · q quit');
    await app.press('?');
    frame = await app.waitForFrame('Jobs:');
    expect(frame).toContain('x cancel');
    expect(frame).toContain('f follow');
    expect(frame).toContain('R raw');
    await app.press('esc');
    await app.waitForFrame('fix-lint');
  });

  it('the Runs pane lists runs and enter attaches to one', async () => {
    const run = startedRun('r12', ['alpha', 'beta']);
    app = renderApp({ ports: fakePorts({ prompts: PROMPTS, runs: { r12: run } }).ports });
    await app.waitForFrame('fix-lint');
    await app.press('tab', 'tab');
    await app.waitForFrame('r12');
    await app.press('enter');
    const frame = await app.waitForFrame('STATE');
    expect(frame).toContain('alpha');
    expect(frame).toContain('run r12');
  });
});
