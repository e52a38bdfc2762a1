// Talking with the selected job from the TUI (DESIGN §14): y/n/A/1…9 answer
// what it waits for, s/S send a message through the one-line input, i
// interrupts. Each answer names the request it answers, so a key pressed as
// the request changes never lands on the next one.
import { randomUUID } from 'node:crypto';
import { FINAL_STATES } from '../core/events.js';
import { selectedJob } from '../core/ui-state.js';
import type { RunCommand } from '../rundir/channel.js';
import type { JobActionContext } from './job-actions.js';
import { reviewPlan } from './job-actions.js';

/** The controller's side: the job actions' context and the ids of the commands this TUI sent. */
export interface TalkContext extends JobActionContext {
  sent: Set<string>;
}

function command(ctx: TalkContext, dir: string, body: RunCommand & { id: string }): void {
  ctx.sent.add(body.id);
  ctx.ports.talk(dir, body);
}

/** `y`, `n`, `A`: allow / deny the pending request, or approve / reject the plan waiting for review. */
export async function answerSelected(ctx: TalkContext, verdict: 'yes' | 'no' | 'always'): Promise<void> {
  const state = ctx.store.getState();
  const job = selectedJob(state);
  const dir = state.runDir;
  if (!job || !dir) return;
  if (job.state === 'awaiting-approval' && verdict !== 'always') return reviewPlan(ctx, verdict === 'yes' ? 'approve' : 'reject');
  const pending = job.state === 'needs-input' ? job.pending : null;
  if (!pending) {
    // Keys act on the selected row only: the one waiting is named, never answered in its place.
    const waiting = state.run?.order.find((id) => state.run?.byId[id]?.state === 'needs-input');
    return ctx.say(`${job.id} has nothing waiting for an answer (it is ${job.state})${waiting ? `; ${waiting} does: move to it (j/k) and press the key again` : ''}.`, 'error');
  }
  if (pending.kind === 'question') return ctx.say(`${job.id} asks a question: press the number of an option (1…9).`, 'error');
  if (pending.kind === 'instructions') return ctx.say(`${job.id} waits for instructions: s sends them.`, 'error');
  if (verdict === 'no') {
    ctx.store.dispatch({ type: 'overlay/open', overlay: { kind: 'input', purpose: 'deny', job: job.id, requestId: pending.request_id, text: '' } });
    return;
  }
  command(ctx, dir, { type: 'answer', id: randomUUID(), job: job.id, request_id: pending.request_id, decision: 'allow', always: verdict === 'always', via: 'tui' });
  ctx.say(`Allowed ${job.id}'s ${pending.tool ?? 'request'}${verdict === 'always' ? ' (and the like, for the rest of the run)' : ''}.`);
}

/** `1`…`9`: chooses an option of the pending question. */
export function chooseOption(ctx: TalkContext, key: string): void {
  const state = ctx.store.getState();
  const job = selectedJob(state);
  const dir = state.runDir;
  if (!job || !dir) return;
  const pending = job.state === 'needs-input' ? job.pending : null;
  if (pending?.kind !== 'question') return ctx.say(`${job.id} has no question waiting.`, 'error');
  const questions = Array.isArray(pending.input.questions) ? (pending.input.questions as { options?: { label?: unknown }[] }[]) : [];
  const label = questions[0]?.options?.[Number(key) - 1]?.label;
  if (typeof label !== 'string') return ctx.say(`There is no option ${key}; the question has ${questions[0]?.options?.length ?? 0}.`, 'error');
  command(ctx, dir, { type: 'answer', id: randomUUID(), job: job.id, request_id: pending.request_id, decision: 'answer', answers: [label], via: 'tui' });
  ctx.say(`Answered ${job.id}: ${label}.`);
}

/** `s` and `S`: opens the one-line input for a message. */
export function startMessage(ctx: TalkContext, all: boolean): void {
  const state = ctx.store.getState();
  const job = selectedJob(state);
  if (!job || !state.runDir) return;
  if (all && state.run?.state !== 'running') return ctx.say('The run is over: there are no running jobs to send to; s continues one finished job.', 'error');
  ctx.store.dispatch({ type: 'overlay/open', overlay: { kind: 'input', purpose: all ? 'send-all' : 'send', job: job.id, requestId: null, text: '' } });
}

/** `i`: stops the selected job's current turn. */
export function interruptSelected(ctx: TalkContext): void {
  const state = ctx.store.getState();
  const job = selectedJob(state);
  if (!job || !state.runDir) return;
  if (FINAL_STATES.has(job.state) || state.run?.state !== 'running') return ctx.say(`${job.id} has ended (${job.state}): there is no turn to stop.`, 'error');
  command(ctx, state.runDir, { type: 'interrupt', id: randomUUID(), job: job.id, via: 'tui' });
  ctx.say(`Interrupting ${job.id}; it will wait for instructions (s).`);
}

/** Enter in the input line (or what $EDITOR saved): the message sent, or the denial given. */
export async function submitInput(ctx: TalkContext, text: string): Promise<void> {
  const state = ctx.store.getState();
  const overlay = state.overlay;
  const dir = state.runDir;
  if (overlay?.kind !== 'input' || !dir || !state.run) return;
  ctx.store.dispatch({ type: 'overlay/close' });
  if (overlay.purpose === 'deny') {
    if (!overlay.requestId) return;
    const reason = text.trim();
    command(ctx, dir, { type: 'answer', id: randomUUID(), job: overlay.job, request_id: overlay.requestId, decision: 'deny', message: reason === '' ? null : reason, via: 'tui' });
    return ctx.say(`Denied ${overlay.job}'s request${reason ? `: ${reason}` : ''}.`);
  }
  if (text.trim() === '') return ctx.say('Nothing was sent: the message was empty.');
  const run = state.run;
  if (overlay.purpose === 'send-all') {
    const jobs = run.order.filter((id) => !FINAL_STATES.has(run.byId[id]?.state ?? 'queued'));
    for (const id of jobs) command(ctx, dir, { type: 'send', id: randomUUID(), job: id, text, via: 'tui' });
    return ctx.say(jobs.length ? `Sent to ${jobs.join(', ')}.` : 'No job is running or waiting.', jobs.length ? 'info' : 'error');
  }
  if (run.state === 'running') {
    command(ctx, dir, { type: 'send', id: randomUUID(), job: overlay.job, text, via: 'tui' });
    return ctx.say(`Sent to ${overlay.job}.`);
  }
  // The run is over: the finished job's session continues under a new supervisor.
  try {
    await ctx.ports.continueJob(dir, run.run, overlay.job, text);
    ctx.say(`${overlay.job} continues its session with your message.`);
    ctx.attach(run.run, dir);
  } catch (error) {
    ctx.say(error instanceof Error ? error.message : String(error), 'error');
  }
}
