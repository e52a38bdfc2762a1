import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import type { JobView } from '../core/run-state.js';
import { controlRequestId, transcriptLines } from '../core/transcript.js';
import { runFiles } from './files.js';
import { decisionLines } from './journal.js';

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
 * and `par results` show them, each request's decision under it.
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
    // What was decided on each request follows it, as in the TUI's log and par results: the journal read once, when there is a request.
    let decisions: Map<string, string> | undefined;
    for (const line of text.subarray(0, end).toString('utf8').split('\n')) {
      if (line.trim() === '') continue;
      lines.push(...transcriptLines(line, job.worktree ?? ''));
      const requestId = controlRequestId(line);
      if (requestId === undefined) continue;
      decisions ??= decisionLines(runFiles.events(dir), job.id);
      const decided = decisions.get(requestId);
      if (decided) lines.push(decided);
    }
    return { from: start, next: start + end, size, lines };
  } finally {
    closeSync(fd);
  }
}
