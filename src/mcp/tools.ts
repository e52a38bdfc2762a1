// The tools of `par mcp` (DESIGN §16): what an orchestrating agent reads
// (each tool's description and argument schema) and what each does, over
// the same run directories and operations as the CLI and par web.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { isUserError, UserError } from '../core/errors.js';
import type { FoundRun, RunOperations } from '../core/operations.js';
import { jobsJson } from '../core/forecast.js';
import type { JobView, RunState } from '../core/run-state.js';
import { readLog } from '../rundir/job-log.js';
import { findRun, jobIn, loadRunState } from '../rundir/runs.js';
import { waitFor } from '../rundir/watch.js';

/** What the tools need beyond the operations. */
export interface McpDeps {
  ops: RunOperations;
  dataDir: string;
  /** `mcp.allow_answers`: may the client allow, deny or answer requests. */
  allowAnswers: boolean;
  prompts(): Promise<{ name: string; description: string; variables: string[] }[]>;
  /** As `par list worktrees --json`, of the repository at `repo` (default: where par mcp runs). */
  worktrees(repo: string | undefined): Promise<unknown[]>;
  version: string;
  log(message: string, fields: Record<string, unknown>): void;
}

const RUN = z.string().min(1, 'run takes a run id (or a unique prefix of one), as start_run returned it').describe('The run id start_run returned (or a unique prefix of it).');
const JOB = z.string().min(1, 'job takes a job id of the run, as run_status lists them').describe('A job id of the run, as run_status lists them (e.g. "wt1" or "t2").');
const REQUEST = z.string().min(1, 'request_id takes the id of the pending request, from inbox or run_status (pending.request_id)').describe("The id of the job's pending request (inbox, or the job's pending.request_id in run_status): an answer to a request that has changed is refused.");

/** A result as structured content and the same JSON as text. */
function ok(value: Record<string, unknown>): CallToolResult {
  return { content: [{ type: 'text', text: JSON.stringify(value, null, 2) }], structuredContent: value };
}

function toolError(text: string): CallToolResult {
  return { content: [{ type: 'text', text }], isError: true };
}

/** A run as `par status --json` prints it. */
function statusJson(found: FoundRun): Record<string, unknown> {
  const { state, plan, dir, runId } = found;
  return { run: runId, state: state.state, started_at: state.started_at ?? plan.started_at, finished_at: state.finished_at, dir, jobs: jobsJson(state) };
}

/** Jobs that wait on someone: a pending request or question, or a plan for review. */
const waiting = (state: RunState): string[] => state.order.filter((id) => state.byId[id]?.state === 'needs-input' || state.byId[id]?.state === 'awaiting-approval');

/** What a tool's work is given: the dependencies, and runs found by id or prefix. */
interface ToolContext {
  deps: McpDeps;
  find(query: string): FoundRun;
}

/** One tool as declared: what the model reads (name, description, argument schema) and what it does. */
interface ToolSpec {
  name: string;
  description: string;
  inputSchema: z.ZodRawShape;
  run(tools: ToolContext, args: never): Promise<Record<string, unknown>> | Record<string, unknown>;
}

const tool = <S extends z.ZodRawShape>(name: string, description: string, inputSchema: S, run: (tools: ToolContext, args: z.infer<z.ZodObject<S>>) => Promise<Record<string, unknown>> | Record<string, unknown>): ToolSpec => ({ name, description, inputSchema, run: run as ToolSpec['run'] });

function answersAllowed(deps: McpDeps): void {
  if (!deps.allowAnswers) throw new UserError('Answering requests from an MCP client is off: a person answers them (par inbox, the TUI, par web), or they turn it on with par config set mcp.allow_answers true.');
}

/** The job and its pending request, checked against the request id the client answers. */
function pendingJob(tools: ToolContext, args: { run: string; job: string; request_id: string }): { found: FoundRun; job: JobView } {
  answersAllowed(tools.deps);
  const found = tools.find(args.run);
  const job = jobIn(found.state, args.job);
  const pending = job.state === 'needs-input' ? job.pending : null;
  if (pending?.request_id !== args.request_id) throw new UserError(`Job ${job.id} is not waiting on request ${args.request_id} (${pending ? `it waits on ${pending.request_id}` : `it is ${job.state}`}); read inbox or run_status again.`);
  return { found, job };
}

const START_RUN = {
  prompt: z.string().min(1).optional().describe('A prompt of the library (list_prompts), instead of message.'),
  message: z.string().min(1).optional().describe('The task as text, instead of prompt.'),
  worktrees: z.array(z.string().min(1)).optional().describe('Paths of existing worktrees (list_worktrees), one job each.'),
  new: z.number().int('new takes a whole number of fresh worktrees').min(1, 'new takes a whole number of 1 or more fresh worktrees').max(100).optional().describe('Instead of worktrees: make this many fresh worktrees from the current branch, one job each.'),
  tasks: z.array(z.string().min(1)).min(1).optional().describe('A list of task texts, one job (in a fresh worktree) each.'),
  jobs: z.number().int('jobs takes a whole number').min(1, 'jobs takes a whole number of 1 or more (how many agents run at once)').max(100).optional().describe('How many jobs run at once (default: defaults.jobs).'),
  agent: z.string().min(1).optional().describe('The agent to run (default claude; others as configured); several, comma-separated ("claude,codex"), give each target one attempt per agent to compare.'),
  variants: z.number().int('variants takes a whole number').min(1, 'variants takes 1 to 20 attempts per target').max(20, 'variants takes 1 to 20 attempts per target').optional().describe('Best-of-N: this many independent attempts per target (<target>.v1…), each in a fresh worktree; compare and keep them afterwards.'),
  base: z.string().min(1).optional().describe('The branch, tag or commit fresh worktrees start from (default: the current branch).'),
};

async function startRun(tools: ToolContext, args: z.infer<z.ZodObject<typeof START_RUN>>): Promise<Record<string, unknown>> {
  if (args.prompt !== undefined && args.message !== undefined) throw new UserError('Give prompt or message, not both.');
  if (args.prompt === undefined && args.message === undefined && !args.tasks) throw new UserError('Give prompt (a library prompt, see list_prompts), message (the task as text) or tasks.');
  if (!args.worktrees?.length && args.new === undefined && !args.tasks) throw new UserError('Say where to run: worktrees (paths, see list_worktrees), new (a number of fresh worktrees) or tasks.');
  const run = await tools.deps.ops.startRun({ prompt: args.prompt ?? null, message: args.message ?? null, worktrees: args.worktrees ?? [], newCount: args.new ?? 0, jobs: args.jobs ?? 0, ...(args.tasks ? { tasks: args.tasks } : {}), agent: args.agent ?? null, variants: args.variants ?? 1, base: args.base ?? null });
  return { run };
}

async function waitRun(tools: ToolContext, args: { run: string; timeout_s?: number | undefined }): Promise<Record<string, unknown>> {
  const found = tools.find(args.run);
  const settled = (state: RunState): boolean => state.state !== 'running' || waiting(state).length > 0;
  if (!settled(found.state)) await waitFor(found.dir, found.runId, settled, { timeoutMs: (args.timeout_s ?? 60) * 1000 });
  const now = tools.find(found.runId);
  return { waited: now.state.state !== 'running' ? 'ended' : waiting(now.state).length > 0 ? 'needs-input' : 'timeout', ...statusJson(now) };
}

/** The tools, in the order a client lists them (DESIGN §16). */
const TOOLS: readonly ToolSpec[] = [
  tool('list_prompts', "The prompt library: each prompt's name (for start_run's prompt), description and template variables.", {}, async ({ deps }) => ({ prompts: await deps.prompts() })),
  tool('list_worktrees', 'The git worktrees par can run jobs in (as par list worktrees --json): path, branch, whether valid, dirty, ahead/behind.', { repo: z.string().min(1).optional().describe('A directory in the repository whose worktrees to list (default: where par mcp was started).') }, async ({ deps }, args) => ({ worktrees: await deps.worktrees(args.repo) })),
  tool('start_run', 'Starts a run: one job per worktree (or per fresh worktree, or per task), each an agent working on the prompt. Returns {run} at once; the run goes on by itself (follow it with wait_run or run_status). Give prompt (a library name) or message (the task as text), or tasks.', START_RUN, startRun),
  tool('run_status', "A run and its jobs now (as par status --json): state, each job's state, activity, turns, cost, diffstat, pending request.", { run: RUN }, (tools, args) => statusJson(tools.find(args.run))),
  tool(
    'wait_run',
    'Waits until the run ends or one of its jobs needs someone (a permission request, a question, a plan to review), or timeout_s passes; returns the run status with waited: "ended", "needs-input" or "timeout". Use it instead of polling run_status.',
    { run: RUN, timeout_s: z.number().int('timeout_s takes whole seconds').min(1, 'timeout_s takes 1 to 600 seconds').max(600, 'timeout_s takes 1 to 600 seconds').optional().describe('How long to wait at most, in seconds (default 60).') },
    waitRun,
  ),
  tool('job_result', "A job's outcome: state, its final message (result), the diffstat of its changes, its branch, cost and turns.", { run: RUN, job: JOB }, (tools, args) => {
    const job = jobIn(tools.find(args.run).state, args.job);
    return { job: job.id, state: job.state, result: job.result, error: job.error, diffstat: job.diffstat, branch: job.branch, worktree: job.worktree, cost_usd: job.cost_usd, turns: job.turns };
  }),
  tool('job_log', "The last lines of a job's readable transcript: its messages, tool calls (● Edit src/app.ts), results, requests and what was decided on them.", { run: RUN, job: JOB, tail: z.number().int().min(1, 'tail takes 1 to 2000 lines').max(2000, 'tail takes 1 to 2000 lines').optional().describe('How many lines (default 50).') }, (tools, args) => {
    const found = tools.find(args.run);
    return { lines: readLog(found.dir, jobIn(found.state, args.job), null).lines.slice(-(args.tail ?? 50)) };
  }),
  tool(
    'send_message',
    'A message to a running job (at its next turn; at once when it waits for instructions), or to every running job of the run with all: true. A finished job continues its session with it as a new attempt.',
    { run: RUN, job: JOB.optional(), all: z.boolean().optional().describe('Send to every job of the run still going, instead of job.'), text: z.string().min(1, 'text takes the message; it was empty').describe('The message.') },
    async (tools, args) => {
      if ((args.job === undefined) === (args.all !== true)) throw new UserError('Give job (one job) or all: true (every running job), one of them.');
      return { ok: true, said: await tools.deps.ops.send(tools.find(args.run), args.all ? 'all' : [args.job as string], args.text) };
    },
  ),
  tool('interrupt', "Stops a job's current turn; its session then waits for instructions (send_message).", { run: RUN, job: JOB }, async (tools, args) => {
    const found = tools.find(args.run);
    return { ok: true, said: [await tools.deps.ops.interrupt(found, jobIn(found.state, args.job))] };
  }),
  tool('approve', "Allows a job's pending permission request, once (never for the rest of the run). Only when the user has set mcp.allow_answers.", { run: RUN, job: JOB, request_id: REQUEST }, async (tools, args) => {
    const { found, job } = pendingJob(tools, args);
    if (job.pending?.kind !== 'permission') throw new UserError(`Job ${job.id} asks a question: answer it with answer.`);
    return { ok: true, said: [await tools.deps.ops.approve(found, job, false)] };
  }),
  tool('deny', "Refuses a job's pending permission request (or declines its question); the reason is told to the agent. Only when the user has set mcp.allow_answers.", { run: RUN, job: JOB, request_id: REQUEST, reason: z.string().optional().describe('Why, told to the agent.') }, async (tools, args) => {
    const { found, job } = pendingJob(tools, args);
    return { ok: true, said: [await tools.deps.ops.deny(found, job, args.reason ?? null)] };
  }),
  tool(
    'answer',
    "Answers a job's pending question with options, by label or number. Only when the user has set mcp.allow_answers.",
    { run: RUN, job: JOB, request_id: REQUEST, options: z.array(z.string().min(1)).min(1, 'options takes the chosen option labels (or numbers), at least one').describe('The chosen options: labels or 1-based numbers.') },
    async (tools, args) => {
      const { found, job } = pendingJob(tools, args);
      return { ok: true, said: [await tools.deps.ops.answer(found, job, args.options)] };
    },
  ),
  tool('cancel', 'Cancels a job, or the whole run when no job is given.', { run: RUN, job: JOB.optional() }, (tools, args) => {
    const found = tools.find(args.run);
    return { ok: true, said: [tools.deps.ops.cancel(found, args.job === undefined ? null : jobIn(found.state, args.job))] };
  }),
  tool(
    'land',
    "Lands the run's succeeded jobs (or those named, in that order) on a branch one at a time: each merged and checked in a scratch worktree, and only then the branch fast-forwarded; a conflict or a failing check leaves the branch as it was and the queue goes on. Returns each job's outcome: landed, already, conflict (with files), check (with the output's tail), skipped.",
    {
      run: RUN,
      jobs: z.array(z.string().min(1)).optional().describe('The jobs to land, in this order (default: every succeeded job not yet landed, disjoint ones first).'),
      onto: z.string().min(1).optional().describe("The branch to land on (default: the branch checked out in the run's repository)."),
      check: z.string().min(1).optional().describe('A command each landing must pass first, such as "npm test" (default: land.check).'),
      how: z.enum(['merge', 'squash', 'rebase']).optional().describe('A merge commit (default), one squashed commit, or the job\'s commits rebased.'),
    },
    async (tools, args) => {
      const report = await tools.deps.ops.land(tools.find(args.run), { jobs: args.jobs ?? [], onto: args.onto ?? null, check: args.check ?? null, how: args.how ?? 'merge' });
      return { ...report };
    },
  ),
  tool(
    'compare',
    "A best-of-N run's attempts by target (par run --variants N): each attempt's state, diffstat, files it changed in common with its siblings, cost, turns, and with check whether that command passes in its worktree.",
    { run: RUN, target: z.string().min(1).optional().describe('One target (such as "t1"); default every one.'), check: z.string().min(1).optional().describe('A command run in each attempt\'s worktree, such as "npm test".') },
    async (tools, args) => ({ targets: await tools.deps.ops.compare(tools.find(args.run), args.target ?? null, args.check ?? null) }),
  ),
  tool(
    'keep',
    'Keeps one attempt of a best-of-N target: lands it (as land does, with the check); only once it has landed are the other attempts\' worktrees removed, each after its work is salvaged. Returns what happened, a line each.',
    { run: RUN, job: JOB.describe('The attempt to keep, such as "t1.v2".'), onto: z.string().min(1).optional().describe("The branch to land on (default: the branch checked out in the run's repository)."), check: z.string().min(1).optional().describe('A command the landing must pass first (default: land.check).'), how: z.enum(['merge', 'squash', 'rebase']).optional().describe('How it lands (default merge).') },
    async (tools, args) => {
      const found = tools.find(args.run);
      const kept = await tools.deps.ops.keep(found, jobIn(found.state, args.job), { onto: args.onto ?? null, check: args.check ?? null, how: args.how ?? 'merge' });
      return { ok: kept.landed, said: kept.said };
    },
  ),
  tool('inbox', 'Every pending permission request and question across all runs on this machine, oldest first: run, job, request_id, kind, what it asks.', {}, ({ deps }) => ({ items: deps.ops.inbox() })),
];

/** The server with every tool; a tool's errors come back as tool errors naming the argument and the fix, never a crash of the server. */
export function createMcpServer(deps: McpDeps): McpServer {
  const server = new McpServer({ name: 'par', version: deps.version }, { instructions: 'par runs coding agents in parallel across git worktrees. Start a run with start_run, follow it with wait_run (it returns when the run ends or a job needs someone), read results with job_result and job_log, answer what waits with inbox and send_message.' });
  const tools: ToolContext = {
    deps,
    find(query) {
      const runId = findRun(deps.dataDir, query, null);
      return { runId, ...loadRunState(deps.dataDir, runId) };
    },
  };
  for (const spec of TOOLS) {
    server.registerTool(spec.name, { description: spec.description, inputSchema: spec.inputSchema }, async (args: unknown): Promise<CallToolResult> => {
      try {
        return ok(await spec.run(tools, args as never));
      } catch (error) {
        if (isUserError(error)) return toolError(error.message);
        deps.log('mcp tool failed', { tool: spec.name, error: (error as Error).stack ?? String(error) });
        return toolError(`par could not do that: ${(error as Error).message}`);
      }
    });
  }
  return server;
}
