import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ClaudeStreamParser, claudeAdapter, describeToolUse, isRetryable } from '../../src/agents/claude.js';
import { configuredAdapter } from '../../src/agents/configured.js';
import { ROOT } from '../helpers/par.js';

const settings = { binary: 'claude', defaultArgs: [], allowedTools: [], disallowedTools: [], env: {}, channel: false };
const request = { prompt: 'Fix it', cwd: '/wt', sessionId: '11111111-2222-3333-4444-555555555555' };

function parse(lines: string[], exit = { exitCode: 0, signal: null, stoppedByPar: false, stderrTail: '' }) {
  const parser = new ClaudeStreamParser('/wt');
  const progress = lines.map((line) => parser.line(line)).filter(Boolean);
  return { progress, result: parser.finish(exit) };
}

describe('the claude command line', () => {
  it.each([
    ['a fresh session', {}, ['claude', '-p', '--output-format', 'stream-json', '--verbose', '--session-id', request.sessionId]],
    ['permission mode and model', { permissionMode: 'acceptEdits', model: 'opus' }, ['claude', '-p', '--output-format', 'stream-json', '--verbose', '--permission-mode', 'acceptEdits', '--session-id', request.sessionId, '--model', 'opus']],
    ['a continuation passes --resume alone', { resumeSessionId: 'abc' }, ['claude', '-p', '--output-format', 'stream-json', '--verbose', '--resume', 'abc']],
    ['a budget', { maxBudgetUsd: 0.5 }, ['claude', '-p', '--output-format', 'stream-json', '--verbose', '--session-id', request.sessionId, '--max-budget-usd', '0.5000']],
  ])('%s', (_name, extra, argv) => {
    expect(claudeAdapter(settings).invocation({ ...request, ...extra }).argv).toEqual(argv);
  });

  it('writes the prompt to stdin, removes CLAUDECODE and lowers CLAUDE_CODE_MAX_RETRIES unless set', () => {
    const invocation = claudeAdapter(settings).invocation(request);
    expect(invocation).toMatchObject({ stdin: 'Fix it', unsetEnv: ['CLAUDECODE'], env: { CLAUDE_CODE_MAX_RETRIES: '2' }, sessionId: request.sessionId });
    expect(claudeAdapter({ ...settings, env: { CLAUDE_CODE_MAX_RETRIES: '7' } }).invocation(request).env).toEqual({});
  });

  it('passes allowed and disallowed tools one flag each, then the default args', () => {
    const argv = claudeAdapter({ ...settings, allowedTools: ['Read', 'Bash(npm test)'], disallowedTools: ['WebFetch'], defaultArgs: ['--bare'] }).invocation(request).argv;
    expect(argv.slice(-7)).toEqual(['--allowedTools', 'Read', '--allowedTools', 'Bash(npm test)', '--disallowedTools', 'WebFetch', '--bare']);
  });
});

describe('reading stream-json', () => {
  const real = readFileSync(join(ROOT, 'test/fixtures/claude/not-logged-in.jsonl'), 'utf8').trim().split('\n');

  it('fails a job whose result says is_error, with its result text, whatever the exit code', () => {
    const { result } = parse(real, { exitCode: 0, signal: null, stoppedByPar: false, stderrTail: '' });
    expect(result).toMatchObject({ state: 'failed', error: 'Not logged in · Please run /login', retryable: false, session_id: '3b241101-e2bb-4255-8caf-4136c566a962', cost_usd: 0 });
  });

  it.each([
    ['the error arm', { type: 'result', subtype: 'error_max_turns', is_error: true, num_turns: 5, errors: ['Reached max turns'] }, 'failed', 'Reached max turns'],
    ['a success with denials', { type: 'result', subtype: 'success', is_error: false, num_turns: 2, result: 'ok', permission_denials: [{ tool_name: 'Bash' }, { tool_name: 'Write' }] }, 'succeeded', null],
  ])('%s', (_name, line, state, error) => {
    const { result } = parse([JSON.stringify(line)]);
    expect(result.state).toBe(state);
    expect(result.error).toBe(error);
    if (state === 'succeeded') expect(result.denials).toEqual(['Bash', 'Write']);
  });

  it('fails a process that ends with no result line, with its stderr, unless par stopped it', () => {
    expect(parse([], { exitCode: 0, signal: null, stoppedByPar: false, stderrTail: '' }).result).toMatchObject({ state: 'failed', error: 'the agent exited with code 0 without a result' });
    expect(parse([], { exitCode: 1, signal: null, stoppedByPar: false, stderrTail: 'Error: bad flag' }).result.error).toBe('Error: bad flag');
    expect(parse([], { exitCode: 143, signal: null, stoppedByPar: true, stderrTail: '' }).result.error).toBeNull();
  });

  it('maps lines to progress and ignores unknown and broken lines', () => {
    const lines = [
      JSON.stringify({ type: 'system', subtype: 'init', model: 'opus', session_id: 's1' }),
      JSON.stringify({ type: 'assistant', message: { id: 'm1', content: [{ type: 'text', text: 'Looking\nmore' }, { type: 'tool_use', name: 'Edit', input: { file_path: '/wt/src/app.ts' } }] } }),
      JSON.stringify({ type: 'user', message: { content: [{ type: 'tool_result', is_error: true }] } }),
      JSON.stringify({ type: 'system', subtype: 'api_retry', attempt: 3, max_retries: 10 }),
      JSON.stringify({ type: 'something_new', subtype: 'whatever' }),
      'not json at all',
      '{"type": broken',
    ];
    const { progress } = parse(lines);
    expect(progress).toEqual([
      { model: 'opus', session_id: 's1', activity: 'starting' },
      { turns: 1, retry: null, last_message: 'Looking', activity: 'Edit src/app.ts', tool_uses: 1 },
      { tool_errors: 1 },
      { retry: 'retrying (3/10)' },
    ]);
  });

  it.each([
    [529, null, true],
    [429, null, true],
    [500, null, true],
    [400, null, false],
    [401, null, false],
    [null, 'API Error: 529 Overloaded', true],
    [null, 'API Error: 401 Unauthorized', false],
    [null, 'Connection error: ECONNRESET', true],
    [null, 'Not logged in · Please run /login', false],
  ])('status %j, text %j: retryable %j', (status, text, retryable) => {
    expect(isRetryable(status, text)).toBe(retryable);
  });

  it.each([
    ['Edit', { file_path: '/wt/src/app.ts' }, 'Edit src/app.ts'],
    ['Write', { file_path: '/elsewhere/x.md' }, 'Write /elsewhere/x.md'],
    ['Bash', { command: 'npm test\nand more' }, 'Bash npm test'],
    ['Grep', { pattern: 'TODO' }, 'Grep TODO'],
    ['Task', { description: 'explore' }, 'Agent explore'],
    ['mcp__thing', {}, 'mcp__thing'],
  ])('%s %j reads as %j', (name, input, text) => {
    expect(describeToolUse(name, input, '/wt')).toBe(text);
  });
});

describe('configured agents', () => {
  const base = { binary: 'aider', args: ['--yes', '--message', '{prompt}'], prompt: 'arg' as const, output: 'text' as const, resume_args: [] };
  it('puts the prompt in {prompt} or last, or on stdin', () => {
    expect(configuredAdapter('aider', base).invocation(request)).toMatchObject({ argv: ['aider', '--yes', '--message', 'Fix it'], stdin: null });
    expect(configuredAdapter('x', { ...base, args: ['run'] }).invocation(request).argv).toEqual(['aider', 'run', 'Fix it']);
    expect(configuredAdapter('x', { ...base, args: ['exec'], prompt: 'stdin' }).invocation(request)).toMatchObject({ argv: ['aider', 'exec'], stdin: 'Fix it' });
  });

  it('reads text output: exit 0 succeeds, anything else fails with stderr', () => {
    const parser = configuredAdapter('x', base).parser('/wt');
    expect(parser.line('working on it')).toEqual({ last_message: 'working on it', activity: 'working on it' });
    expect(parser.finish({ exitCode: 0, signal: null, stoppedByPar: false, stderrTail: '' })).toMatchObject({ state: 'succeeded', result: 'working on it' });
    expect(parser.finish({ exitCode: 2, signal: null, stoppedByPar: false, stderrTail: 'boom' })).toMatchObject({ state: 'failed', error: 'boom' });
  });
});

describe('the simulated agent speaks the real stream-json', () => {
  const sim = join(ROOT, 'assets/sim-agent.mjs');
  const run = (prompt: string): Record<string, unknown>[] =>
    spawnSync(process.execPath, [sim, '-p', '--output-format', 'stream-json', '--verbose', '--session-id', 'sid-1'], { input: prompt, encoding: 'utf8', cwd: ROOT })
      .stdout.trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  const realLines = readFileSync(join(ROOT, 'test/fixtures/claude/not-logged-in.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
  const kinds = (value: unknown): string => (Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value);

  /** The fields par reads from each line type, which the simulation must give with the real types. */
  const contract: Record<string, string[]> = {
    'system/init': ['type', 'subtype', 'cwd', 'session_id', 'tools', 'model', 'permissionMode', 'uuid'],
    assistant: ['type', 'message', 'parent_tool_use_id', 'session_id', 'uuid'],
    'result/success': ['type', 'subtype', 'is_error', 'num_turns', 'total_cost_usd', 'usage', 'duration_ms', 'session_id', 'result', 'permission_denials', 'uuid'],
  };
  const keyOf = (line: Record<string, unknown>): string => (line.subtype ? `${String(line.type)}/${String(line.subtype)}` : String(line.type));

  it('gives every field par reads with the same types as the real CLI', () => {
    const simLines = run('sim: turns=1');
    for (const [key, fields] of Object.entries(contract)) {
      const realLine = realLines.find((line) => keyOf(line) === key);
      const simLine = simLines.find((line) => keyOf(line) === key);
      expect(realLine, `the recording has ${key}`).toBeDefined();
      expect(simLine, `the simulation has ${key}`).toBeDefined();
      for (const field of fields) expect([key, field, kinds(simLine?.[field])]).toEqual([key, field, kinds(realLine?.[field])]);
    }
    expect(simLines.every((line) => line.session_id === 'sid-1')).toBe(true);
  });

  it('reproduces the real stream with no account', () => {
    const simLines = run('sim: not-logged-in');
    expect(simLines.map(keyOf)).toEqual(realLines.map(keyOf));
    expect(simLines.at(-1)).toMatchObject({ is_error: true, result: 'Not logged in · Please run /login', subtype: 'success' });
  });
});
