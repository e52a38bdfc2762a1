import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runPar, type Sandbox } from '../helpers/par.js';
import { makeSimRuns } from '../helpers/sim-runs.js';

let sandbox: Sandbox;
let repo: string;
beforeEach(() => {
  ({ sandbox, repo } = makeSimRuns(0));
});
afterEach(() => sandbox.cleanup());

interface Doctor {
  ok: boolean;
  checks: { name: string; status: string; detail: string; fix: string | null }[];
}

describe('par doctor', () => {
  it('tells the truth: no credentials is ✗ (exit 1), no terminal is ⚠ with what to do', async () => {
    const result = await runPar(sandbox, ['doctor'], { cwd: repo, env: { TMUX: '', PATH: '/usr/bin:/bin' } });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^✓ node +Node\.js \d+\.\d+\.\d+$/m);
    expect(result.stdout).toMatch(/^✓ git +git \d+\.\d+/m);
    expect(result.stdout).toMatch(/^✓ agent claude +2\.1\.330 \(Claude Code, simulated by par\) \(.*sim-agent\.mjs\)$/m);
    expect(result.stdout).toMatch(/^✗ claude credentials +no API key and no login found\n +→ Run claude once and \/login, or set ANTHROPIC_API_KEY\.$/m);
    // codex and gemini are optional: not installed is a warning naming how to get them.
    expect(result.stdout).toMatch(/^⚠ agent codex +'codex' was not found on PATH \(needed only for --agent codex\)\n +→ Install Codex \(npm install -g @openai\/codex\) or set agents\.codex\.binary\.$/m);
    expect(result.stdout).toMatch(/^⚠ agent gemini +'gemini' was not found on PATH/m);
    expect(result.stdout).toMatch(/^⚠ terminal +no terminal to open job windows in\n +→ Tried ghostty \(not on PATH\), tmux \(par is not running inside tmux\)\. Install Ghostty/m);
  });

  it('is all ✓ with a key and a terminal, exit 0; --json says the same', async () => {
    const bin = (name: string) => JSON.stringify(join(process.cwd(), 'node_modules', '.bin', name));
    writeFileSync(sandbox.configFile, `claude:\n  binary_path: ${JSON.stringify(join(process.cwd(), 'assets', 'sim-agent.mjs'))}\nagents:\n  codex: {binary: ${bin('codex')}}\n  gemini: {binary: ${bin('gemini')}}\nterminal:\n  command: ["kitty", "{cmd}"]\n`);
    const result = await runPar(sandbox, ['doctor', '--json'], { cwd: repo, env: { ANTHROPIC_API_KEY: 'sk-x', OPENAI_API_KEY: 'sk-o', GEMINI_API_KEY: 'g-x' } });
    expect(result.code).toBe(0);
    const doctor = JSON.parse(result.stdout) as Doctor;
    expect(doctor.ok).toBe(true);
    expect(doctor.checks.map((check) => [check.name, check.status])).toEqual([
      ['node', 'ok'],
      ['git', 'ok'],
      ['config', 'ok'],
      ['agent claude', 'ok'],
      ['claude credentials', 'ok'],
      ['agent codex', 'ok'],
      ['codex credentials', 'ok'],
      ['agent gemini', 'ok'],
      ['gemini credentials', 'ok'],
      ['terminal', 'ok'],
      ['data dir', 'ok'],
      ['state dir', 'ok'],
    ]);
    expect(doctor.checks[4]?.detail).toBe('ANTHROPIC_API_KEY is set');
    expect(doctor.checks[5]?.detail).toMatch(/^codex-cli \d+\.\d+\.\d+ \(.*codex\)$/);
    expect(doctor.checks[7]?.detail).toMatch(/^\d+\.\d+\.\d+ \(.*gemini\)$/);
    expect(doctor.checks[9]?.detail).toBe('windows open in terminal.command (kitty)');
  });

  it('names a broken config and a missing agent binary as ✗ with the fix', async () => {
    writeFileSync(sandbox.configFile, 'claude:\n  binary_path: no-such-claude\n');
    const missing = await runPar(sandbox, ['doctor'], { cwd: repo });
    expect(missing.code).toBe(1);
    expect(missing.stdout).toMatch(/^✗ agent claude +'no-such-claude' was not found on PATH\n +→ Install Claude Code \(npm install -g @anthropic-ai\/claude-code\) or set claude\.binary_path\.$/m);
    writeFileSync(sandbox.configFile, 'defaults:\n  jobs: none\n');
    const broken = await runPar(sandbox, ['doctor'], { cwd: repo });
    expect(broken.code).toBe(1);
    expect(broken.stdout).toMatch(/^✗ config +The config file .* line 2 is invalid: defaults\.jobs/m);
  });
});
