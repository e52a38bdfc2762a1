import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ROOT, makeSandbox, type Sandbox } from '../helpers/par.js';

let sandbox: Sandbox;
beforeEach(() => {
  sandbox = makeSandbox();
});
afterEach(() => sandbox.cleanup());

const npm = (args: string[], cwd: string): string => execFileSync('npm', args, { cwd, encoding: 'utf8', env: { ...process.env, ...sandbox.env, npm_config_update_notifier: 'false' }, stdio: ['ignore', 'pipe', 'pipe'] });

describe('the npm package', () => {
  it('packs only what par needs, installs globally into a prefix with nothing to fetch, and runs from there', async () => {
    const packed = join(sandbox.dir, 'packed');
    mkdirSync(packed);
    const listing = JSON.parse(npm(['pack', '--json', '--pack-destination', packed], ROOT)) as { filename: string; files: { path: string }[] }[];
    const files = listing[0]?.files.map((file) => file.path) ?? [];
    expect(files).toContain('dist/cli.js');
    expect(files).toContain('assets/sim-agent.mjs');
    expect(files.filter((file) => !/^(dist\/(cli|spawn-thread|supervise|chunks\/[\w-]+)\.js|assets\/sim-agent\.mjs|package\.json|README\.md|LICENSE)$/.test(file))).toEqual([]);
    const prefix = join(sandbox.dir, 'prefix');
    // --offline: the bundle carries every dependency, so the install needs no registry.
    npm(['install', '--global', '--prefix', prefix, '--offline', '--no-audit', '--no-fund', join(packed, listing[0]?.filename ?? '')], sandbox.dir);
    const par = join(prefix, 'bin', 'par');
    const run = (args: string[], env: Record<string, string> = {}): string => execFileSync(par, args, { cwd: sandbox.dir, encoding: 'utf8', env: { ...sandbox.env, ...env } });
    expect(run(['--version']).trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const tmp = join(sandbox.dir, 'tmp');
    mkdirSync(tmp);
    const demo = run(['demo', '--no-tui'], { TMPDIR: tmp });
    expect(demo).toContain('failed: 3/4 succeeded, 1 failed');
    expect(readdirSync(tmp)).toEqual([]);
  }, 120_000);
});
