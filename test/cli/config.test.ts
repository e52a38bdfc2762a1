import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeSandbox, runPar, type Sandbox } from '../helpers/par.js';

let sandbox: Sandbox;
beforeEach(() => {
  sandbox = makeSandbox();
});
afterEach(() => sandbox.cleanup());

function writeConfig(text: string): void {
  mkdirSync(dirname(sandbox.configFile), { recursive: true });
  writeFileSync(sandbox.configFile, text);
}

describe('par config', () => {
  it('sets and gets a key, keeping a comment written by hand', async () => {
    writeConfig('# written by hand\ndefaults:\n  jobs: 2 # two at once\n');
    const set = await runPar(sandbox, ['config', 'set', 'defaults.jobs', '5']);
    expect(set).toMatchObject({ code: 0, stdout: 'defaults.jobs = 5\n', stderr: '' });
    expect((await runPar(sandbox, ['config', 'get', 'defaults.jobs'])).stdout).toBe('5\n');
    expect(readFileSync(sandbox.configFile, 'utf8')).toBe('# written by hand\ndefaults:\n  jobs: 5 # two at once\n');
  });

  it('prints the path, whether or not the file exists', async () => {
    expect((await runPar(sandbox, ['config', 'path'])).stdout).toBe(`${sandbox.configFile}\n`);
    expect(existsSync(sandbox.configFile)).toBe(false);
  });

  it('lists every key with its value and origin, and as JSON', async () => {
    await runPar(sandbox, ['config', 'set', 'terminal.command', '["kitty", "--directory", "{dir}", "--hold", "{cmd}"]']);
    const listed = await runPar(sandbox, ['config', 'list']);
    expect(listed.stdout).toMatch(/^defaults\.jobs +3 +default$/m);
    expect(listed.stdout).toMatch(/^terminal\.command +\["kitty","--directory","\{dir\}","--hold","\{cmd\}"\] +config file$/m);
    const json = JSON.parse((await runPar(sandbox, ['config', 'list', '--json'])).stdout) as { worktrees: { max_depth: number } };
    expect(json.worktrees.max_depth).toBe(4);
  });

  it('gets a whole section as YAML or JSON', async () => {
    const yaml = await runPar(sandbox, ['config', 'get', 'defaults']);
    expect(yaml.stdout).toBe('jobs: 3\ntimeout: 60m\nidle_timeout: 15m\nretries: 2\noutput_dir: null\nkeep_days: 7\ninput_timeout: 30m\nnice: 10\nmax_agents: null\n');
    const json = await runPar(sandbox, ['config', 'get', 'worktrees.exclude_patterns', '--json']);
    expect(JSON.parse(json.stdout)).toEqual(['*/node_modules', '*/.git', '*/target']);
  });

  it('configures an agent; a built-in one takes only its binary and args', async () => {
    const set = await runPar(sandbox, ['config', 'set', 'agents.aider', '{binary: aider, args: [--yes-always, --message, "{prompt}"], prompt: arg, output: text}']);
    expect(set.code).toBe(0);
    expect((await runPar(sandbox, ['config', 'get', 'agents.aider.binary'])).stdout).toBe('aider\n');
    expect((await runPar(sandbox, ['config', 'get', 'agents.aider.prompt'])).stdout).toBe('arg\n');
    expect((await runPar(sandbox, ['config', 'set', 'agents.codex.args', '[--profile, work]'])).code).toBe(0);
    expect(await runPar(sandbox, ['config', 'set', 'agents.codex.output', 'text'])).toMatchObject({ code: 2, stderr: 'par: Not saved: agents.codex is built in: only its binary and args can be set, not output.\n' });
    expect((await runPar(sandbox, ['config', 'get', 'agents.codex'])).stdout).toBe('args:\n  - --profile\n  - work\n');
  });
});

describe('bad configuration: one sentence, exit 2, nothing changed', () => {
  it.each([
    [['config', 'set', 'defaults.jobs', 'zero'], "par: defaults.jobs must be a whole number of 1 or more, not 'zero'.\n"],
    [['config', 'set', 'no.such.key', '1'], "par: 'no.such.key' is not a configuration key. Run 'par config list' to see every key.\n"],
    [['config', 'set', 'defaults', '1'], 'par: defaults is a section, not a key; set one of its keys, such as defaults.jobs.\n'],
    [['config', 'get', 'defaults.jbos'], "par: 'defaults.jbos' is not a configuration key. Did you mean 'defaults.jobs'? Run 'par config list' to see every key.\n"],
    [['config', 'set', 'terminal.command', '["kitty"]'], /^par: terminal\.command must be .* \(it must contain \{cmd\}, where the command goes\)\.\n$/],
  ])('par %j', async (args, message) => {
    const result = await runPar(sandbox, args);
    expect(result).toMatchObject({ code: 2, stdout: '' });
    expect(result.stderr).toMatch(message);
    expect(existsSync(sandbox.configFile)).toBe(false);
  });

  it.each([
    ['broken YAML', 'defaults:\n  jobs: [1\n', /^par: The config file .*config\.yaml line \d is not valid YAML \(.*\); fix it by hand, par never rewrites it\.\n$/],
    ['a wrong type', 'defaults:\n  jobs: many\n', /^par: The config file .*config\.yaml line 2 is invalid: defaults\.jobs is 'many', but it must be a whole number of 1 or more; correct that line in the file with an editor \(par config set reads the file first, so it cannot mend it\)\.\n$/],
  ])('a config file with %s stops every command and is never rewritten', async (_name, text, message) => {
    writeConfig(text);
    for (const args of [['list', 'prompts'], ['config', 'get', 'defaults.jobs'], ['config', 'set', 'defaults.jobs', '4'], ['add', '--name', 'x']]) {
      const result = await runPar(sandbox, args, { input: 'prompt\n' });
      expect(result).toMatchObject({ code: 2, stdout: '' });
      expect(result.stderr).toMatch(message);
    }
    expect(readFileSync(sandbox.configFile, 'utf8')).toBe(text);
  });

  it('uses prompts.storage_dir for the library', async () => {
    await runPar(sandbox, ['config', 'set', 'prompts.storage_dir', '~/my-prompts']);
    await runPar(sandbox, ['add', '--name', 'x'], { input: 'hello\n' });
    expect(existsSync(`${sandbox.home}/my-prompts/x.md`)).toBe(true);
  });
});
