import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { git, makeRepo } from '../helpers/git-repo.js';
import { PAR_BIN, ROOT, eventually, makeSandbox, runPar, type Sandbox } from '../helpers/par.js';
import { startTmux, type TmuxSession } from '../helpers/tmux.js';

const SIM = join(ROOT, 'assets', 'sim-agent.mjs');

let sandbox: Sandbox;
let tmux: TmuxSession | undefined;
let repo: string;

beforeEach(() => {
  sandbox = makeSandbox();
  repo = makeRepo(join(sandbox.dir, 'app'));
  for (const name of ['alpha', 'beta', 'gamma']) git(repo, 'worktree', 'add', '-q', '-b', name, join(sandbox.dir, `wt-${name}`));
  mkdirSync(join(sandbox.dir, 'config', 'par'), { recursive: true });
  writeFileSync(sandbox.configFile, `claude:\n  binary_path: ${JSON.stringify(SIM)}\n`);
  mkdirSync(sandbox.promptsDir, { recursive: true });
  writeFileSync(join(sandbox.promptsDir, 'fix-lint.md'), '---\ndescription: fix the lint\n---\nFix the lint warnings.\nsim: duration=1 turns=3 write=NOTES.md\n');
});
afterEach(() => {
  tmux?.kill();
  tmux = undefined;
  sandbox.cleanup();
});

/** A shell in tmux, in the repository, with a prompt we can find. */
function shell(): TmuxSession {
  const session = startTmux({ command: 'sh', env: { ...sandbox.env, ENV: '' }, cwd: repo, width: 100, height: 30 });
  session.send([`PS1='READY$ '; alias par='${process.execPath} ${PAR_BIN}'`, 'Enter']);
  return session;
}

/** The visible screen only (not the scrollback): what a person sees now. */
function screenNow(session: TmuxSession): string {
  const lines = session.capture().replace(/\n+$/, '').split('\n');
  return lines.slice(-30).join('\n');
}

describe('the TUI in a real terminal', () => {
  it('picks a prompt, selects 3 worktrees, runs them to success, shows a log, and gives the shell back', async () => {
    tmux = shell();
    await tmux.waitFor((text) => text.includes('READY$'));
    tmux.send(['clear; par', 'Enter']);
    await tmux.waitFor((text) => text.includes('fix-lint') && text.includes('enter pick'));
    tmux.send(['Enter']);
    await tmux.waitFor((text) => text.includes('Where to run fix-lint') && text.includes('wt-gamma'));
    tmux.send(['Down', 'Space', 'Down', 'Space', 'Down', 'Space']);
    await tmux.waitFor((text) => text.includes('(3 selected)'));
    tmux.send(['Enter']);
    await tmux.waitFor((text) => text.includes('Run fix-lint in 3 worktrees: 3 jobs'));
    tmux.send(['Enter']);
    // The run ends just after its last job: wait for both.
    const grid = await tmux.waitFor((text) => (text.match(/✔ succeeded/g) ?? []).length === 3 && text.includes('run succeeded'), 20_000);
    expect(grid).toMatch(/✔ succeeded +wt-alpha/);
    expect(grid).toContain('3/3 done · 0 failed');
    expect(grid).toContain('run succeeded');
    tmux.send(['Enter']);
    const log = await tmux.waitFor((text) => text.includes('● Write NOTES.md'));
    expect(log).toContain('wt-alpha · succeeded · transcript');
    tmux.send(['Escape']);
    await tmux.waitFor(() => screenNow(tmux as TmuxSession).includes('STATE'));
    tmux.send(['q']);
    await tmux.waitFor(() => /^READY\$\s*$/m.test(screenNow(tmux as TmuxSession)));
    // The main screen is back, and typing echoes.
    const after = screenNow(tmux);
    expect(after).not.toContain('STATE');
    tmux.send(['echo typed-$((6*7))', 'Enter']);
    await tmux.waitFor((text) => text.includes('typed-42'));
    const status = JSON.parse((await runPar(sandbox, ['status', '--json'], { cwd: repo })).stdout) as { state: string; jobs: { id: string; state: string }[] };
    expect(status.state).toBe('succeeded');
    expect(status.jobs.map((job) => job.state)).toEqual(['succeeded', 'succeeded', 'succeeded']);
  }, 60_000);

  it('a job asks to run a command: the header says 1 need you, y lets it run, s sends a message its next turn shows, i stops a long turn', async () => {
    writeFileSync(join(sandbox.promptsDir, 'ask.md'), '---\ndescription: asks\n---\nTidy up.\nsim: duration=1 turns=1 ask=curl_-s_example.com long=60s\n');
    tmux = shell();
    await tmux.waitFor((text) => text.includes('READY$'));
    tmux.send([`clear; par run ask ${join(sandbox.dir, 'wt-alpha')}`, 'Enter']);
    const asking = await tmux.waitFor((text) => text.includes('1 need you'), 20_000);
    expect(asking).toMatch(/◉ needs-input +wt-alpha .*asks: Bash curl -s example\.com/);
    tmux.send(['y']);
    await tmux.waitFor((text) => text.includes('Bash sleep 60') && !text.includes('need you'));
    tmux.send(['s']);
    await tmux.waitFor((text) => text.includes('Message for wt-alpha:'));
    tmux.send(['also update the README'], { literal: true });
    tmux.send(['Enter']);
    await tmux.waitFor((text) => text.includes('Sent to wt-alpha.'));
    tmux.send(['i']);
    // The interrupted turn ends; the message waiting for the turn boundary is the next turn.
    const done = await tmux.waitFor((text) => text.includes('Done: also update the README'), 20_000);
    expect(done).toMatch(/✔ succeeded +wt-alpha/);
    tmux.send(['Enter']);
    const log = await tmux.waitFor((text) => text.includes('› also update the README'));
    expect(log).toContain('✓ allowed by you (tui)');
    expect(log).toContain('‖ interrupted');
    tmux.send(['Escape']);
    await tmux.waitFor(() => screenNow(tmux as TmuxSession).includes('STATE'));
    tmux.send(['q']);
    await tmux.waitFor(() => /^READY\$\s*$/m.test(screenNow(tmux as TmuxSession)));
  }, 60_000);

  it('quits with keep-running, and the run left going is in the Runs pane and finishes there', async () => {
    writeFileSync(join(sandbox.promptsDir, 'slow.md'), '---\ndescription: slow\n---\nTake a while.\nsim: duration=8\n');
    tmux = shell();
    await tmux.waitFor((text) => text.includes('READY$'));
    tmux.send([`clear; par run slow ${join(sandbox.dir, 'wt-alpha')}; echo EXIT=$?`, 'Enter']);
    await tmux.waitFor((text) => text.includes('running') && text.includes('wt-alpha'));
    tmux.send(['q']);
    await tmux.waitFor((text) => text.includes('k keep them running in the background'));
    tmux.send(['k']);
    const left = await tmux.waitFor((text) => text.includes('EXIT='));
    expect(left.replace(/\n/g, '')).toMatch(/keeps going in the background; see it with par attach \d{8}-\d{6}-\w{4}/);
    expect(left).toContain('EXIT=0');
    tmux.send(['clear; par', 'Enter']);
    await tmux.waitFor((text) => text.includes('enter pick'));
    tmux.send(['Tab']);
    await tmux.waitFor((text) => text.includes('Where to run') || text.includes('Pick a prompt first'));
    tmux.send(['Tab']);
    await tmux.waitFor((text) => /\d{8}-\d{6}-\w{4} +running/.test(text));
    tmux.send(['Enter']);
    await tmux.waitFor((text) => text.includes('✔ succeeded') && text.includes('run succeeded'), 20_000);
    tmux.send(['q']);
    await tmux.waitFor(() => /^READY\$\s*$/m.test(screenNow(tmux as TmuxSession)));
  }, 60_000);

  it('restores the terminal on SIGTERM and leaves the run going', async () => {
    writeFileSync(join(sandbox.promptsDir, 'slow.md'), '---\ndescription: slow\n---\nTake a while.\nsim: duration=3\n');
    tmux = shell();
    await tmux.waitFor((text) => text.includes('READY$'));
    tmux.send([`clear; par run slow ${join(sandbox.dir, 'wt-beta')}; echo EXIT=$?`, 'Enter']);
    await tmux.waitFor((text) => text.includes('wt-beta') && text.includes('running'));
    // This test's par, and not its supervisor: the one whose command line is exactly the par run typed.
    const pid = execFileSync('pgrep', ['-f', `^${process.execPath} ${PAR_BIN} run slow ${join(sandbox.dir, 'wt-beta')}$`], { encoding: 'utf8' }).trim().split('\n')[0];
    process.kill(Number(pid), 'SIGTERM');
    const screen = await tmux.waitFor((text) => text.includes('EXIT='), 20_000);
    expect(screen).toContain('EXIT=130');
    expect(screenNow(tmux)).not.toContain('STATE');
    tmux.send(['echo typed-$((6*7))', 'Enter']);
    await tmux.waitFor((text) => text.includes('typed-42'));
    // The run was not cancelled: it finishes on its own.
    const done = await runPar(sandbox, ['status', '--json'], { cwd: repo });
    expect(['running', 'succeeded']).toContain((JSON.parse(done.stdout) as { state: string }).state);
  }, 60_000);

  it('r reruns a finished job in the same run as attempt 2, through a new supervisor', async () => {
    tmux = shell();
    await tmux.waitFor((text) => text.includes('READY$'));
    tmux.send([`clear; par run fix-lint ${join(sandbox.dir, 'wt-gamma')}`, 'Enter']);
    await tmux.waitFor((text) => text.includes('run succeeded'), 20_000);
    tmux.send(['r']);
    await tmux.waitFor((text) => text.includes('Rerunning wt-gamma (a fresh session, attempt 2).'));
    // The next key gives the message's line back to the totals.
    tmux.send(['j']);
    await tmux.waitFor(() => screenNow(tmux as TmuxSession).includes('run succeeded'), 20_000);
    tmux.send(['q']);
    await tmux.waitFor(() => /^READY\$\s*$/m.test(screenNow(tmux as TmuxSession)));
    const status = JSON.parse((await runPar(sandbox, ['status', '--json'], { cwd: repo })).stdout) as { state: string; jobs: { attempt: number; state: string }[] };
    expect(status.state).toBe('succeeded');
    expect(status.jobs[0]).toMatchObject({ attempt: 2, state: 'succeeded' });
  }, 60_000);
});

describe('opening a job in a terminal window', () => {
  it('o on a finished job launches Ghostty in its worktree with claude --resume and its session', async () => {
    const bin = join(sandbox.dir, 'bin');
    const recorded = join(sandbox.dir, 'ghostty-argv.json');
    mkdirSync(bin);
    // Stands in for Ghostty: records how it was started.
    writeFileSync(join(bin, 'ghostty'), `#!/bin/sh\nnode -e 'require("fs").writeFileSync(process.argv[1], JSON.stringify({ argv: process.argv.slice(2), cwd: process.cwd() }))' ${JSON.stringify(recorded)} "$@"\n`);
    chmodSync(join(bin, 'ghostty'), 0o755);
    tmux = startTmux({ command: 'sh', env: { ...sandbox.env, ENV: '', PATH: `${bin}:${sandbox.env.PATH}` }, cwd: repo, width: 100, height: 30 });
    tmux.send([`PS1='READY$ '; alias par='${process.execPath} ${PAR_BIN}'`, 'Enter']);
    await tmux.waitFor((text) => text.includes('READY$'));
    tmux.send([`clear; par run fix-lint ${join(sandbox.dir, 'wt-beta')}`, 'Enter']);
    await tmux.waitFor((text) => text.includes('run succeeded'), 20_000);
    tmux.send(['o']);
    await tmux.waitFor((text) => text.includes('Opened the claude session of job wt-beta in ghostty.'));
    await eventually(() => existsSync(recorded), 5000, 'the stand-in ghostty to run');
    const { argv, cwd } = JSON.parse(readFileSync(recorded, 'utf8')) as { argv: string[]; cwd: string };
    const status = JSON.parse((await runPar(sandbox, ['status', '--json'], { cwd: repo })).stdout) as { jobs: { session_id: string }[] };
    expect(argv).toEqual([`--working-directory=${join(sandbox.dir, 'wt-beta')}`, '--title=claude wt-beta', '--wait-after-command=true', '-e', SIM, '--resume', status.jobs[0]?.session_id]);
    expect(cwd).toBe(join(sandbox.dir, 'wt-beta'));
    tmux.send(['q']);
  }, 60_000);

  it('inside tmux with no Ghostty, o on a running job opens a tmux window in its worktree following it', async () => {
    writeFileSync(join(sandbox.promptsDir, 'slow.md'), '---\ndescription: slow\n---\nTake a while.\nsim: duration=6\n');
    tmux = shell();
    await tmux.waitFor((text) => text.includes('READY$'));
    tmux.send([`clear; par run slow ${join(sandbox.dir, 'wt-gamma')}`, 'Enter']);
    await tmux.waitFor((text) => text.includes('running') && text.includes('wt-gamma'));
    tmux.send(['o']);
    await eventually(() => (tmux as TmuxSession).windows().includes(`par wt-gamma ${join(sandbox.dir, 'wt-gamma')}`), 5000, 'the tmux window');
    // The new window is the one shown now: the job's transcript, followed to its end.
    const followed = await tmux.waitFor((text) => text.includes('── wt-gamma succeeded'), 20_000);
    expect(followed).toContain(`I'll work on this in ${join(sandbox.dir, 'wt-gamma')}.`);
  }, 60_000);
});
