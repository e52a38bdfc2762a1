import type { InboxItem } from '../core/run-state.js';
import { answerCommand, pendingSummary } from '../core/grid-layout.js';
import { inputSummary } from '../engine/conversation.js';
import { runDirOf } from '../rundir/files.js';
import { readRunPlan } from '../rundir/plan.js';
import { isRunSupervisor, loadRunState, runIds } from '../rundir/runs.js';
import type { CommandContext } from './context.js';

/** Every request and question waiting on a person, across all runs on this machine, oldest first. */
export function inboxItems(dataDir: string): InboxItem[] {
  const items: InboxItem[] = [];
  for (const id of runIds(dataDir)) {
    let loaded;
    try {
      // Only a run with a live supervisor can be waiting on anyone: the others' journals are not read.
      const dir = runDirOf(dataDir, id);
      if (!isRunSupervisor(readRunPlan(dir).supervisor_pid, dir)) continue;
      loaded = loadRunState(dataDir, id);
    } catch {
      continue;
    }
    const { state } = loaded;
    if (state.state !== 'running') continue;
    for (const jobId of state.order) {
      const job = state.byId[jobId];
      if (job?.state !== 'needs-input' || !job.pending) continue;
      const { pending } = job;
      items.push({ run: id, job: jobId, request_id: pending.request_id, kind: pending.kind, tool: pending.tool, input: pending.input, asked_at: pending.asked_at, summary: pendingSummary(pending, job.worktree ?? ''), answer: answerCommand(id, jobId, pending) });
    }
  }
  return items.sort((a, b) => a.asked_at.localeCompare(b.asked_at));
}

/** `par inbox [--json]`. */
export function runInbox(ctx: CommandContext, options: { json?: boolean }): number {
  const items = inboxItems(ctx.paths.dataDir);
  if (options.json) {
    ctx.stdout.write(`${JSON.stringify(items, null, 2)}\n`);
    return 0;
  }
  if (items.length === 0) {
    ctx.stdout.write('Nothing waits for you.\n');
    return 0;
  }
  for (const item of items) {
    const waited = Math.max(0, Math.round((Date.now() - Date.parse(item.asked_at)) / 1000));
    ctx.stdout.write(`${item.run}  ${item.job}  ${item.summary}  (${waited < 60 ? `${waited}s` : `${Math.round(waited / 60)}m`} ago)\n`);
    if (item.kind === 'permission' && item.tool === 'Bash') ctx.stdout.write(`    $ ${inputSummary(item.input)}\n`);
    if (item.kind === 'question') {
      const questions = Array.isArray(item.input.questions) ? (item.input.questions as { options?: { label?: unknown }[] }[]) : [];
      ctx.stdout.write(`    options: ${(questions[0]?.options ?? []).map((option, index) => `${index + 1}. ${String(option.label)}`).join('  ')}\n`);
    }
    ctx.stdout.write(`    → ${item.answer}\n`);
  }
  return 0;
}
