import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeSandbox, runPar, type Sandbox } from '../helpers/par.js';

let sandbox: Sandbox;
let tmp: string;
beforeEach(() => {
  sandbox = makeSandbox();
  // The demo makes its throwaway folder under TMPDIR: here, so what it leaves can be seen.
  tmp = join(sandbox.dir, 'tmp');
  mkdirSync(tmp);
});
afterEach(() => sandbox.cleanup());

describe('par demo', () => {
  it('--no-tui runs the demo headless to its end, every state shown, and leaves nothing behind', async () => {
    const result = await runPar(sandbox, ['demo', '--no-tui'], { cwd: sandbox.dir, env: { TMPDIR: tmp } });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/A throwaway repository with 4 worktrees in .*par-demo-/);
    expect(result.stdout).toMatch(/lint-cart {2}succeeded .*1 file \+1 -0/);
    expect(result.stdout).toMatch(/lint-price {2}succeeded .*⚠ 1 denied \(Bash\)/);
    expect(result.stdout).toMatch(/lint-tests {2}failed .*error: 2 of 14 tests fail: cart\.test\.js/);
    expect(result.stdout).toContain('failed: 3/4 succeeded, 1 failed');
    // One job asks permission; headless, the demo shows how a script answers it.
    expect(result.stdout).toMatch(/lint-readme {2}needs-input {2}asks: Bash git push origin lint-readme {2}\(par inbox; par approve \/ par deny\)/);
    expect(result.stdout).toMatch(/lint-readme asks to run: git push origin lint-readme\n {2}\(par inbox lists it; in the TUI, y allows it, n denies it\)\n {2}\$ par approve \S+ lint-readme\n/);
    expect(result.stdout).toMatch(/lint-readme {2}succeeded .*1 file \+1 -0/);
    expect(readdirSync(tmp)).toEqual([]);
    // The user's own par home is untouched.
    expect(existsSync(join(sandbox.dir, 'data', 'par'))).toBe(false);
  }, 60_000);

  it('--keep says where the demo is, and keeps it', async () => {
    const result = await runPar(sandbox, ['demo', '--no-tui', '--keep'], { cwd: sandbox.dir, env: { TMPDIR: tmp } });
    expect(result.code).toBe(0);
    const kept = /The demo is kept in (\S+) \(its par home is (\S+)\)\./.exec(result.stdout);
    expect(kept?.[1]).toMatch(/par-demo-/);
    expect(existsSync(join(kept?.[1] ?? '', 'shop', '.git'))).toBe(true);
    expect(readdirSync(join(kept?.[2] ?? '', '.local', 'share', 'par', 'runs'))).toHaveLength(1);
  }, 60_000);
});
