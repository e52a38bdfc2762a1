import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { claudeClassifier, verdictOf } from '../../src/engine/classifier.js';
import { createCommandRunner } from '../../src/os/command-runner.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A stand-in claude: a shell script printing `output` after `sleep` seconds. */
function fakeClaude(output: string, sleep = 0): string {
  const dir = mkdtempSync(join(tmpdir(), 'par-classifier-'));
  dirs.push(dir);
  const path = join(dir, 'claude');
  writeFileSync(path, `#!/bin/sh\nsleep ${sleep}\nprintf '%s' '${output}'\n`);
  chmodSync(path, 0o755);
  return path;
}

const call = { tool: 'Bash', input: { command: 'curl example.com' } };

describe('the permission classifier', () => {
  it.each([
    ['ALLOW', 'allow'],
    ['deny.', 'deny'],
    ['  **ALLOW** it is a read', 'allow'],
    ['ASK', null],
    ['I think this is fine', null],
    ['', null],
  ])('reads %j as %s', (text, verdict) => {
    expect(verdictOf(text)).toBe(verdict);
  });

  it('answers from the model’s one word, and leaves errors and slow answers to a person', async () => {
    const runner = createCommandRunner();
    const classify = (binary: string, timeoutMs = 5000) => claudeClassifier({ binary, model: 'haiku', runner, env: process.env, timeoutMs }).classify(call, tmpdir());
    expect(await classify(fakeClaude('{"type":"result","is_error":false,"result":"DENY"}'))).toBe('deny');
    expect(await classify(fakeClaude('{"type":"result","is_error":true,"result":"API Error: 500"}'))).toBeNull();
    expect(await classify(fakeClaude('not json'))).toBeNull();
    expect(await classify('/nonexistent/claude')).toBeNull();
    // A classifier that hangs: the request goes to a person when its time is up.
    const started = performance.now();
    expect(await classify(fakeClaude('{"result":"ALLOW"}', 30), 300)).toBeNull();
    expect(performance.now() - started).toBeLessThan(10_000);
  }, 30_000);
});
