import { join } from 'node:path';
import { isUserError } from '../core/errors.js';
import { sendCommand } from '../rundir/channel.js';
import { watchRun } from '../rundir/watch.js';
import { promptSummaries } from '../prompts/summaries.js';
import type { TuiPorts } from '../ui/ports.js';
import type { CommandContext } from './context.js';
import type { Git } from '../git/git.js';
import type { RunOptions } from './run-setup.js';
import { runFiles, runsDir } from '../rundir/files.js';
import { LineFollower } from '../rundir/follow.js';

/** The log pane starts from this much of a job's output: screens of it, read at once even from a 100 MB log. */
const TAIL_BYTES = 512 * 1024;
/** A job's log is read this often while the pane shows it (and at once on a change). */
const OUTPUT_POLL_MS = 150;

/** What goes wrong for the user is said on the screen as it is: a plain error. */
async function asScreenError<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw isUserError(error) ? new Error(error.message) : error;
  }
}

/** A job's output for the log pane: its last screens at once, then new lines in batches. */
function followJobOutput(dir: string, job: string, onLines: (lines: string[]) => void): { stop(): void } {
  let batch: string[] = [];
  const follower = new LineFollower(runFiles.output(dir, job), (line) => void batch.push(line), { tail: TAIL_BYTES });
  const flush = (): void => {
    if (batch.length === 0) return;
    const lines = batch;
    batch = [];
    onLines(lines);
  };
  follower.poll();
  flush();
  const timer = setInterval(() => {
    follower.poll();
    flush();
  }, OUTPUT_POLL_MS);
  return { stop: () => clearInterval(timer) };
}

/**
 * The TUI's ports over the real run directories, git, prompt library and
 * terminal. What the first frame does not need (starting runs, git, merging,
 * the editor) is imported when first used, so the Prompts pane shows sooner.
 */
export function createTuiPorts(given: CommandContext, options: { runOptions: RunOptions; suspend: <T>(work: () => Promise<T>) => Promise<T> }): TuiPorts {
  // git runs on a thread of its own: spawning it from here would hold up frames (tens of ms a process when agents keep every core busy).
  let git: Promise<Git> | undefined;
  const ctx: CommandContext = { ...given, git: () => (git ??= import('../spawn/threads.js').then(({ createThreadedGit }) => createThreadedGit())) };
  const dataDir = ctx.paths.dataDir;
  return {
    async loadPrompts() {
      const { promptsDir } = await ctx.config();
      return promptSummaries(promptsDir, join(ctx.paths.stateDir, 'cache', 'prompts.json'));
    },
    addPrompt: () => options.suspend(async () => (await import('./add.js')).addPromptInEditor(ctx)),
    loadWorktrees: async () => (await import('./worktrees.js')).pickerItems(ctx, await ctx.git()),
    async loadRuns() {
      const rows = await (await import('./runs.js')).runRows(ctx);
      // Running ones first; the sort is stable, so the rest keep this repository's first, newest first.
      return rows.sort((a, b) => Number(b.state === 'running') - Number(a.state === 'running'));
    },
    startRun: (request) => asScreenError(async () => (await import('./launch-run.js')).startRequestedRun(ctx, options.runOptions, request)),
    watchRun(dir, runId, onState) {
      return watchRun(dir, runId, {
        onEvent: (event, state) => onState(state, event),
        onEnd: (state, how) => {
          if (how === 'interrupted') onState(state, null);
        },
      });
    },
    runDir: (runId) => join(runsDir(dataDir), runId),
    followOutput: followJobOutput,
    async diff(job) {
      if (!job.worktree) throw new Error(`job ${job.id} has no worktree yet`);
      const [git, { jobDiff }] = await Promise.all([ctx.git(), import('../git/job-results.js')]);
      return jobDiff(git, job.worktree, job.head);
    },
    async diffAttempts(a, b) {
      const [git, { attemptsDiff }] = await Promise.all([ctx.git(), import('../git/job-results.js')]);
      return attemptsDiff(git, a, b);
    },
    cancel: (dir, job) => sendCommand(dir, { type: 'cancel', job, reason: 'user' }),
    approve: (dir, job, plan) => sendCommand(dir, { type: 'approve', job, ...(plan === null ? {} : { plan }) }),
    reject: (dir, job) => sendCommand(dir, { type: 'reject', job }),
    talk: (dir, command) => sendCommand(dir, command),
    async continueJob(dir, runId, job, text) {
      const [{ mkdirSync, writeFileSync }, { continuable }, { readRunPlan }, { loadRunState }] = await Promise.all([import('node:fs'), import('../engine/supervisor.js'), import('../rundir/plan.js'), import('../rundir/runs.js')]);
      const view = loadRunState(dataDir, runId).state.byId[job];
      if (!view) throw new Error(`run ${runId} has no job ${job}`);
      const why = continuable(dir, readRunPlan(dir), view);
      if (why) throw new Error(`${why.charAt(0).toUpperCase()}${why.slice(1)}.`);
      const file = join(dir, 'jobs', job, `message-${Date.now()}.txt`);
      mkdirSync(join(dir, 'jobs', job), { recursive: true });
      writeFileSync(file, text);
      await (await import('./rerun.js')).rerunJobs(ctx, { dir, runId, jobs: [job], continueSessions: true, messageFile: file });
    },
    editText: (text) =>
      options.suspend(async () => {
        const edited = (await import('../prompts/editor.js')).editText(text, ctx.env);
        return edited === text ? null : edited;
      }),
    async rerun(dir, runId, job) {
      await (await import('./rerun.js')).rerunJobs(ctx, { dir, runId, jobs: [job], continueSessions: false });
    },
    open: (runId, job) => asScreenError(async () => (await import('./open.js')).openJob(ctx, runId, job)),
    merge: (runId, job) => asScreenError(async () => (await import('./merge.js')).mergeJob(ctx, runId, job, {})),
    land: (runId) =>
      asScreenError(async () => {
        const [{ landJobs }, { landSummary }] = await Promise.all([import('./land.js'), import('../core/land-plan.js')]);
        return landSummary(await landJobs(ctx, runId, { named: [] }));
      }),
    notify(title, body) {
      // Bell, then OSC 777 (Ghostty, urxvt, foot) and OSC 9 (iTerm2, kitty): none moves the cursor, so Ink's frame is safe.
      // eslint-disable-next-line no-control-regex -- a control character would end the sequence early
      const clean = (text: string): string => text.replace(/[\x00-\x1f\x7f;]/g, ' ').slice(0, 200);
      ctx.stdout.write(`\x07\x1b]777;notify;${clean(title)};${clean(body)}\x07\x1b]9;${clean(title)}: ${clean(body)}\x07`);
    },
    now: () => Date.now(),
  };
}
