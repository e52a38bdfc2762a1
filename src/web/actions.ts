// What the web page can do to runs: the same functions the CLI's commands
// use (the channel, reruns, merges, the run starter), each answering with a
// sentence, marked as coming from the web page in the journal.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { UserError } from '../core/errors.js';
import { FINAL_STATES } from '../core/events.js';
import type { JobView, RunState } from '../core/run-state.js';
import { transcriptLines } from '../core/transcript.js';
import type { CommandContext } from '../commands/context.js';
import { sendCommand } from '../rundir/channel.js';
import { runFiles } from '../rundir/files.js';

/** A first look at a log starts this far before its end; a later read takes at most this much. */
const LOG_CHUNK = 256 * 1024;

/** A piece of a job's log as the page shows it: transcript lines, and the byte offset to ask from next. */
export interface LogPiece {
  from: number;
  next: number;
  size: number;
  lines: string[];
}

/**
 * Reads a job's log from byte `from` (null: the last part of it) up to
 * the last whole line, at most LOG_CHUNK; the lines as the TUI's log pane
 * and `par results` show them.
 */
export function readLog(dir: string, job: JobView, from: number | null): LogPiece {
  let fd: number;
  try {
    fd = openSync(runFiles.output(dir, job.id), 'r');
  } catch {
    return { from: 0, next: 0, size: 0, lines: [] };
  }
  try {
    const size = fstatSync(fd).size;
    let start = from === null ? Math.max(0, size - LOG_CHUNK) : Math.min(from, size);
    const buffer = Buffer.alloc(Math.min(LOG_CHUNK, size - start));
    const read = readSync(fd, buffer, 0, buffer.length, start);
    let text = buffer.subarray(0, read);
    if (from === null && start > 0) {
      // A tail starts at a line start.
      const newline = text.indexOf(10);
      text = newline < 0 ? text.subarray(text.length) : text.subarray(newline + 1);
      start += read - text.length;
    }
    const end = text.lastIndexOf(10) + 1;
    const lines: string[] = [];
    for (const line of text.subarray(0, end).toString('utf8').split('\n')) {
      if (line.trim() !== '') lines.push(...transcriptLines(line, job.worktree ?? ''));
    }
    return { from: start, next: start + end, size, lines };
  } finally {
    closeSync(fd);
  }
}

/** A pending request's answer from the page: allow (once or always), deny (with a reason), or options chosen. */
export type Answer = { decision: 'allow'; always: boolean } | { decision: 'deny'; message: string | null } | { decision: 'answer'; answers: string[] };

/** Approves what a job waits on: its permission request, or the plan it wrote for review. */
export async function approveJob(ctx: CommandContext, runId: string, state: RunState, dir: string, job: JobView, always: boolean): Promise<string> {
  if (job.state === 'awaiting-approval' && state.state === 'running') {
    sendCommand(dir, { type: 'approve', job: job.id });
    return `${job.id}: plan approved; it executes as a place frees up.`;
  }
  const { allowRequest } = await import('../commands/talk.js');
  return (await allowRequest(ctx, runId, job.id, { always }, 'web')).sentence;
}

/** Denies a job's pending request (or rejects the plan it wrote). */
export async function denyJob(ctx: CommandContext, runId: string, state: RunState, dir: string, job: JobView, message: string | null): Promise<string> {
  if (job.state === 'awaiting-approval' && state.state === 'running') {
    sendCommand(dir, { type: 'reject', job: job.id });
    return `${job.id}: plan rejected; the job ends cancelled.`;
  }
  const { denyRequest } = await import('../commands/talk.js');
  return denyRequest(ctx, runId, job.id, message, 'web');
}

/** Cancels a job, or the whole run (job null). */
export function cancelJobs(runId: string, state: RunState, dir: string, job: JobView | null): string {
  if (state.state !== 'running') throw new UserError(`Run ${runId} has already ended (${state.state}); there is nothing to cancel.`, 1);
  if (job && FINAL_STATES.has(job.state)) throw new UserError(`Job ${job.id} has already ended (${job.state}); there is nothing to cancel.`, 1);
  sendCommand(dir, { type: 'cancel', job: job?.id ?? null, reason: 'user' });
  return job ? `Cancelling ${job.id}…` : `Cancelling run ${runId}…`;
}

/** Runs a finished job again as a new attempt, a fresh session. */
export async function rerunJob(ctx: CommandContext, runId: string, dir: string, job: JobView): Promise<string> {
  const { rerunJobs } = await import('../commands/rerun.js');
  await rerunJobs(ctx, { dir, runId, jobs: [job.id], continueSessions: false });
  return `${job.id}: queued again as attempt ${job.attempt + 2}.`;
}
