import { describe, expect, it } from 'vitest';
import { emptyRunState, reduceRun, type JobView } from '../../src/core/run-state.js';
import { chooseLauncher, customCommand, ghosttyLinux, ghosttyMacos, tmuxWindow, type TerminalEnvironment, type WindowRequest } from '../../src/terminal/launchers.js';
import { jobWindow } from '../../src/terminal/job-window.js';

const DIR = "/home/me/code/my app/it's ünïcode";
const request: WindowRequest = { dir: DIR, title: 'par api', argv: ['/usr/bin/node', '/opt/par/cli.js', 'results', 'r1', 'api', '--follow'], waitAfterCommand: true };

describe('launchers', () => {
  it.each<[string, string[]]>([
    ['ghostty on Linux', ghosttyLinux(request)],
    ['ghostty on macOS', ghosttyMacos(request)],
    ['tmux', tmuxWindow({ ...request, waitAfterCommand: false })],
    ['terminal.command', customCommand(['kitty', '--directory', '{dir}', '--title={title}', '--hold', '{cmd}'], request)],
  ])('%s keeps the directory and every argument of the command as one argument each', (_name, argv) => {
    expect(argv.filter((arg) => arg.includes(DIR))).toHaveLength(1);
    expect(argv.slice(-6)).toEqual(request.argv);
  });

  it('builds the exact command lines of DESIGN §7', () => {
    expect(ghosttyLinux(request)).toEqual(['ghostty', `--working-directory=${DIR}`, '--title=par api', '--wait-after-command=true', '-e', ...request.argv]);
    expect(ghosttyLinux({ ...request, waitAfterCommand: false }, '/usr/local/bin/ghostty')).toEqual(['/usr/local/bin/ghostty', `--working-directory=${DIR}`, '--title=par api', '-e', ...request.argv]);
    expect(ghosttyMacos(request)).toEqual(['open', '-na', 'Ghostty.app', '--args', `--working-directory=${DIR}`, '--title=par api', '--wait-after-command=true', '--quit-after-last-window-closed=true', '-e', ...request.argv]);
    // tmux ignores how its command ended: the window is kept with remain-on-exit, chained in the same call.
    expect(tmuxWindow(request)).toEqual(['tmux', 'new-window', '-n', 'par api', '-c', DIR, '--', ...request.argv, ';', 'set-option', '-w', 'remain-on-exit', 'on']);
    expect(tmuxWindow({ ...request, waitAfterCommand: false, env: { XDG_DATA_HOME: '/x y/data' } })).toEqual(['tmux', 'new-window', '-n', 'par api', '-c', DIR, '-e', 'XDG_DATA_HOME=/x y/data', '--', ...request.argv]);
    expect(tmuxWindow({ ...request, argv: ['echo', 'a;'] })).toEqual(['tmux', 'new-window', '-n', 'par api', '-c', DIR, '--', 'echo', 'a;']);
    expect(customCommand(['wezterm', 'start', '--cwd', '{dir}', '--', '{cmd}'], request)).toEqual(['wezterm', 'start', '--cwd', DIR, '--', ...request.argv]);
  });

  const machine = (changes: Partial<TerminalEnvironment>): TerminalEnvironment => ({ platform: 'linux', command: null, useGhostty: true, ghosttyPath: undefined, ghosttyApp: false, insideTmux: false, ...changes });
  it.each<[string, Partial<TerminalEnvironment>, string | string[]]>([
    ['terminal.command first', { command: ['kitty', '{cmd}'], ghosttyPath: '/bin/ghostty', insideTmux: true }, 'command'],
    ['Ghostty when on PATH', { ghosttyPath: '/bin/ghostty', insideTmux: true }, 'ghostty'],
    ['Ghostty.app on macOS', { platform: 'darwin', ghosttyApp: true }, 'ghostty-macos'],
    ['tmux without Ghostty', { insideTmux: true }, 'tmux'],
    ['tmux when Ghostty is turned off', { useGhostty: false, ghosttyPath: '/bin/ghostty', insideTmux: true }, 'tmux'],
    ['nothing: says what it tried', {}, ['ghostty (not on PATH)', 'tmux (par is not running inside tmux)']],
    ['nothing on macOS', { platform: 'darwin', useGhostty: true }, ['Ghostty.app (not in /Applications)', 'tmux (par is not running inside tmux)']],
  ])('chooses %s', (_name, changes, expected) => {
    const chosen = chooseLauncher(request, machine(changes));
    if (typeof expected === 'string') expect('terminal' in chosen && chosen.terminal).toBe(expected);
    else expect(chosen).toEqual({ tried: expected });
  });
});

describe('what a job opens', () => {
  const base = reduceRun(emptyRunState('r1'), { seq: 1, at: '2026-01-01T00:00:00Z', type: 'run/started', run: 'r1', supervisor_pid: 1, jobs: [{ id: 'api', worktree: DIR, branch: 'b', created: false }] }).byId.api as JobView;
  const open = (job: Partial<JobView>, claude: string | null = 'claude') =>
    jobWindow({ runId: 'r1', job: { ...base, ...job }, claudeBinary: claude, shell: '/bin/zsh', par: { node: '/usr/bin/node', script: '/opt/par/cli.js', env: { XDG_DATA_HOME: '/x/data' } }, waitAfterCommand: true });

  it.each<[string, Partial<JobView>, string | null, unknown]>([
    ['a running job: its live transcript', { state: 'running' }, 'claude', { dir: DIR, title: 'par api', argv: ['/usr/bin/node', '/opt/par/cli.js', 'results', 'r1', 'api', '--follow'], waitAfterCommand: true, env: { XDG_DATA_HOME: '/x/data' } }],
    ['a finished claude job: its session', { state: 'succeeded', session_id: 's-1' }, 'claude', { dir: DIR, title: 'claude api', argv: ['claude', '--resume', 's-1'], waitAfterCommand: true }],
    ['a finished job of another agent: a shell', { state: 'failed', session_id: 's-1' }, null, { dir: DIR, title: 'par api', argv: ['/bin/zsh'], waitAfterCommand: false }],
    ['a job whose worktree is not made yet', { worktree: null }, 'claude', 'Job api has no worktree yet: it is still being created.'],
  ])('%s', (_name, job, claude, expected) => {
    expect(open(job, claude)).toEqual(expected);
  });
});
