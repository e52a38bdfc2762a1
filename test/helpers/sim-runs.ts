import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JobView } from '../../src/core/run-state.js';
import { git, makeRepo } from './git-repo.js';
import { ROOT, makeSandbox, runPar, type Sandbox } from './par.js';

/** The simulated agent, standing in for claude. */
export const SIM = join(ROOT, 'assets', 'sim-agent.mjs');

/** `par status --json` of a run. */
export interface RunStatus {
  run: string;
  state: string;
  dir: string;
  jobs: JobView[];
}

/** Makes `binary` the claude par runs in this sandbox. */
export function useAgent(sandbox: Sandbox, binary: string): void {
  mkdirSync(join(sandbox.dir, 'config', 'par'), { recursive: true });
  writeFileSync(sandbox.configFile, `claude:\n  binary_path: ${JSON.stringify(binary)}\n`);
}

/** A sandbox with a repository `app`, linked worktrees `wt1`…`wtN` (branches `b1`…) and the simulated agent as claude. */
export function makeSimRuns(worktrees: number, files: Record<string, string> = { 'README.md': '# app\n' }): { sandbox: Sandbox; repo: string } {
  const sandbox = makeSandbox();
  const repo = makeRepo(join(sandbox.dir, 'app'), files);
  for (let n = 1; n <= worktrees; n++) git(repo, 'worktree', 'add', '-q', join(sandbox.dir, `wt${n}`), '-b', `b${n}`);
  useAgent(sandbox, SIM);
  return { sandbox, repo };
}

/** `par status --json` (of the latest run in `cwd` when none is named); par must say nothing on stderr. */
export async function runStatus(sandbox: Sandbox, cwd: string, run?: string): Promise<RunStatus> {
  const result = await runPar(sandbox, ['status', ...(run ? [run] : []), '--json'], { cwd });
  if (result.stderr !== '') throw new Error(`par status wrote to stderr: ${result.stderr}`);
  return JSON.parse(result.stdout) as RunStatus;
}
