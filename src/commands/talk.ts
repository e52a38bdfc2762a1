// `par send`, `par interrupt`, `par deny`, `par answer`, and `par approve`
// for permission requests (DESIGN §14): each a command on the run's channel
// naming what it answers, then the journal read for the supervisor's word on
// it — done, or refused and why.
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../core/errors.js';
import { FINAL_STATES, type RunEvent, type Via } from '../core/events.js';
import type { JobView, RunState } from '../core/run-state.js';
import type { RunPlan } from '../core/run-plan.js';
import { continuable } from '../engine/supervisor.js';
import { sendCommand, type RunCommand } from '../rundir/channel.js';
import { runFiles } from '../rundir/files.js';
import { readEvents } from '../rundir/journal.js';
import { findRun, isRunSupervisor, jobIn, loadRunState } from '../rundir/runs.js';
import { readStdin, type CommandContext } from './context.js';
import { rerunJobs } from './rerun.js';

/** A message is a line on the run's channel: past this it belongs in a file the agent reads. */
export const MAX_MESSAGE_BYTES = 256 * 1024;
/** A live supervisor reads commands every tenth of a second: past this it did not answer. */
const ANSWER_WAIT_MS = 10_000;
const POLL_MS = 40;

type Outcome = { done: true; event: RunEvent } | { done: false; reason: string };

/** The journal's word on a command: the event naming it (done), or `command/refused`. */
function outcomeOf(events: readonly RunEvent[], id: string): Outcome | undefined {
  for (const event of events) {
    if (!('command' in event) || event.command !== id) continue;
    if (event.type === 'command/refused') return { done: false, reason: event.reason };
    return { done: true, event };
  }
  return undefined;
}

/** Sends a command to the run's live supervisor and waits for its word on it; refusals become UserErrors (exit 1). */
export async function deliver(dir: string, runId: string, supervisorPid: number | null, command: RunCommand & { id: string }): Promise<RunEvent> {
  sendCommand(dir, command);
  const deadline = Date.now() + ANSWER_WAIT_MS;
  for (;;) {
    const outcome = outcomeOf(readEvents(runFiles.events(dir)), command.id);
    if (outcome?.done) return outcome.event;
    if (outcome) throw new UserError(`${outcome.reason.charAt(0).toUpperCase()}${outcome.reason.slice(1)}.`, 1);
    if (Date.now() > deadline || !isRunSupervisor(supervisorPid, dir)) {
      throw new UserError(`Run ${runId}'s supervisor did not take the command (it is busy or gone); par status ${runId} shows where the run is.`, 1);
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/** The run and, when named, its job, read now. */
function runAndJob(ctx: CommandContext, query: string, jobId: string): { runId: string; state: RunState; plan: RunPlan; dir: string; job: JobView } {
  const runId = findRun(ctx.paths.dataDir, query, null);
  const { state, plan, dir } = loadRunState(ctx.paths.dataDir, runId);
  return { runId, state, plan, dir, job: jobIn(state, jobId) };
}

/** Who answered a request before, from the journal: "allowed by rule Bash(npm test:*)". */
function answeredBefore(dir: string, job: string, requestId: string): string | null {
  for (const event of readEvents(runFiles.events(dir))) {
    if (event.type === 'job/permission' && event.job === job && event.request_id === requestId) {
      const who = event.by === 'person' ? `a person (${event.via ?? 'cli'})` : event.rule ? `${event.by} ${event.rule}` : event.by;
      return `${event.decision === 'allow' ? 'allowed' : 'denied'} by ${who} at ${event.at.slice(11, 19)}`;
    }
    if (event.type === 'job/answered' && event.job === job && event.request_id === requestId) return `answered by ${event.by === 'person' ? `a person (${event.via ?? 'cli'})` : event.by} at ${event.at.slice(11, 19)}`;
  }
  return null;
}

/** The request a job waits on now, of one of `kinds`, or a UserError saying what it waits on instead. */
function pendingOf(dir: string, runId: string, state: RunState, job: JobView, kinds: readonly string[], verb: string): NonNullable<JobView['pending']> {
  if (state.state !== 'running') throw new UserError(`Run ${runId} is over (${state.state}): nothing in it waits for an answer.`, 1);
  const pending = job.pending;
  if (!pending || job.state !== 'needs-input') {
    const last = [...readEvents(runFiles.events(dir))].reverse().find((event) => (event.type === 'job/permission' || event.type === 'job/answered') && event.job === job.id);
    const before = last && 'request_id' in last ? answeredBefore(dir, job.id, last.request_id) : null;
    throw new UserError(`Job ${job.id} has nothing pending to ${verb} (it is ${job.state})${before ? `; its last request was ${before}` : ''}.`, 1);
  }
  if (!kinds.includes(pending.kind)) {
    const what = pending.kind === 'question' ? 'a question: answer it with par answer' : pending.kind === 'instructions' ? 'instructions: give them with par send' : 'a permission request: par approve or par deny';
    throw new UserError(`Job ${job.id} waits for ${what}.`, 1);
  }
  return pending;
}

/** The text of `par send`: -m, --file, or stdin; checked for size and emptiness. */
async function messageText(ctx: CommandContext, options: { message?: string; file?: string }): Promise<string> {
  if (options.message !== undefined && options.file !== undefined) throw new UserError('Give the message once: -m TEXT or --file FILE, not both.');
  let text: string;
  if (options.message !== undefined) text = options.message;
  else if (options.file !== undefined && options.file !== '-') {
    try {
      text = readFileSync(options.file, 'utf8');
    } catch (error) {
      throw new UserError(`Cannot read the message file ${options.file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); check the path.`);
    }
  } else if (ctx.stdin.isTTY && options.file === undefined) throw new UserError('Say what to send: -m TEXT, --file FILE, or the text on stdin.');
  else text = (await readStdin(ctx.stdin)).toString('utf8');
  const bytes = Buffer.byteLength(text);
  if (bytes > MAX_MESSAGE_BYTES) {
    throw new UserError(`The message is ${(bytes / 1024 / 1024).toFixed(1)} MB; par sends at most ${MAX_MESSAGE_BYTES / 1024} KB: write it to a file in the worktree and send a message naming the file.`);
  }
  if (text.trim() === '') throw new UserError('The message is empty; say what the agent should do.');
  return text;
}

/** `par send <run> [job…|--all] (-m TEXT | --file F | stdin)`. */
export async function runSend(ctx: CommandContext, query: string, jobIds: string[], options: { all?: boolean; message?: string; file?: string }): Promise<number> {
  const runId = findRun(ctx.paths.dataDir, query, null);
  if (options.all && jobIds.length > 0) throw new UserError('Name jobs or pass --all, not both.');
  if (!options.all && jobIds.length === 0) throw new UserError(`Say which jobs to send to: par send ${runId} JOB…, or --all (its jobs: ${loadRunState(ctx.paths.dataDir, runId).state.order.join(', ')}).`);
  const text = await messageText(ctx, options);
  const said = await sendMessage(ctx, runId, options.all ? 'all' : jobIds, text, 'cli');
  for (const line of said) ctx.stdout.write(`${line}\n`);
  return 0;
}

/**
 * Sends `text` to jobs of a run (`all`: every one still going): a running
 * job gets it, a finished one continues its session as a new attempt.
 * Resolves to a sentence per job; refusals are UserErrors.
 */
export async function sendMessage(ctx: CommandContext, runId: string, jobIds: readonly string[] | 'all', text: string, via: Via): Promise<string[]> {
  const { state, plan, dir } = loadRunState(ctx.paths.dataDir, runId);
  const jobs = jobIds === 'all' ? state.order.filter((id) => !FINAL_STATES.has(state.byId[id]?.state ?? 'queued')) : jobIds.map((id) => jobIn(state, id).id);
  if (jobs.length === 0) throw new UserError(`No job of run ${runId} is running or waiting; name finished jobs to continue their sessions.`, 1);
  if (Buffer.byteLength(text) > MAX_MESSAGE_BYTES) throw new UserError(`The message is over ${MAX_MESSAGE_BYTES / 1024} KB; write it to a file in the worktree and send a message naming the file.`);
  if (text.trim() === '') throw new UserError('The message is empty; say what the agent should do.');
  const said: string[] = [];
  for (const id of jobs) {
    const job = state.byId[id] as JobView;
    if (state.state === 'running') {
      const event = await deliver(dir, runId, state.supervisor_pid, { type: 'send', id: randomUUID(), job: id, text, via });
      const how = event.type === 'job/message' && event.queued ? 'queued for its next turn' : FINAL_STATES.has(job.state) ? 'its session continues as a new attempt' : 'delivered';
      said.push(`${id}: ${how}.`);
      continue;
    }
    // The run is over: a finished job's session continues under a new supervisor.
    const why = continuable(dir, plan, job);
    if (why) throw new UserError(`${why.charAt(0).toUpperCase()}${why.slice(1)}.`, 1);
    const file = join(runFiles.jobDir(dir, id), `message-${Date.now()}.txt`);
    mkdirSync(runFiles.jobDir(dir, id), { recursive: true });
    writeFileSync(file, text);
    await rerunJobs(ctx, { dir, runId, jobs: [id], continueSessions: true, messageFile: file });
    said.push(`${id}: its session continues as a new attempt (par status ${runId}).`);
  }
  return said;
}

/** `par interrupt <run> <job>`. */
export async function runInterrupt(ctx: CommandContext, query: string, jobId: string): Promise<number> {
  ctx.stdout.write(`${await interruptJob(ctx, findRun(ctx.paths.dataDir, query, null), jobId, 'cli')}\n`);
  return 0;
}

/** Stops a job's current turn; its session then waits for instructions. */
export async function interruptJob(ctx: CommandContext, runId: string, jobId: string, via: Via): Promise<string> {
  const { state, dir, job } = runAndJob(ctx, runId, jobId);
  if (state.state !== 'running') throw new UserError(`Run ${runId} is over (${state.state}): there is no turn to stop.`, 1);
  if (FINAL_STATES.has(job.state)) throw new UserError(`Job ${job.id} has ended (${job.state}): there is no turn to stop.`, 1);
  await deliver(dir, runId, state.supervisor_pid, { type: 'interrupt', id: randomUUID(), job: job.id, via });
  return `${job.id}: interrupted; it waits for instructions (par send ${runId} ${job.id} -m …).`;
}

/** Answers the pending request of a job; what the journal said of it. */
async function answerPending(ctx: CommandContext, query: string, jobId: string, answer: { decision: 'allow' | 'deny' | 'answer'; message?: string | null; answers?: string[]; always?: boolean }, kinds: readonly string[], verb: string, via: Via): Promise<{ runId: string; job: string; event: RunEvent }> {
  const { runId, state, dir, job } = runAndJob(ctx, query, jobId);
  const pending = pendingOf(dir, runId, state, job, kinds, verb);
  const event = await deliver(dir, runId, state.supervisor_pid, { type: 'answer', id: randomUUID(), job: job.id, request_id: pending.request_id, via, ...answer });
  return { runId, job: job.id, event };
}

/** `par approve <run> <job> [--always [--save]]` for a permission request. */
export async function approvePermission(ctx: CommandContext, query: string, jobId: string, options: { always?: boolean; save?: boolean }): Promise<number> {
  if (options.save && !options.always) throw new UserError('--save goes with --always: par approve RUN JOB --always --save.');
  const { job, rule } = await allowRequest(ctx, query, jobId, { always: options.always === true }, 'cli');
  if (options.save && rule) {
    const [{ ConfigFile }, { config }] = await Promise.all([import('../config/config-file.js'), ctx.config()]);
    if (!config.permissions.allow.includes(rule)) await new ConfigFile(ctx.paths.configDir).set('permissions.allow', [...config.permissions.allow, rule]);
  }
  ctx.stdout.write(`${job}: allowed${rule ? `; ${rule} is allowed for the rest of the run${options.save ? ' and saved to permissions.allow' : ''}` : ''}.\n`);
  return 0;
}

/** Allows a job's pending permission request (`always`: its rule for the rest of the run); the rule added, if any. */
export async function allowRequest(ctx: CommandContext, query: string, jobId: string, options: { always: boolean }, via: Via): Promise<{ job: string; rule: string | null; sentence: string }> {
  const { job, event } = await answerPending(ctx, query, jobId, { decision: 'allow', always: options.always }, ['permission'], 'approve', via);
  const rule = event.type === 'job/permission' ? event.rule : null;
  return { job, rule, sentence: `${job}: allowed${rule ? `; ${rule} is allowed for the rest of the run` : ''}.` };
}

/** `par deny <run> <job> [-m REASON]`. */
export async function runDeny(ctx: CommandContext, query: string, jobId: string, options: { message?: string }): Promise<number> {
  ctx.stdout.write(`${await denyRequest(ctx, query, jobId, options.message ?? null, 'cli')}\n`);
  return 0;
}

/** Refuses a job's pending permission request, or declines its question. */
export async function denyRequest(ctx: CommandContext, query: string, jobId: string, message: string | null, via: Via): Promise<string> {
  const { job } = await answerPending(ctx, query, jobId, { decision: 'deny', message }, ['permission', 'question'], 'deny', via);
  return `${job}: denied${message ? `, told: ${message}` : ''}.`;
}

/** `par answer <run> <job> <option…>`: options by label or by number. */
export async function runAnswer(ctx: CommandContext, query: string, jobId: string, chosen: string[]): Promise<number> {
  ctx.stdout.write(`${await answerQuestion(ctx, query, jobId, chosen, 'cli')}\n`);
  return 0;
}

/** Answers a job's pending question with options given by label or number. */
export async function answerQuestion(ctx: CommandContext, query: string, jobId: string, chosen: readonly string[], via: Via): Promise<string> {
  const { runId, state, dir, job } = runAndJob(ctx, query, jobId);
  const pending = pendingOf(dir, runId, state, job, ['question'], 'answer');
  const answers = labelsFor(pending.input, chosen);
  const event = await deliver(dir, runId, state.supervisor_pid, { type: 'answer', id: randomUUID(), job: job.id, request_id: pending.request_id, via, decision: 'answer', answers });
  return `${job.id}: answered ${event.type === 'job/answered' ? `"${event.answer}"` : answers.join(', ')}.`;
}

/** A question's options by label (any case) or number, as their labels; a UserError naming the options otherwise. */
export function labelsFor(input: Record<string, unknown>, chosen: readonly string[]): string[] {
  const questions = Array.isArray(input.questions) ? (input.questions as { options?: { label?: unknown }[]; multiSelect?: unknown }[]) : [];
  const labels = (questions[0]?.options ?? []).map((option) => String(option.label ?? ''));
  if (chosen.length === 0) throw new UserError(`Choose an option: ${labels.map((label, index) => `${index + 1}. ${label}`).join(', ')}.`);
  if (chosen.length > 1 && questions.length === 1 && questions[0]?.multiSelect !== true) throw new UserError('This question takes one answer; give one option.');
  return chosen.map((choice) => {
    const number = /^\d+$/.test(choice) ? Number(choice) : null;
    const byNumber = number !== null ? labels[number - 1] : undefined;
    const byLabel = labels.find((label) => label.toLowerCase() === choice.toLowerCase());
    const label = byNumber ?? byLabel;
    if (label === undefined) throw new UserError(`'${choice}' is not an option; choose ${labels.map((option, index) => `${index + 1} (${option})`).join(', ')}.`);
    return label;
  });
}
