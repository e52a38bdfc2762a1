// The JSON API of `par web` (DESIGN §15): routes over the hub's runs and
// the actions. Run and job ids are looked up among the runs the hub read
// from the run directory, never joined into a path.
import { isUserError } from '../core/errors.js';
import type { JobView, RunState } from '../core/run-state.js';
import type { RunPlan } from '../core/run-plan.js';
import type { CommandContext } from '../commands/context.js';
import { jobJson } from '../commands/run-output.js';
import { approveJob, cancelJobs, denyJob, readLog, rerunJob } from './actions.js';
import type { RunHub } from './hub.js';

export interface ApiRequest {
  method: string;
  /** The path after `/api/`, split at `/` and decoded. */
  parts: string[];
  query: URLSearchParams;
  body: Record<string, unknown>;
}

export interface ApiReply {
  status: number;
  body: unknown;
}

/** A request the API refuses: its status and one sentence. */
export class ApiError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

const notFound = (what: string): ApiError => new ApiError(404, what);

/** A field of a request body, checked: the sentence names the field and what it takes. */
function field<T>(body: Record<string, unknown>, name: string, check: (value: unknown) => value is T, takes: string, fallback?: T): T {
  const value = body[name];
  if (value === undefined && fallback !== undefined) return fallback;
  if (!check(value)) throw new ApiError(400, `'${name}' takes ${takes}${value === undefined ? '; it is missing' : `, not ${JSON.stringify(value).slice(0, 60)}`}.`);
  return value;
}
const isString = (value: unknown): value is string => typeof value === 'string';
const isBoolean = (value: unknown): value is boolean => typeof value === 'boolean';
const isStrings = (value: unknown): value is string[] => Array.isArray(value) && value.every(isString);
const isCount = (value: unknown): value is number => Number.isInteger(value) && (value as number) >= 0 && (value as number) <= 1000;
const isStringOrNull = (value: unknown): value is string | null => value === null || isString(value);

interface Found {
  runId: string;
  state: RunState;
  plan: RunPlan;
  dir: string;
}

/** The API: one function from a request to its reply. */
export function createApi(ctx: CommandContext, hub: RunHub): (request: ApiRequest) => Promise<ApiReply> {
  const findRun = (id: string): Found => {
    let run = hub.run(id);
    if (!run) {
      // A run started a moment ago may not have been listed yet.
      hub.scan();
      run = hub.run(id);
    }
    if (!run) throw notFound(`There is no run '${id}'.`);
    return { runId: id, ...run };
  };
  const findJob = (found: Found, id: string): JobView => {
    const job = Object.hasOwn(found.state.byId, id) ? found.state.byId[id] : undefined;
    if (!job) throw notFound(`Run ${found.runId} has no job '${id}'.`);
    return job;
  };
  const talk = () => import('../commands/talk.js');

  async function jobRoute(found: Found, job: JobView, action: string, request: ApiRequest): Promise<unknown> {
    const { body } = request;
    if (request.method === 'GET' && action === 'log') {
      const from = request.query.get('from');
      if (from !== null && !/^\d{1,15}$/.test(from)) throw new ApiError(400, `'from' takes a byte offset (a whole number), not '${from.slice(0, 40)}'.`);
      return readLog(found.dir, job, from === null ? null : Number(from));
    }
    if (request.method === 'GET' && action === 'diff') {
      if (!job.worktree) throw new ApiError(409, `Job ${job.id} has no worktree yet, so no diff.`);
      const [git, { jobDiff }] = await Promise.all([ctx.git(), import('../git/job-results.js')]);
      return { lines: await jobDiff(git, job.worktree, job.head) };
    }
    if (request.method !== 'POST') throw notFound(`There is no ${request.method} /api/runs/RUN/jobs/JOB/${action}.`);
    switch (action) {
      case 'send':
        return { said: await (await talk()).sendMessage(ctx, found.runId, [job.id], field(body, 'text', isString, 'the message as a string'), 'web') };
      case 'approve':
        return { said: [await approveJob(ctx, found.runId, found.state, found.dir, job, field(body, 'always', isBoolean, 'true or false', false))] };
      case 'deny':
        return { said: [await denyJob(ctx, found.runId, found.state, found.dir, job, field(body, 'message', isStringOrNull, 'a reason as a string, or null', null))] };
      case 'answer':
        return { said: [await (await talk()).answerQuestion(ctx, found.runId, job.id, field(body, 'answers', isStrings, 'a list of option labels or numbers'), 'web')] };
      case 'interrupt':
        return { said: [await (await talk()).interruptJob(ctx, found.runId, job.id, 'web')] };
      case 'cancel':
        return { said: [cancelJobs(found.runId, found.state, found.dir, job)] };
      case 'rerun':
        return { said: [await rerunJob(ctx, found.runId, found.dir, job)] };
      case 'merge':
        return { said: [await (await import('../commands/merge.js')).mergeJob(ctx, found.runId, job.id, { squash: field(body, 'squash', isBoolean, 'true or false', false) })] };
      default:
        throw notFound(`There is no action '${action}' for a job; there are send, approve, deny, answer, interrupt, cancel, rerun and merge.`);
    }
  }

  async function runRoute(found: Found, rest: string[], request: ApiRequest): Promise<unknown> {
    if (rest.length === 0 && request.method === 'GET') {
      const { state, plan, dir, runId } = found;
      return { run: runId, state: state.state, repository: plan.repository, started_at: state.started_at ?? plan.started_at, finished_at: state.finished_at, dir, event_id: hub.lastId(), jobs: state.order.map((id) => jobJson(state.byId[id] as JobView)) };
    }
    if (rest[0] === 'jobs' && rest.length === 3) return jobRoute(found, findJob(found, rest[1] as string), rest[2] as string, request);
    if (rest.length === 1 && request.method === 'POST') {
      if (rest[0] === 'send') return { said: await (await talk()).sendMessage(ctx, found.runId, 'all', field(request.body, 'text', isString, 'the message as a string'), 'web') };
      if (rest[0] === 'cancel') return { said: [cancelJobs(found.runId, found.state, found.dir, null)] };
    }
    throw notFound(`There is no ${request.method} /api/runs/RUN/${rest.join('/')}.`);
  }

  async function startRun(body: Record<string, unknown>): Promise<unknown> {
    const prompt = field(body, 'prompt', isStringOrNull, 'a library prompt name, or null with a message', null);
    const message = field(body, 'message', isStringOrNull, 'the task as text, or null with a prompt', null);
    if ((prompt === null) === (message === null)) throw new ApiError(400, "Give 'prompt' (a library prompt) or 'message' (the task as text), one of them.");
    const worktrees = field(body, 'worktrees', isStrings, 'a list of worktree paths', []);
    const newCount = field(body, 'new', isCount, 'a whole number of fresh worktrees (0–1000)', 0);
    const jobs = field(body, 'jobs', isCount, 'a whole number of jobs at once', 0);
    if (worktrees.length === 0 && newCount === 0) throw new ApiError(400, "Pick worktrees ('worktrees') or ask for fresh ones ('new').");
    const { startRequestedRun } = await import('../commands/launch-run.js');
    const started = await startRequestedRun(ctx, { ...(message === null ? {} : { message }), ...(jobs > 0 ? { jobs: String(jobs) } : {}) }, { prompt, worktrees, newCount });
    hub.scan();
    return { run: started.runId };
  }

  async function route(request: ApiRequest): Promise<unknown> {
    const [head, id, ...rest] = request.parts;
    if (head === 'runs' && id === undefined) {
      if (request.method === 'GET') return { runs: hub.summaries() };
      if (request.method === 'POST') return startRun(request.body);
    }
    if (head === 'runs' && id !== undefined) return runRoute(findRun(id), rest, request);
    if (request.method === 'GET' && id === undefined) {
      if (head === 'inbox') return { items: (await import('../commands/inbox.js')).inboxItems(ctx.paths.dataDir) };
      if (head === 'prompts') return { prompts: await loadPrompts(ctx) };
      if (head === 'worktrees') return (await import('../commands/worktrees.js')).pickerItems(ctx, await ctx.git());
    }
    throw notFound(`There is no ${request.method} /api/${request.parts.join('/')}.`);
  }

  return async (request) => {
    try {
      return { status: 200, body: await route(request) };
    } catch (error) {
      if (error instanceof ApiError) return { status: error.status, body: { error: error.message } };
      // A bad value is the asker's to fix (400); a refusal is about where the run is (409).
      if (isUserError(error)) return { status: error.exitCode === 2 ? 400 : 409, body: { error: error.message } };
      ctx.log.error('web request failed', { method: request.method, path: request.parts.join('/'), error: (error as Error).stack ?? String(error) });
      return { status: 500, body: { error: `par could not do that: ${(error as Error).message}` } };
    }
  };
}

async function loadPrompts(ctx: CommandContext): Promise<unknown> {
  const [{ promptsDir }, { promptSummaries }, { join }] = await Promise.all([ctx.config(), import('../prompts/summaries.js'), import('node:path')]);
  return promptSummaries(promptsDir, join(ctx.paths.stateDir, 'cache', 'prompts.json'));
}
