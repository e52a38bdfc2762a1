import { createReadStream, existsSync } from 'node:fs';
import { UserError } from '../core/errors.js';
import { FINAL_STATES } from '../core/events.js';
import type { JobView, RunState } from '../core/run-state.js';
import { formatTable, tilde } from '../core/table.js';
import { controlRequestId, transcriptLines } from '../core/transcript.js';
import { decisionLines } from '../rundir/journal.js';
import { sendCommand } from '../rundir/channel.js';
import { findRun, jobIn, loadRunState, runIds, runSummary } from '../rundir/runs.js';
import { waitFor } from '../rundir/watch.js';
import { currentRepository } from '../git/repository.js';
import { terminalWidth, type CommandContext, type OutputStream } from './context.js';
import { formatCost } from './run-output.js';
import { runFiles } from '../rundir/files.js';
import { LineFollower } from '../rundir/follow.js';


function jobOf(ctx: CommandContext, runId: string, jobId: string): { job: JobView; dir: string } {
  const { state, dir } = loadRunState(ctx.paths.dataDir, runId);
  return { job: jobIn(state, jobId), dir };
}

/** Writes a chunk and resolves once the stream has taken it (its callback), so output is paced by the reader. */
function writeChunk(stream: OutputStream, chunk: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.write(chunk, (error) => (error ? reject(error) : resolve()));
  });
}

const jobEnded = (jobId: string) => (state: RunState): boolean => FINAL_STATES.has(state.byId[jobId]?.state ?? 'queued');

/** `par results <run> [job] [--raw] [--follow]`. */
export async function runResults(ctx: CommandContext, query: string, jobId: string | undefined, options: { raw?: boolean; follow?: boolean }): Promise<number> {
  const runId = findRun(ctx.paths.dataDir, query, null);
  if (jobId === undefined) {
    if (options.raw || options.follow) throw new UserError('--raw and --follow show one job: name it, as in par results RUN JOB --follow.');
    const { state } = loadRunState(ctx.paths.dataDir, runId);
    for (const id of state.order) {
      const job = state.byId[id] as JobView;
      ctx.stdout.write(`── ${id} (${job.state}${job.reason ? `, ${job.reason}` : ''})\n${job.result ?? job.error ?? '(no result)'}\n\n`);
    }
    return 0;
  }
  const { job, dir } = jobOf(ctx, runId, jobId);
  const log = runFiles.output(dir, jobId);
  const cwd = job.worktree ?? '';
  const decisions = options.raw ? new Map<string, string>() : decisionLines(runFiles.events(dir), jobId);
  const show = (line: string): void => {
    if (options.raw) {
      ctx.stdout.write(`${line}\n`);
      return;
    }
    for (const text of transcriptLines(line, cwd)) ctx.stdout.write(`${text}\n`);
    // What was decided on a request (from the journal) follows it.
    const requestId = controlRequestId(line);
    const decided = requestId === undefined ? undefined : decisions.get(requestId);
    if (decided) ctx.stdout.write(`${decided}\n`);
  };
  if (!options.follow) {
    if (!existsSync(log)) {
      ctx.stdout.write(`(job ${jobId} has no output yet)\n`);
      return 0;
    }
    if (options.raw) {
      // Byte for byte, a chunk at a time (the log may be large), each written out before the next is read:
      // a pipe to a slow reader takes writes asynchronously, so a chunk must not be reused while queued.
      for await (const chunk of createReadStream(log, { highWaterMark: 1 << 20 })) await writeChunk(ctx.stdout, chunk as Buffer);
      return 0;
    }
    new LineFollower(log, show).poll();
    return 0;
  }
  const follower = new LineFollower(log, show);
  follower.start(200);
  const final = await waitFor(dir, runId, jobEnded(jobId));
  follower.stop();
  follower.poll();
  ctx.stdout.write(`── ${jobId} ${final?.byId[jobId]?.state ?? 'ended'}\n`);
  return 0;
}

/** `par cancel <run> [job]`: asks the supervisor to cancel, and waits for the jobs to end. */
export async function runCancel(ctx: CommandContext, query: string, jobId: string | undefined): Promise<number> {
  const runId = findRun(ctx.paths.dataDir, query, null);
  const { state, dir } = loadRunState(ctx.paths.dataDir, runId);
  if (state.state !== 'running') {
    ctx.stdout.write(`Run ${runId} has already ended (${state.state}); there is nothing to cancel.\n`);
    return 0;
  }
  if (jobId !== undefined) {
    const { job } = jobOf(ctx, runId, jobId);
    if (FINAL_STATES.has(job.state)) {
      ctx.stdout.write(`Job ${jobId} of run ${runId} has already ended (${job.state}); there is nothing to cancel.\n`);
      return 0;
    }
  }
  sendCommand(dir, { type: 'cancel', job: jobId ?? null, reason: 'user' });
  ctx.stdout.write(`Cancelling ${jobId ? `job ${jobId} of ` : ''}run ${runId}…\n`);
  // Agents get SIGTERM, then SIGKILL 5 s later: waiting a little longer than that is enough.
  const now = await waitFor(dir, runId, jobId ? jobEnded(jobId) : (state) => state.state !== 'running', { timeoutMs: 15_000 });
  if (now === null) ctx.stdout.write('Still stopping; par status shows when it has.\n');
  else ctx.stdout.write(jobId ? `Job ${jobId}: ${now.byId[jobId]?.state}\n` : `Run ${runId}: ${now.state}\n`);
  return 0;
}

/** Every readable run as lists show it: the current repository's first, newest first. */
export async function runRows(ctx: CommandContext) {
  const repository = await currentRepository(ctx.git, ctx.cwd);
  return runIds(ctx.paths.dataDir)
    .map((id) => {
      try {
        const { state, plan } = loadRunState(ctx.paths.dataDir, id);
        return runSummary(id, state, plan);
      } catch {
        // A run directory being written or broken is not listed.
        return undefined;
      }
    })
    .filter((row) => row !== undefined)
    .sort((a, b) => Number(b.repository === repository) - Number(a.repository === repository) || b.started_at.localeCompare(a.started_at));
}

/** `par list runs [--json]`: the current repository's runs first, newest first, then the others. */
export async function runListRuns(ctx: CommandContext, options: { json?: boolean }): Promise<number> {
  const rows = await runRows(ctx);
  if (options.json) {
    ctx.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return 0;
  }
  if (rows.length === 0) {
    ctx.stdout.write("No runs yet; start one with 'par run'.\n");
    return 0;
  }
  ctx.stdout.write(
    formatTable(
      rows,
      [
        { header: 'RUN', value: (row) => row.run },
        { header: 'STATE', value: (row) => row.state },
        { header: 'JOBS', value: (row) => `${row.succeeded}/${row.jobs}${row.failed ? ` (${row.failed} failed)` : ''}` },
        { header: 'COST', value: (row) => formatCost(row.cost_usd) },
        { header: 'STARTED', value: (row) => row.started_at.replace('T', ' ').slice(0, 16) },
        { header: 'REPOSITORY', value: (row) => (row.repository ? tilde(row.repository, ctx.paths.home) : ''), flexible: true },
      ],
      terminalWidth(ctx.stdout),
    ),
  );
  return 0;
}
