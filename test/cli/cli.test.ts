import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ROOT, makeSandbox, runPar, type Sandbox } from '../helpers/par.js';

let sandbox: Sandbox;
beforeEach(() => {
  sandbox = makeSandbox();
});
afterEach(() => sandbox.cleanup());

const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };

describe('par --version and --help', () => {
  it('prints the version and loads nothing but the CLI itself', async () => {
    const loads = join(sandbox.dir, 'loads.txt');
    const result = await runPar(sandbox, ['--version'], {
      nodeArgs: ['--import', join(ROOT, 'test/helpers/record-loads.mjs')],
      env: { PAR_TEST_LOADS: loads },
    });
    expect(result).toMatchObject({ code: 0, stdout: `${version}\n`, stderr: '' });
    const loaded = readFileSync(loads, 'utf8').trim().split('\n').filter((url) => url.includes('/dist/'));
    const sources = loaded.map((url) => readFileSync(new URL(url), 'utf8'));
    expect(loaded.some((url) => url.endsWith('/dist/cli.js'))).toBe(true);
    for (const source of sources) {
      expect(source).not.toContain('Config schema violation'); // conf
      expect(source).not.toContain('YAMLMap'); // yaml
      expect(source).not.toContain('react.transitional.element'); // React
    }
    expect(existsSync(join(sandbox.dir, 'config'))).toBe(false);
  });

  it('lists only the commands that work, with exit codes', async () => {
    const result = await runPar(sandbox, ['--help']);
    expect(result.code).toBe(0);
    const commands = [...result.stdout.matchAll(/^ {2}([a-z]+) /gm)].map((match) => match[1]);
    expect(commands).toEqual(['add', 'list', 'show', 'remove', 'run', 'status', 'results', 'report', 'merge', 'cancel', 'completion', 'doctor', 'demo', 'open', 'approve', 'send', 'interrupt', 'deny', 'answer', 'inbox', 'permissions', 'resume', 'attach', 'land', 'compare', 'keep', 'web', 'mcp', 'clean', 'config', 'help']);
    expect(result.stdout).toContain('2 bad usage');
  });

  it.each([
    [['help', 'show'], /Usage: par show \[options\] <prompt>/],
    [['show', '--help'], /--var <name=value>/],
    [['config', 'set', '--help'], /Usage: par config set \[options\] <key> <value>/],
  ])('par %j prints that command’s help', async (args, text) => {
    const result = await runPar(sandbox, args);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(text);
  });

  it('prints help and exits 2 with no arguments off a terminal', async () => {
    const result = await runPar(sandbox, []);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('Usage: par');
  });
});

describe('bad usage is one sentence and exit 2', () => {
  it.each([
    [['lst'], "par: Unknown command 'lst' — did you mean 'list'? See 'par --help'.\n"],
    [['add', '--nme', 'x'], "par: Unknown option '--nme' — did you mean '--name'? See 'par --help'.\n"],
    [['show'], "par: Missing required argument 'prompt'. See 'par --help'.\n"],
    [['list', 'wrktrees'], /value 'wrktrees' is invalid.*Allowed choices are prompts/],
    [['--log-level', 'loud', 'list'], /'loud' is invalid\. Allowed choices are error, warn, info, debug, trace/],
    [['__supervise'], "par: __supervise is par's own command and needs the directory of a run par made; start runs with par run.\n"],
    [['__supervise', '/nowhere', '--loud'], "par: __supervise is par's own command and cannot take /nowhere --loud; start runs with par run.\n"],
    [['__supervise', '/nowhere'], "par: /nowhere is not the directory of a run par made, so there is nothing to supervise; start runs with par run.\n"],
  ])('par %j', async (args, message) => {
    const result = await runPar(sandbox, args);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('refuses a bad PAR_LOG_LEVEL', async () => {
    const result = await runPar(sandbox, ['list'], { env: { PAR_LOG_LEVEL: 'loud' } });
    expect(result).toMatchObject({ code: 2, stdout: '' });
    expect(result.stderr).toBe("par: PAR_LOG_LEVEL is 'loud', which is not a log level; use one of error, warn, info, debug, trace.\n");
  });
});

describe('logging', () => {
  it('writes a log file per day under XDG_STATE_HOME and keeps stdout for output', async () => {
    const result = await runPar(sandbox, ['--log-level', 'debug', 'list', 'prompts', '--json']);
    expect(result).toMatchObject({ code: 0, stdout: '[]\n', stderr: '' });
    const [file, ...others] = readdirSync(sandbox.logDir);
    expect(others).toEqual([]);
    expect(file).toMatch(/^par-\d{4}-\d{2}-\d{2}\.log$/);
    expect(readFileSync(join(sandbox.logDir, file ?? ''), 'utf8')).toMatch(/DEBUG \[\d+\] command \{"argv":\["--log-level","debug","list","prompts","--json"\]/);
  });

  it('filters by level: at error a successful command writes nothing', async () => {
    const result = await runPar(sandbox, ['config', 'set', 'defaults.jobs', '4'], { env: { PAR_LOG_LEVEL: 'error' } });
    expect(result.code).toBe(0);
    expect(existsSync(sandbox.logDir)).toBe(false);
  });

  it('logs what went wrong at warn level', async () => {
    await runPar(sandbox, ['show', 'nothing-here']);
    const [file] = readdirSync(sandbox.logDir);
    expect(readFileSync(join(sandbox.logDir, file ?? ''), 'utf8')).toContain("WARN  [");
  });
});
