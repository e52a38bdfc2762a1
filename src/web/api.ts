// The JSON API of `par web` (DESIGN §15): routes over the hub's runs and
// the ports. Run and job ids are looked up among the runs the hub read from
// the run directory, never joined into a path.
import { isUserError } from '../core/errors.js';
import { jobsJson } from '../core/forecast.js';
import type { JobView } from '../core/run-state.js';
import type { Logger } from '../logging/logger.js';
import type { RunHub } from './hub.js';
import { readLog } from '../rundir/job-log.js';
import type { FoundRun, RunOperations } from '../core/operations.js';

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
const text = (body: Record<string, unknown>): string => field(body, 'text', isString, 'the message as a string');

type JobAction = (ports: RunOperations, run: FoundRun, job: JobView, body: Record<string, unknown>) => Promise<string | string[]> | string;

/** What a POST to `/api/runs/:run/jobs/:job/<action>` does. */
const JOB_ACTIONS: Record<string, JobAction> = {
  send: (ports, run, job, body) => ports.send(run, [job.id], text(body)),
  approve: (ports, run, job, body) => ports.approve(run, job, field(body, 'always', isBoolean, 'true or false', false)),
  deny: (ports, run, job, body) => ports.deny(run, job, field(body, 'message', isStringOrNull, 'a reason as a string, or null', null)),
  answer: (ports, run, job, body) => ports.answer(run, job, field(body, 'answers', isStrings, 'a list of option labels or numbers')),
  interrupt: (ports, run, job) => ports.interrupt(run, job),
  cancel: (ports, run, job) => ports.cancel(run, job),
  rerun: (ports, run, job) => ports.rerun(run, job),
  merge: (ports, run, job, body) => ports.merge(run, job, field(body, 'squash', isBoolean, 'true or false', false)),
  land: async (ports, run, job, body) => (await landRoute(ports, run, body, [job.id])).said,
};

const isHow = (value: unknown): value is 'merge' | 'squash' | 'rebase' => value === 'merge' || value === 'squash' || value === 'rebase';

/** `POST …/land`: par land's queue for the jobs given; each outcome, and a sentence for each. */
async function landRoute(ports: RunOperations, run: FoundRun, body: Record<string, unknown>, jobs: string[]): Promise<{ onto: string; outcomes: unknown[]; said: string[] }> {
  const report = await ports.land(run, {
    jobs,
    onto: field(body, 'onto', isStringOrNull, 'a branch name, or null for the branch checked out in the run\'s repository', null),
    check: field(body, 'check', isStringOrNull, 'a command such as "npm test", or null for land.check', null),
    how: field(body, 'how', isHow, '"merge", "squash" or "rebase"', 'merge'),
  });
  const said = report.outcomes.map((outcome) => `${outcome.job}: ${outcome.outcome === 'landed' ? `landed on ${report.onto}` : outcome.outcome === 'already' ? `${report.onto} already holds it` : outcome.outcome === 'conflict' ? `conflict in ${outcome.files.join(', ')}` : outcome.outcome === 'check' ? `the check failed: ${(outcome.detail ?? '').split('\n').slice(-1)[0] ?? ''}` : `skipped: ${outcome.detail ?? ''}`}.`);
  return { onto: report.onto, outcomes: report.outcomes, said: said.length > 0 ? said : [`Nothing waits to land on ${report.onto}.`] };
}

/** A run as `GET /api/runs/:run` gives it: the fields of `par status --json`, and the id of the last change folded into it. */
function runJson(run: FoundRun, eventId: string): unknown {
  const { state, plan, dir, runId } = run;
  return { run: runId, state: state.state, repository: plan.repository, started_at: state.started_at ?? plan.started_at, finished_at: state.finished_at, dir, event_id: eventId, jobs: jobsJson(state) };
}

/** The checked body of `POST /api/runs`. */
function startRequest(body: Record<string, unknown>) {
  const prompt = field(body, 'prompt', isStringOrNull, 'a library prompt name, or null with a message', null);
  const message = field(body, 'message', isStringOrNull, 'the task as text, or null with a prompt', null);
  if ((prompt === null) === (message === null)) throw new ApiError(400, "Give 'prompt' (a library prompt) or 'message' (the task as text), one of them.");
  const worktrees = field(body, 'worktrees', isStrings, 'a list of worktree paths', []);
  const newCount = field(body, 'new', isCount, 'a whole number of fresh worktrees (0–1000)', 0);
  const jobs = field(body, 'jobs', isCount, 'a whole number of jobs at once', 0);
  if (worktrees.length === 0 && newCount === 0) throw new ApiError(400, "Pick worktrees ('worktrees') or ask for fresh ones ('new').");
  return { prompt, message, worktrees, newCount, jobs };
}

/** The API: one function from a request to its reply. */
export function createApi(ports: RunOperations, hub: RunHub, log: Logger): (request: ApiRequest) => Promise<ApiReply> {
  const findRun = (id: string): FoundRun => {
    let run = hub.run(id);
    if (!run) {
      // A run started a moment ago may not have been listed yet.
      hub.scan();
      run = hub.run(id);
    }
    if (!run) throw notFound(`There is no run '${id}'.`);
    return { runId: id, ...run };
  };
  const findJob = (run: FoundRun, id: string): JobView => {
    const job = Object.hasOwn(run.state.byId, id) ? run.state.byId[id] : undefined;
    if (!job) throw notFound(`Run ${run.runId} has no job '${id}'.`);
    return job;
  };

  async function jobRoute(run: FoundRun, job: JobView, action: string, request: ApiRequest): Promise<unknown> {
    if (request.method === 'GET' && action === 'log') {
      const from = request.query.get('from');
      if (from !== null && !/^\d{1,15}$/.test(from)) throw new ApiError(400, `'from' takes a byte offset (a whole number), not '${from.slice(0, 40)}'.`);
      return readLog(run.dir, job, from === null ? null : Number(from));
    }
    if (request.method === 'GET' && action === 'diff') return { lines: await ports.diff(job) };
    const act = request.method === 'POST' && Object.hasOwn(JOB_ACTIONS, action) ? JOB_ACTIONS[action] : undefined;
    if (!act) throw notFound(`There is no ${request.method} for a job's '${action}'; a job has GET log and diff, POST ${Object.keys(JOB_ACTIONS).join(', ')}.`);
    return { said: [await act(ports, run, job, request.body)].flat() };
  }

  async function runRoute(run: FoundRun, rest: string[], request: ApiRequest): Promise<unknown> {
    if (rest.length === 0 && request.method === 'GET') return runJson(run, hub.lastId());
    if (rest[0] === 'jobs' && rest.length === 3) return jobRoute(run, findJob(run, rest[1] as string), rest[2] as string, request);
    if (rest.length === 1 && request.method === 'POST' && rest[0] === 'send') return { said: await ports.send(run, 'all', text(request.body)) };
    if (rest.length === 1 && request.method === 'POST' && rest[0] === 'cancel') return { said: [ports.cancel(run, null)] };
    if (rest.length === 1 && request.method === 'POST' && rest[0] === 'land') return landRoute(ports, run, request.body, field(request.body, 'jobs', isStrings, 'a list of job ids (empty: every succeeded job)', []));
    throw notFound(`There is no ${request.method} /api/runs/RUN/${rest.join('/')}.`);
  }

  async function route(request: ApiRequest): Promise<unknown> {
    const [head, id, ...rest] = request.parts;
    if (head === 'runs' && id !== undefined) return runRoute(findRun(id), rest, request);
    const get = request.method === 'GET' && id === undefined;
    if (get && head === 'runs') return { runs: hub.summaries() };
    if (get && head === 'inbox') return { items: ports.inbox() };
    if (get && head === 'prompts') return { prompts: await ports.prompts() };
    if (get && head === 'worktrees') return ports.worktrees();
    if (request.method === 'POST' && head === 'runs' && id === undefined) {
      const run = await ports.startRun(startRequest(request.body));
      hub.scan();
      return { run };
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
      log.error('web request failed', { method: request.method, path: request.parts.join('/'), error: (error as Error).stack ?? String(error) });
      return { status: 500, body: { error: `par could not do that: ${(error as Error).message}` } };
    }
  };
}
