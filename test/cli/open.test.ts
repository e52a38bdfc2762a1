import { chmodSync, existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { git } from '../helpers/git-repo.js';
import { eventually, runPar, type Sandbox } from '../helpers/par.js';
import { SIM, makeSimRuns, runStatus, type RunStatus } from '../helpers/sim-runs.js';

let sandbox: Sandbox;
let repo: string;
let recorded: string;
const wt = (n: number): string => join(sandbox.dir, `wt${n}`);
const status = (run?: string): Promise<RunStatus> => runStatus(sandbox, repo, run);
/** No Ghostty on PATH and not inside tmux: only terminal.command can open a window. */
const bare = (): Record<string, string> => ({ TMUX: '', PATH: '/usr/bin:/bin' });

beforeEach(() => {
  ({ sandbox, repo } = makeSimRuns(3));
  recorded = join(sandbox.dir, 'windows.ndjson');
  const recorder = join(sandbox.dir, 'terminal.sh');
  // Stands in for a terminal: records each window it was asked for, and runs nothing.
  writeFileSync(recorder, `#!/bin/sh\n${JSON.stringify(process.execPath)} -e 'require("fs").appendFileSync(process.argv[1], JSON.stringify({ cwd: process.cwd(), argv: process.argv.slice(2) }) + String.fromCharCode(10))' ${JSON.stringify(recorded)} "$@"\n`);
  chmodSync(recorder, 0o755);
});
afterEach(() => sandbox.cleanup());

function useTerminal(command: string[] | null): void {
  writeFileSync(sandbox.configFile, `claude:\n  binary_path: ${JSON.stringify(SIM)}\nterminal:\n  command: ${JSON.stringify(command)}\n`);
}

/** The windows recorded so far: whole lines only, since the stand-in terminal may be writing one as it is read. */
function windows(): { cwd: string; argv: string[] }[] {
  const text = existsSync(recorded) ? readFileSync(recorded, 'utf8') : '';
  return text.split('\n').slice(0, -1).map((line) => JSON.parse(line) as { cwd: string; argv: string[] });
}

describe('par open', () => {
  it('opens a finished claude job as its session continued, in its worktree, through terminal.command', async () => {
    useTerminal([join(sandbox.dir, 'terminal.sh'), '--cwd={dir}', '--title', '{title}', '{cmd}']);
    await runPar(sandbox, ['run', '-m', 'sim: turns=1', wt(1)], { cwd: repo });
    const run = await status();
    const opened = await runPar(sandbox, ['open', run.run.slice(0, 16), 'wt1'], { cwd: repo, env: bare() });
    expect(opened).toMatchObject({ code: 0, stdout: `Opened the claude session of job wt1 in ${join(sandbox.dir, 'terminal.sh')}.\n` });
    await eventually(() => windows().length === 1, 5000, 'the window');
    expect(windows()[0]).toEqual({ cwd: wt(1), argv: [`--cwd=${wt(1)}`, '--title', 'claude wt1', SIM, '--resume', run.jobs[0]?.session_id] });
  });

  it('says what it tried when there is no terminal, names unknown runs and jobs, and a worktree that is gone', async () => {
    await runPar(sandbox, ['run', '-m', 'sim: turns=1', wt(1), wt(2)], { cwd: repo });
    const run = await status();
    const none = await runPar(sandbox, ['open', run.run, 'wt1'], { cwd: repo, env: bare() });
    expect(none.code).toBe(2);
    expect(none.stderr).toBe(
      `par: No terminal to open a window in: tried ghostty (not on PATH), tmux (par is not running inside tmux). Install Ghostty, run par inside tmux, or set your terminal's command line: par config set terminal.command '["kitty", "--directory", "{dir}", "{cmd}"]'.\n`,
    );
    expect((await runPar(sandbox, ['open', 'nope', 'wt1'], { cwd: repo })).stderr).toMatch(/^par: There is no run 'nope'/);
    const job = await runPar(sandbox, ['open', run.run, 'wt3'], { cwd: repo });
    expect(job.code).toBe(2);
    expect(job.stderr).toBe(`par: Run ${run.run} has no job 'wt3'. Did you mean 'wt1'? Its jobs: wt1, wt2.\n`);
    useTerminal([join(sandbox.dir, 'terminal.sh'), '{cmd}']);
    git(repo, 'worktree', 'remove', '--force', wt(2));
    const gone = await runPar(sandbox, ['open', run.run, 'wt2'], { cwd: repo, env: bare() });
    expect(gone).toMatchObject({ code: 2, stderr: `par: The worktree ${wt(2)} is gone, so there is nothing to open there.\n` });
    expect(windows()).toEqual([]);
  });
});

describe('par run --term', () => {
  it('opens one window per job following its transcript, and the run still records every job', async () => {
    useTerminal([join(sandbox.dir, 'terminal.sh'), '{cmd}']);
    const result = await runPar(sandbox, ['run', '-m', 'sim: turns=2', wt(1), wt(2), wt(3), '--term'], { cwd: repo, env: bare() });
    expect(result.code).toBe(0);
    const run = await status();
    expect(run.jobs.map((job) => [job.state, job.turns > 0, (job.cost_usd ?? 0) > 0])).toEqual([['succeeded', true, true], ['succeeded', true, true], ['succeeded', true, true]]);
    await eventually(() => windows().length === 3, 5000, 'three windows');
    const opened = windows().sort((a, b) => a.cwd.localeCompare(b.cwd));
    expect(opened.map((window) => window.cwd)).toEqual([wt(1), wt(2), wt(3)]);
    expect(opened[0]?.argv).toEqual([process.execPath, expect.stringMatching(/dist\/cli\.js$/), 'results', run.run, 'wt1', '--follow']);
  });

  it('refuses --term with no terminal to open, starting nothing', async () => {
    const result = await runPar(sandbox, ['run', '-m', 'x', wt(1), '--term'], { cwd: repo, env: bare() });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^par: No terminal to open a window in: tried ghostty \(not on PATH\)/);
    expect(existsSync(join(sandbox.dir, 'data', 'par', 'runs')) ? readdirSync(join(sandbox.dir, 'data', 'par', 'runs')) : []).toEqual([]);
  });
});
