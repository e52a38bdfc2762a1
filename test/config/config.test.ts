import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigFile } from '../../src/config/config-file.js';
import { loadConfig } from '../../src/config/load-config.js';
import { parseSetting } from '../../src/config/parse-setting.js';
import { resolvePaths } from '../../src/config/paths.js';
import { validateConfig } from '../../src/config/schema.js';
import { defaultConfig } from '../../src/config/settings.js';

let dir: string;
let configDir: string;
let file: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'par-config-'));
  configDir = join(dir, 'config', 'par');
  file = join(configDir, 'config.yaml');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function writeConfig(text: string): void {
  mkdirSync(configDir, { recursive: true });
  writeFileSync(file, text);
}

describe('the config file', () => {
  it('reads as empty when missing, and reading writes no file', () => {
    expect(new ConfigFile(configDir).read()).toEqual({});
    expect(existsSync(file)).toBe(false);
  });

  it('keeps comments, order and untouched keys when a key is set', async () => {
    const original = [
      '# my settings',
      'defaults:',
      '  jobs: 2 # how many at once',
      '  timeout: 30m',
      '',
      '# terminals',
      'terminal:',
      '  use_ghostty: false',
      '',
    ].join('\n');
    writeConfig(original);
    await new ConfigFile(configDir).set('defaults.jobs', 5);
    const written = readFileSync(file, 'utf8');
    expect(written).toBe(original.replace('jobs: 2 #', 'jobs: 5 #'));
  });

  it('adds a new key and a new section without disturbing the rest', async () => {
    writeConfig('# hand-written\ndefaults:\n  jobs: 2\n');
    const config = new ConfigFile(configDir);
    await config.set('claude.allowed_tools', ['Read', 'Bash(npm test)']);
    await config.set('defaults.retries', 0);
    const written = readFileSync(file, 'utf8');
    expect(written).toContain('# hand-written');
    expect(written).toMatch(/defaults:\n {2}jobs: 2\n {2}retries: 0\n/);
    expect(new ConfigFile(configDir).read()).toEqual({
      defaults: { jobs: 2, retries: 0 },
      claude: { allowed_tools: ['Read', 'Bash(npm test)'] },
    });
  });

  it('creates the file with a header on the first set', async () => {
    await new ConfigFile(configDir).set('defaults.jobs', 4);
    expect(readFileSync(file, 'utf8')).toMatch(/^# par configuration.*\n\ndefaults:\n {2}jobs: 4\n$/);
  });

  it.each([
    ['broken YAML', 'defaults:\n  jobs: [1, 2\n', /config\.yaml line \d+ is not valid YAML/],
    ['a wrong type', 'defaults:\n  timeout: 30m\n  jobs: zero\n', /config\.yaml line 3 is invalid: defaults\.jobs is 'zero', but it must be a whole number of 1 or more/],
    ['an unknown key', 'defaults:\n  jbos: 3\n', /line 2 is invalid: defaults\.jbos is not a configuration key \(did you mean defaults\.jobs\?\)/],
    ['an unknown section', 'terminl:\n  use_ghostty: true\n', /terminl is not a configuration key \(did you mean terminal\?\)/],
    ['a scalar file', 'just text\n', /must hold a YAML mapping/],
    ['terminal.command without {cmd}', 'terminal:\n  command: [kitty, --hold]\n', /terminal\.command is .* it must contain \{cmd\}/],
    ['an agent without a binary', 'agents:\n  aider:\n    args: [--yes]\n', /agents\.aider needs binary/],
    ['a built-in agent given more than binary and args', 'agents:\n  codex:\n    output: text\n', /agents\.codex is built in: only its binary and args can be set, not output/],
  ])('refuses %s, naming the file, and never rewrites it', async (_name, text, message) => {
    writeConfig(text);
    expect(() => new ConfigFile(configDir).read()).toThrow(message);
    await expect(new ConfigFile(configDir).set('defaults.retries', 1)).rejects.toThrow(message);
    expect(readFileSync(file, 'utf8')).toBe(text);
  });

  it('validates the whole result before writing', async () => {
    writeConfig('defaults:\n  jobs: 2\n');
    await expect(new ConfigFile(configDir).set('defaults.jobs', 0)).rejects.toThrow(/Not saved: defaults\.jobs is 0/);
    expect(readFileSync(file, 'utf8')).toBe('defaults:\n  jobs: 2\n');
  });
});

describe('parsing `config set` values', () => {
  const agents = { agents: {} };
  it.each([
    ['defaults.jobs', '5', 5],
    ['defaults.retries', '0', 0],
    ['defaults.timeout', '1h30m', '1h30m'],
    ['terminal.use_ghostty', 'false', false],
    ['terminal.use_ghostty', 'yes', true],
    ['claude.model', 'null', null],
    ['claude.model', 'opus', 'opus'],
    ['claude.allowed_tools', '["Read", "Edit"]', ['Read', 'Edit']],
    ['claude.allowed_tools', 'Read', ['Read']],
    ['claude.allowed_tools', '', []],
    ['terminal.command', '["kitty", "--directory", "{dir}", "--hold", "{cmd}"]', ['kitty', '--directory', '{dir}', '--hold', '{cmd}']],
    ['worktrees.setup', '[["npm", "ci"]]', [['npm', 'ci']]],
    ['agents.codex', '{binary: codex, args: [exec, --json]}', { binary: 'codex', args: ['exec', '--json'] }],
    ['claude.permission_mode', 'plan', 'plan'],
  ])('%s %j', (key, text, value) => {
    expect(parseSetting(key, text, agents)).toEqual(value);
  });

  it.each([
    ['defaults.jobs', 'zero', "defaults.jobs must be a whole number of 1 or more, not 'zero'."],
    ['defaults.jobs', '0', "defaults.jobs must be a whole number of 1 or more, not '0'."],
    ['defaults.jobs', '2.5', "defaults.jobs must be a whole number of 1 or more, not '2.5'."],
    ['defaults.timeout', '30', "defaults.timeout must be a duration such as 90s, 30m, 2h or 1h30m, not '30'."],
    ['terminal.use_ghostty', 'maybe', "terminal.use_ghostty must be true or false, not 'maybe'."],
    ['claude.permission_mode', 'yolo', 'claude.permission_mode must be one of default, acceptEdits'],
    ['terminal.command', '["kitty"]', 'it must contain {cmd}'],
    ['worktrees.branch_pattern', 'par/{job}', 'it must contain both {run} and {job}'],
    ['no.such.key', '1', "'no.such.key' is not a configuration key."],
    ['defaults.jbos', '1', "Did you mean 'defaults.jobs'?"],
    ['claude.allowed_tools', '[unclosed', 'is not valid YAML'],
  ])('%s %j is refused', (key, text, message) => {
    expect(() => parseSetting(key, text, agents)).toThrow(message);
  });
});

describe('the effective configuration', () => {
  it('is the defaults of DESIGN §8 when nothing is set', async () => {
    expect(validateConfig(defaultConfig())).toEqual([]);
    expect(defaultConfig().defaults).toEqual({ jobs: 3, timeout: '60m', idle_timeout: '15m', retries: 2, output_dir: null, keep_days: 7, input_timeout: '30m', nice: 10, max_agents: null });
  });

  it('expands ~ and resolves null paths under the XDG dirs', async () => {
    writeConfig('worktrees:\n  search_paths: ["~/code", "/abs"]\ndefaults:\n  output_dir: ~/reports\n');
    const paths = resolvePaths({ HOME: join(dir, 'home'), XDG_CONFIG_HOME: join(dir, 'config'), XDG_DATA_HOME: join(dir, 'data') });
    const loaded = await loadConfig(paths);
    expect(loaded.config.worktrees.search_paths).toEqual([join(dir, 'home', 'code'), '/abs']);
    expect(loaded.config.defaults.output_dir).toBe(join(dir, 'home', 'reports'));
    expect(loaded.promptsDir).toBe(join(dir, 'data', 'par', 'prompts'));
    expect(loaded.config.defaults.jobs).toBe(3);
  });

  it('reads an unchanged file from the parse cache, and an edited or broken one afresh', async () => {
    const paths = resolvePaths({ HOME: join(dir, 'home'), XDG_CONFIG_HOME: join(dir, 'config'), XDG_STATE_HOME: join(dir, 'state') });
    const cacheFile = join(dir, 'state', 'par', 'cache', 'config.json');
    writeConfig('defaults:\n  jobs: 4\n');
    expect((await loadConfig(paths)).config.defaults.jobs).toBe(4);
    expect(JSON.parse(readFileSync(cacheFile, 'utf8'))[file].value).toEqual({ defaults: { jobs: 4 } });
    expect((await loadConfig(paths)).config.defaults.jobs).toBe(4);
    writeConfig('defaults:\n  jobs: 12\n');
    expect((await loadConfig(paths)).config.defaults.jobs).toBe(12);
    writeFileSync(cacheFile, '{not json');
    expect((await loadConfig(paths)).config.defaults.jobs).toBe(12);
    // A cached value that no longer passes the schema is parsed again, so the error names the line.
    writeFileSync(cacheFile, JSON.stringify({ [file]: { ...JSON.parse(readFileSync(cacheFile, 'utf8'))[file], value: { defaults: { jobs: 0 } } } }));
    writeConfig('defaults:\n  jobs: 0\n');
    await expect(loadConfig(paths)).rejects.toThrow(/line 2 is invalid: defaults\.jobs is 0/);
  });

  it('follows the XDG variables and ignores relative ones', async () => {
    const paths = resolvePaths({ HOME: '/h', XDG_CONFIG_HOME: 'relative', XDG_STATE_HOME: '/state' });
    expect(paths.configFile).toBe('/h/.config/par/config.yaml');
    expect(paths.dataDir).toBe('/h/.local/share/par');
    expect(paths.logDir).toBe('/state/par/logs');
  });
});

describe('executors in the config', () => {
  it('takes ssh hosts with their defaults filled in, and names each problem', async () => {
    const { mergeWithDefaults } = await import('../../src/config/schema.js');
    const raw = { executors: { box1: { type: 'ssh', host: 'me@box1', jobs: 8, ssh_options: ['-o', 'UserKnownHostsFile=/k'] } } };
    expect(validateConfig(raw)).toEqual([]);
    expect(mergeWithDefaults(raw).executors.box1).toEqual({ type: 'ssh', host: 'me@box1', port: null, identity: null, jobs: 8, dir: '~/.par-remote', agent_binary: null, ssh_options: ['-o', 'UserKnownHostsFile=/k'] });
    const messages = (executors: unknown): string[] => validateConfig({ executors }).map((problem) => problem.message);
    expect(messages({ local: { type: 'ssh', host: 'x' } })).toEqual(["executors.local: 'local' is built into --on; choose another name"]);
    expect(messages({ box: { host: 'x' } })).toEqual(['executors.box must be a mapping with type: ssh or type: container']);
    expect(messages({ pods: { type: 'container', image: 'img', engine: 'lxc' } })).toEqual(["executors.pods.engine is 'lxc', but it must be one of podman, docker"]);
    expect(messages({ pods: { type: 'container', host: 'x', image: 'img' } })[0]).toContain('executors.pods.host is not a configuration key');
    expect(messages({ box: { type: 'ssh', host: 'x', jobs: 0 } })).toEqual(['executors.box.jobs is 0, but it must be a whole number of 1 or more']);
    expect(messages({ box: { type: 'ssh', host: 'x', prot: 22 } })).toEqual(['executors.box.prot is not a configuration key (did you mean executors.box.port?)']);
    expect(messages({ box: { type: 'ssh', host: 'x', ssh_options: '-v' } })[0]).toContain('executors.box.ssh_options is');
  });
});
