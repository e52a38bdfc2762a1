import { describe, expect, it } from 'vitest';
import { isRetryableText, type AgentExit } from '../../src/agents/agent.js';
import { CodexParser, codexAdapter, shellCommand } from '../../src/agents/codex.js';
import { GeminiParser, geminiAdapter } from '../../src/agents/gemini.js';

const exit = (exitCode: number | null, extra: Partial<AgentExit> = {}): AgentExit => ({ exitCode, signal: null, stoppedByPar: false, stderrTail: '', ...extra });
const feed = <P extends { line(text: string): unknown }>(parser: P, events: Record<string, unknown>[]): P => {
  for (const event of events) parser.line(JSON.stringify(event));
  return parser;
};

describe('the codex adapter', () => {
  it('runs codex exec --json with the prompt on stdin, edits allowed in the worktree; a session continues with exec resume', () => {
    const adapter = codexAdapter({ binary: 'codex', args: ['--profile', 'work'], model: 'gpt-5' });
    const fresh = adapter.invocation({ prompt: 'Fix it', cwd: '/w', sessionId: 'x' });
    expect(fresh.argv).toEqual(['codex', 'exec', '--json', '-c', 'sandbox_mode="workspace-write"', '--model', 'gpt-5', '--profile', 'work', '-']);
    expect(fresh.stdin).toBe('Fix it');
    expect(adapter.invocation({ prompt: 'More', cwd: '/w', sessionId: 'x', resumeSessionId: 't-1' }).argv).toEqual(['codex', 'exec', 'resume', '--json', '-c', 'sandbox_mode="workspace-write"', '--model', 'gpt-5', '--profile', 'work', 't-1', '-']);
    // The user's own sandbox choice wins.
    expect(codexAdapter({ binary: 'codex', args: ['--sandbox', 'read-only'], model: null }).invocation({ prompt: 'p', cwd: '/w', sessionId: 'x' }).argv).toEqual(['codex', 'exec', '--json', '--sandbox', 'read-only', '-']);
  });

  it.each([
    ['/bin/bash -lc "npm test"', 'npm test'],
    ['/bin/bash -lc "printf \\"hi\\\\n\\" > a.txt"', 'printf "hi\\n" > a.txt'],
    ["bash -lc 'ls -la'", 'ls -la'],
    ['git status', 'git status'],
  ])('shows %s as %s', (command, shown) => expect(shellCommand(command)).toBe(shown));

  it('reads commands, edits, messages, retries and the session\'s tokens; a failed turn is the error, retryable when the API was', () => {
    const parser = new CodexParser('/w');
    expect(parser.line('{"type":"thread.started","thread_id":"t-1"}')).toEqual({ session_id: 't-1' });
    expect(parser.line(JSON.stringify({ type: 'item.started', item: { id: 'i1', type: 'command_execution', command: '/bin/bash -lc "npm test"', status: 'in_progress' } }))).toMatchObject({ activity: 'Bash npm test', tool_uses: 1 });
    expect(parser.line(JSON.stringify({ type: 'item.completed', item: { id: 'i1', type: 'command_execution', command: '/bin/bash -lc "npm test"', exit_code: 1, status: 'failed' } }))).toMatchObject({ tool_uses: 1, tool_errors: 1 });
    expect(parser.line(JSON.stringify({ type: 'item.completed', item: { id: 'i2', type: 'file_change', changes: [{ path: '/w/src/a.ts', kind: 'update' }], status: 'completed' } }))).toMatchObject({ activity: 'Edit src/a.ts', tool_uses: 2 });
    expect(parser.line('{"type":"error","message":"Reconnecting... 2/5 (stream disconnected)"}')).toEqual({ retry: 'retrying (2/5)' });
    expect(parser.line(JSON.stringify({ type: 'item.completed', item: { id: 'i3', type: 'agent_message', text: 'All fixed.' } }))).toMatchObject({ last_message: 'All fixed.', turns: 3 });
    expect(parser.line(JSON.stringify({ type: 'turn.completed', usage: { input_tokens: 900, cached_input_tokens: 100, output_tokens: 100 } }))).toEqual({ tokens: 1000, retry: null });
    expect(parser.finish(exit(0))).toMatchObject({ state: 'succeeded', result: 'All fixed.', session_id: 't-1', tokens: 1000, cost_usd: null, turns: 3, error: null });

    const limited = feed(new CodexParser('/w'), [{ type: 'thread.started', thread_id: 't-2' }, { type: 'turn.failed', error: { message: 'exceeded retry limit, last status: 429 Too Many Requests' } }]);
    expect(limited.finish(exit(1))).toMatchObject({ state: 'failed', error: 'exceeded retry limit, last status: 429 Too Many Requests', retryable: true, session_id: 't-2' });
    const refused = feed(new CodexParser('/w'), [{ type: 'turn.failed', error: { message: 'unexpected status 401 Unauthorized: Missing bearer authentication' } }]);
    expect(refused.finish(exit(1))).toMatchObject({ state: 'failed', retryable: false });
    // No turn finished and nothing said: stderr tells.
    expect(new CodexParser('/w').finish(exit(2, { stderrTail: 'error: unexpected argument' }))).toMatchObject({ state: 'failed', error: 'error: unexpected argument' });
    expect(feed(new CodexParser('/w'), [{ type: 'turn.completed', usage: {} }]).finish(exit(null, { stoppedByPar: true, signal: 'SIGTERM' }))).toMatchObject({ state: 'failed', error: null });
  });
});

describe('the gemini adapter', () => {
  it('runs gemini headless in stream-json, edits approved, the workspace trusted; a session continues with --resume', () => {
    const adapter = geminiAdapter({ binary: 'gemini', args: [], model: null });
    const fresh = adapter.invocation({ prompt: 'Fix it', cwd: '/w', sessionId: 'x' });
    expect(fresh).toMatchObject({ argv: ['gemini', '--output-format', 'stream-json', '--approval-mode', 'auto_edit'], stdin: 'Fix it', env: { GEMINI_CLI_TRUST_WORKSPACE: 'true' } });
    expect(adapter.invocation({ prompt: 'More', cwd: '/w', sessionId: 'x', resumeSessionId: 's-1' }).argv).toEqual(['gemini', '--output-format', 'stream-json', '--approval-mode', 'auto_edit', '--resume', 's-1']);
    expect(geminiAdapter({ binary: 'gemini', args: ['--yolo'], model: 'gemini-2.5-pro' }).invocation({ prompt: 'p', cwd: '/w', sessionId: 'x' }).argv).toEqual(['gemini', '--output-format', 'stream-json', '--model', 'gemini-2.5-pro', '--yolo']);
  });

  it('reads tools in claude\'s words, a message in pieces, the result\'s tokens; an error result is the error', () => {
    const parser = new GeminiParser('/w');
    expect(parser.line('{"type":"init","session_id":"s-1","model":"gemini-2.5-flash"}')).toEqual({ session_id: 's-1', model: 'gemini-2.5-flash' });
    expect(parser.line(JSON.stringify({ type: 'tool_use', tool_name: 'replace', tool_id: 'a', parameters: { file_path: '/w/src/a.ts', old_string: 'x', new_string: 'y' } }))).toMatchObject({ activity: 'Edit src/a.ts', tool_uses: 1, turns: 1 });
    expect(parser.line(JSON.stringify({ type: 'tool_use', tool_name: 'run_shell_command', tool_id: 'b', parameters: { command: 'npm test' } }))).toMatchObject({ activity: 'Bash npm test', tool_uses: 2 });
    expect(parser.line(JSON.stringify({ type: 'tool_result', tool_id: 'b', status: 'error', error: { type: 'x', message: 'exit 1' } }))).toEqual({ tool_errors: 1 });
    parser.line(JSON.stringify({ type: 'message', role: 'assistant', content: 'All ', delta: true }));
    expect(parser.line(JSON.stringify({ type: 'message', role: 'assistant', content: 'fixed.', delta: true }))).toEqual({ last_message: 'All fixed.', turns: 3 });
    expect(parser.line(JSON.stringify({ type: 'result', status: 'success', stats: { total_tokens: 1234, tool_calls: 2 } }))).toEqual({ tokens: 1234 });
    expect(parser.finish(exit(0))).toMatchObject({ state: 'succeeded', result: 'All fixed.', tokens: 1234, cost_usd: null, session_id: 's-1', turns: 3 });

    const overloaded = feed(new GeminiParser('/w'), [{ type: 'result', status: 'error', error: { type: 'unknown', message: '[API Error: The model is overloaded. Please try again later.]' } }]);
    expect(overloaded.finish(exit(1))).toMatchObject({ state: 'failed', error: '[API Error: The model is overloaded. Please try again later.]', retryable: true });
    expect(new GeminiParser('/w').finish(exit(41, { stderrTail: 'Invalid auth method selected.' }))).toMatchObject({ state: 'failed', error: 'Invalid auth method selected.', retryable: false });
  });
});

describe('retryable causes in an agent\'s words', () => {
  it.each([
    ['exceeded retry limit, last status: 429 Too Many Requests', true],
    ['[API Error: Resource has been exhausted (e.g. check quota).]', true],
    ['unexpected status 503 Service Unavailable', true],
    ['stream disconnected before completion', true],
    ['unexpected status 400 Bad Request: unsupported parameter', false],
    ['Invalid auth method selected.', false],
    ['wrote 500 lines', false],
  ])('%s → %s', (text, retryable) => expect(isRetryableText(text)).toBe(retryable));
});
