// `par clean` on the hosts (DESIGN §18): the worktrees a cleaned run made
// there go the same safe way as local ones — only when they hold nothing
// uncommitted and their last commit came back here.
import { existsSync } from 'node:fs';
import type { ExecutorConfig, SshExecutorConfig } from '../core/executor-config.js';
import { shellQuote } from '../core/shell-quote.js';
import type { Git } from '../git/git.js';
import type { CommandRunner } from '../os/command-runner.js';
import { readEvents } from '../rundir/journal.js';
import { foldRun } from '../core/run-state.js';
import { readRunPlan } from '../rundir/plan.js';
import { runFiles } from '../rundir/files.js';
import { fromHome, lastLine, sshOptions } from './ssh-host.js';

/** One remote worktree and what clean does with it. */
export interface RemoteAction {
  run: string;
  executor: string;
  path: string;
  kind: 'remove' | 'keep';
  reason: string;
}

const STEP_MS = 60_000;

/** The jobs of a run that ran on a host: executor, the job's worktree there, the repository here. */
function remoteJobs(runDir: string): { executor: string; run: string; job: string; repository: string | null }[] {
  if (!existsSync(runFiles.events(runDir))) return [];
  const plan = readRunPlan(runDir);
  // Only a run placed on executors (--on) has jobs elsewhere: the others' journals need no reading.
  if (!plan.options.executors?.some((place) => place.config?.type === 'ssh')) return [];
  const state = foldRun(plan.id, readEvents(runFiles.events(runDir)));
  return state.order
    .map((id) => state.byId[id])
    .filter((job) => job !== undefined && job.executor !== 'local')
    .map((job) => ({ executor: job?.executor ?? '', run: plan.id, job: job?.id ?? '', repository: plan.repository }));
}

/** Runs a script on a host (arguments as $1…); stdout, or null with the reason. */
async function onHost(config: SshExecutorConfig, script: string, args: readonly string[], deps: { runner: CommandRunner; env: NodeJS.ProcessEnv; cwd: string }): Promise<{ out: string } | { error: string }> {
  const command = ['sh', '-c', script, 'par', ...args].map(shellQuote).join(' ');
  const result = await deps.runner.run(['ssh', ...sshOptions(config, deps.env, null), '-o', 'ConnectTimeout=10', '-T', config.host, '--', command], { cwd: deps.cwd, env: deps.env, timeoutMs: STEP_MS });
  return result.exitCode === 0 ? { out: result.stdout } : { error: lastLine(result.stderr) || `ssh exited ${result.exitCode ?? result.signal ?? ''}` };
}

/** Each worktree there: `path<TAB>state` where state is `gone`, `dirty` or the HEAD commit. */
const LOOK = 'for w in "$@"; do if [ ! -d "$w" ]; then printf "%s\\tgone\\n" "$w"; continue; fi; a=$(cd "$w" && pwd); if [ -n "$(git -C "$a" status --porcelain 2>/dev/null)" ]; then printf "%s\\tdirty\\n" "$a"; else printf "%s\\t%s\\n" "$a" "$(git -C "$a" rev-parse HEAD)"; fi; done';
/** Removes worktrees (and their pid files, and the run's folder once empty), with their branches in the mirror. */
const REMOVE = 'for w in "$@"; do m=$(git -C "$w" rev-parse --path-format=absolute --git-common-dir) && b=$(git -C "$w" symbolic-ref --short -q HEAD); git -C "$w" worktree remove --force "$w" && rm -f "$w.pid" && { [ -z "$b" ] || git --git-dir="$m" branch -q -D "$b"; }; rmdir "$(dirname "$w")" 2>/dev/null; done; true';

/** What clean would do on the hosts for these runs: each job's worktree there, removed or kept with the reason. */
export async function planRemoteCleanup(runDirs: readonly string[], executors: Readonly<Record<string, ExecutorConfig>>, deps: { runner: CommandRunner; git: Git; env: NodeJS.ProcessEnv; cwd: string }): Promise<RemoteAction[]> {
  const byHost = new Map<string, { run: string; path: string; repository: string | null }[]>();
  const actions: RemoteAction[] = [];
  for (const job of runDirs.flatMap(remoteJobs)) {
    const config = executors[job.executor];
    // A container's job worked in the worktree here: nothing of it stays elsewhere.
    if (config?.type === 'container') continue;
    if (!config) {
      actions.push({ run: job.run, executor: job.executor, path: `${job.run}/${job.job}`, kind: 'keep', reason: `executor ${job.executor} is no longer in the config` });
      continue;
    }
    const dir = fromHome(config.dir);
    byHost.set(job.executor, [...(byHost.get(job.executor) ?? []), { run: job.run, path: `${dir}/worktrees/${job.run}/${job.job}`, repository: job.repository }]);
  }
  for (const [executor, jobs] of byHost) {
    const config = executors[executor] as SshExecutorConfig;
    const looked = await onHost(config, LOOK, jobs.map((job) => job.path), deps);
    if ('error' in looked) {
      actions.push(...jobs.map((job) => ({ run: job.run, executor, path: job.path, kind: 'keep' as const, reason: `${config.host} did not answer: ${looked.error}` })));
      continue;
    }
    const lines = looked.out.trim().split('\n').filter(Boolean);
    for (const [index, line] of lines.entries()) {
      const [path = '', state = ''] = line.split('\t');
      const repository = jobs[index]?.repository ?? null;
      const run = jobs[index]?.run ?? '';
      if (state === 'gone') continue;
      if (state === 'dirty') actions.push({ run, executor, path, kind: 'keep', reason: 'uncommitted changes there' });
      else if (repository === null || !(await deps.git.run(repository, ['cat-file', '-e', `${state}^{commit}`]).then(() => true, () => false))) actions.push({ run, executor, path, kind: 'keep', reason: 'its last commit never came back here' });
      else actions.push({ run, executor, path, kind: 'remove', reason: 'its work is here' });
    }
  }
  return actions;
}

/** Removes what the plan says to remove, host by host; a line per worktree. */
export async function runRemoteCleanup(actions: readonly RemoteAction[], executors: Readonly<Record<string, ExecutorConfig>>, deps: { runner: CommandRunner; env: NodeJS.ProcessEnv; cwd: string }): Promise<string[]> {
  const said: string[] = [];
  const hosts = new Set(actions.filter((action) => action.kind === 'remove').map((action) => action.executor));
  for (const executor of hosts) {
    const paths = actions.filter((action) => action.kind === 'remove' && action.executor === executor).map((action) => action.path);
    const done = await onHost(executors[executor] as SshExecutorConfig, REMOVE, paths, deps);
    said.push(...paths.map((path) => ('error' in done ? `Kept ${executor}:${path}: ${done.error}` : `Removed ${executor}:${path}`)));
  }
  return said;
}

/** A line of the plan, as `par clean` lists it. */
export function describeRemote(action: RemoteAction): string {
  return `  ${action.kind === 'remove' ? 'remove ' : 'keep   '}  ${action.executor}:${action.path}  (${action.reason})`;
}
