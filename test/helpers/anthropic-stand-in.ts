// A stand-in of the Anthropic Messages API on loopback, for running the real
// Claude Code CLI in tests. Which reply it gives is derived from the request
// itself — the scenario named in the conversation and how many assistant
// turns it already holds — so many claude processes at once each get a
// coherent conversation.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

type Block = { type: 'text'; text: string } | { type: 'tool_use'; id: string; name: string; input: Record<string, unknown> };

/** One request as the stand-in saw it. */
export interface SeenRequest {
  path: string;
  scenario: string | null;
  /** Assistant turns the conversation held when it was sent. */
  turns: number;
  stream: boolean;
  body: Record<string, unknown>;
  /** What the last tool calls came back with (a denial's message, a question's answer). */
  toolResults: string;
}

/** A running stand-in. */
export interface StandIn {
  url: string;
  requests: SeenRequest[];
  /** Makes the next `count` requests naming `scenario` fail with `status`. */
  failNext(scenario: string, status: number, count: number): void;
  /** How par's permission classifier is answered: by the first key found in the call it asks about; `500` fails the request. */
  classifierAnswers: Record<string, 'ALLOW' | 'DENY' | 'ASK' | '500'>;
  /** Makes the next `count` requests naming `scenario` hit the subscription's usage limit (429 with the unified rate-limit headers), resetting at `resetsAt` (epoch s). */
  limitNext(scenario: string, resetsAt: number, count: number): void;
  close(): Promise<void>;
}

const USAGE = { input_tokens: 1200, output_tokens: 80, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 };
let ids = 0;
const id = (prefix: string): string => `${prefix}_standin${(++ids).toString(36).padStart(8, '0')}`;

type Message = { role?: string; content?: unknown };
const messagesOf = (body: Record<string, unknown>): Message[] => (Array.isArray(body.messages) ? (body.messages as Message[]) : []);

/** The text a user message holds (not its tool results): what a person wrote. */
function userText(message: Message): string {
  if (message.role !== 'user') return '';
  if (typeof message.content === 'string') return message.content;
  if (!Array.isArray(message.content)) return '';
  return (message.content as { type?: string; text?: string }[]).filter((block) => block.type === 'text' && typeof block.text === 'string' && !block.text.startsWith('<system-reminder>')).map((block) => block.text).join('\n');
}

/** Where the newest message a person wrote (with a directive) sits: a conversation of several user messages is answered from its newest. */
function newestUserMessage(body: Record<string, unknown>): number {
  const messages = messagesOf(body);
  for (let index = messages.length - 1; index >= 0; index--) if (/\bscenario=/.test(userText(messages[index] as Message))) return index;
  return 0;
}

/** `scenario=NAME` and `key=value` words of the newest user message that names a scenario, over those of the whole conversation. */
function directives(body: Record<string, unknown>): Map<string, string> {
  const found = new Map<string, string>();
  const read = (text: string): void => {
    for (const match of text.matchAll(/\b(scenario|file|command|commands|delay|question|options|worktrees)=([^\s"\\]+)/g)) found.set(match[1] as string, match[2] as string);
  };
  read(JSON.stringify(body.messages ?? []));
  read(userText(messagesOf(body)[newestUserMessage(body)] ?? {}));
  return found;
}

/**
 * A conflict `par land --resolve` handed back to the agent: where its
 * message sits in the conversation, the branch to merge and the files it
 * names; null when a message naming a scenario came after it (or none did).
 */
function landConflict(body: Record<string, unknown>): { at: number; target: string; files: string[] } | null {
  const messages = messagesOf(body);
  for (let index = messages.length - 1; index >= 0; index--) {
    const text = userText(messages[index] as Message);
    const match = /par land could not land .* conflicts in (.+?)\. In this worktree, merge (\S+) into your branch/.exec(text);
    if (match) return { at: index, target: match[2] as string, files: (match[1] as string).split(', ') };
    if (/\bscenario=/.test(text)) return null;
  }
  return null;
}

/** Assistant turns since the newest user message naming a scenario. */
function assistantTurns(body: Record<string, unknown>): number {
  return messagesOf(body).slice(newestUserMessage(body)).filter((message) => message.role === 'assistant').length;
}

/** The text of the tool results in the request's last message: what the model was told of its last calls. */
function lastToolResults(body: Record<string, unknown>): string {
  const last = messagesOf(body).at(-1);
  if (!last || !Array.isArray(last.content)) return '';
  return (last.content as { type?: string; content?: unknown }[]).filter((block) => block.type === 'tool_result').map((block) => (typeof block.content === 'string' ? block.content : JSON.stringify(block.content))).join('\n');
}

/** The reply for a turn of a scenario: content blocks and a stop reason. */
function reply(scenario: string, turn: number, args: Map<string, string>, toolResults = ''): { content: Block[]; stop: string } {
  const done = { content: [{ type: 'text' as const, text: 'Done: the stand-in task is complete.' }], stop: 'end_turn' };
  const file = args.get('file') ?? '/tmp/stand-in.txt';
  switch (scenario) {
    case 'write':
      if (turn === 0) return { content: [{ type: 'text', text: 'Writing the file.' }, { type: 'tool_use', id: id('toolu'), name: 'Write', input: { file_path: file, content: 'written by claude against the stand-in\n' } }], stop: 'tool_use' };
      return done;
    case 'edit':
      if (turn === 0) return { content: [{ type: 'tool_use', id: id('toolu'), name: 'Read', input: { file_path: file } }], stop: 'tool_use' };
      if (turn === 1) return { content: [{ type: 'tool_use', id: id('toolu'), name: 'Edit', input: { file_path: file, old_string: '# app', new_string: '# app, edited' } }], stop: 'tool_use' };
      return done;
    case 'bash':
      if (turn === 0) return { content: [{ type: 'tool_use', id: id('toolu'), name: 'Bash', input: { command: args.get('command') ?? 'touch from-bash.txt', description: 'Run a command' } }], stop: 'tool_use' };
      return done;
    case 'commands': {
      // One Bash call a turn, each command of the list (`_` for spaces), then done.
      const commands = (args.get('commands') ?? '').split(',').filter(Boolean).map((command) => command.replaceAll('_', ' '));
      const command = commands[turn];
      if (command !== undefined) return { content: [{ type: 'tool_use', id: id('toolu'), name: 'Bash', input: { command, description: 'Run a command' } }], stop: 'tool_use' };
      return done;
    }
    case 'ask':
      if (turn === 0) {
        const labels = (args.get('options') ?? 'Postgres,SQLite').split(',');
        const question = (args.get('question') ?? 'Which_database?').replaceAll('_', ' ');
        return { content: [{ type: 'tool_use', id: id('toolu'), name: 'AskUserQuestion', input: { questions: [{ question, header: 'Choice', multiSelect: false, options: labels.map((label) => ({ label, description: `Use ${label}` })) }] } }], stop: 'tool_use' };
      }
      return done;
    case 'plan':
      if (turn === 0) return { content: [{ type: 'tool_use', id: id('toolu'), name: 'Read', input: { file_path: file } }], stop: 'tool_use' };
      if (turn === 1) return { content: [{ type: 'tool_use', id: id('toolu'), name: 'ExitPlanMode', input: { plan: '1. Edit the title\n2. Run the tests' } }], stop: 'tool_use' };
      return { content: [{ type: 'text', text: 'The plan waits for review.' }], stop: 'end_turn' };
    case 'slow-second':
      // The first turn answers at once with a tool call; the second is slow (see delay).
      if (turn === 0) return { content: [{ type: 'tool_use', id: id('toolu'), name: 'Write', input: { file_path: file, content: 'first turn\n' } }], stop: 'tool_use' };
      return done;
    case 'resolve': {
      // Merge the target into the job's branch, keep both sides of each conflicted file, commit.
      const files = (args.get('files') ?? '').split(',').filter(Boolean);
      if (turn === 0) return { content: [{ type: 'text', text: 'Merging the target to see the conflict.' }, { type: 'tool_use', id: id('toolu'), name: 'Bash', input: { command: `git merge --no-edit ${args.get('target') ?? 'main'} || true`, description: 'Merge the target branch' } }], stop: 'tool_use' };
      if (turn === 1) return { content: [{ type: 'tool_use', id: id('toolu'), name: 'Bash', input: { command: `sed -i -e '/^<<<<<<< /d' -e '/^=======$/d' -e '/^>>>>>>> /d' ${files.join(' ')} && git add -A && git commit -q -m 'Resolve the conflict with the target'`, description: 'Keep both sides and commit' } }], stop: 'tool_use' };
      return { content: [{ type: 'text', text: 'Resolved: both sides kept, merge committed.' }], stop: 'end_turn' };
    }
    case 'orchestrate': {
      // A model using par through its MCP server: start a run of the worktrees named, wait for it, read its status, report.
      // The tool results come as the CLI passes them: maybe JSON text inside JSON.
      const said = toolResults.replace(/\\n/g, '\n').replace(/\\"/g, '"');
      const run = /"run": ?"([^"]+)"/.exec(said)?.[1] ?? '';
      if (turn === 0) return { content: [{ type: 'text', text: 'Starting a par run.' }, { type: 'tool_use', id: id('toolu'), name: 'mcp__par__start_run', input: { message: 'sim: turns=1 duration=200ms edit=README.md', worktrees: (args.get('worktrees') ?? '').split(',') } }], stop: 'tool_use' };
      if (turn === 1) return { content: [{ type: 'tool_use', id: id('toolu'), name: 'mcp__par__wait_run', input: { run, timeout_s: 60 } }], stop: 'tool_use' };
      if (turn === 2) return { content: [{ type: 'tool_use', id: id('toolu'), name: 'mcp__par__run_status', input: { run } }], stop: 'tool_use' };
      const states = [...said.matchAll(/"id": ?"([^"]+)",\s*"state": ?"([^"]+)"/g)].map((match) => `${match[1]} ${match[2]}`);
      return { content: [{ type: 'text', text: `Run ${run}: ${states.join(', ')}.` }], stop: 'end_turn' };
    }
    default:
      return done;
  }
}

function sse(res: ServerResponse, event: string, data: unknown): void {
  res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
}

function streamMessage(res: ServerResponse, model: string, content: Block[], stop: string): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  const messageId = id('msg');
  sse(res, 'message_start', { type: 'message_start', message: { id: messageId, type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null, usage: { ...USAGE, output_tokens: 1 } } });
  content.forEach((block, index) => {
    if (block.type === 'text') {
      sse(res, 'content_block_start', { type: 'content_block_start', index, content_block: { type: 'text', text: '' } });
      sse(res, 'content_block_delta', { type: 'content_block_delta', index, delta: { type: 'text_delta', text: block.text } });
    } else {
      sse(res, 'content_block_start', { type: 'content_block_start', index, content_block: { type: 'tool_use', id: block.id, name: block.name, input: {} } });
      sse(res, 'content_block_delta', { type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: JSON.stringify(block.input) } });
    }
    sse(res, 'content_block_stop', { type: 'content_block_stop', index });
  });
  sse(res, 'message_delta', { type: 'message_delta', delta: { stop_reason: stop, stop_sequence: null }, usage: { output_tokens: USAGE.output_tokens } });
  sse(res, 'message_stop', { type: 'message_stop' });
  res.end();
}

const STATUS_TEXT: Record<number, [string, string]> = {
  401: ['authentication_error', 'invalid x-api-key'],
  429: ['rate_limit_error', 'Number of requests has exceeded your rate limit'],
  500: ['api_error', 'Internal server error'],
  529: ['overloaded_error', 'Overloaded'],
};

/** Starts the stand-in on a free loopback port. */
export async function startStandIn(): Promise<StandIn> {
  const requests: SeenRequest[] = [];
  const classifierAnswers: StandIn['classifierAnswers'] = {};
  const failures = new Map<string, { status: number; count: number; resetsAt?: number }>();
  const open = new Set<ServerResponse>();
  const waits = new Set<() => void>();
  const delayed = new Set<string>();
  const wait = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        waits.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      waits.add(done);
    });
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    let raw = '';
    for await (const chunk of req) raw += String(chunk);
    const path = (req.url ?? '').split('?')[0] ?? '';
    if (req.method !== 'POST' || path !== '/v1/messages') {
      // Anything else the CLI asks (token counts, telemetry) is answered empty, never with an error it would retry.
      res.writeHead(path.endsWith('/count_tokens') ? 200 : 404, { 'content-type': 'application/json' });
      res.end(path.endsWith('/count_tokens') ? JSON.stringify({ input_tokens: USAGE.input_tokens }) : JSON.stringify({ type: 'error', error: { type: 'not_found_error', message: 'not here' } }));
      return;
    }
    const body = JSON.parse(raw || '{}') as Record<string, unknown>;
    if (JSON.stringify(body.system ?? '').includes('par-permission-classifier')) {
      const asked = JSON.stringify(body.messages ?? []);
      const key = Object.keys(classifierAnswers).find((candidate) => asked.includes(candidate));
      const answer = key === undefined ? 'ASK' : classifierAnswers[key];
      requests.push({ path, scenario: 'classifier', turns: 0, stream: body.stream === true, body, toolResults: '' });
      if (answer === '500') {
        res.writeHead(500, { 'content-type': 'application/json', 'x-should-retry': 'false' });
        res.end(JSON.stringify({ type: 'error', error: { type: 'api_error', message: 'Internal server error' } }));
        return;
      }
      const model = typeof body.model === 'string' ? body.model : 'claude-haiku';
      if (body.stream === true) streamMessage(res, model, [{ type: 'text', text: answer as string }], 'end_turn');
      else {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ id: id('msg'), type: 'message', role: 'assistant', model, content: [{ type: 'text', text: answer }], stop_reason: 'end_turn', stop_sequence: null, usage: USAGE }));
      }
      return;
    }
    const args = directives(body);
    // A conflict handed back by par land is answered as a model would: merge, resolve, commit.
    const conflict = landConflict(body);
    if (conflict) args.set('target', conflict.target).set('files', conflict.files.join(','));
    const scenario = conflict ? 'resolve' : (args.get('scenario') ?? null);
    const turns = conflict ? messagesOf(body).slice(conflict.at).filter((message) => message.role === 'assistant').length : assistantTurns(body);
    const stream = body.stream === true;
    requests.push({ path, scenario, turns, stream, body, toolResults: lastToolResults(body) });
    const failure = scenario ? failures.get(scenario) : undefined;
    if (failure && failure.count > 0) {
      failure.count--;
      const [type, message] = STATUS_TEXT[failure.status] ?? ['api_error', 'error'];
      const limit =
        failure.resetsAt === undefined
          ? {}
          : {
              'anthropic-ratelimit-unified-status': 'rejected',
              'anthropic-ratelimit-unified-reset': String(failure.resetsAt),
              'anthropic-ratelimit-unified-representative-claim': 'five_hour',
              'anthropic-ratelimit-unified-5h-status': 'rejected',
              'anthropic-ratelimit-unified-5h-reset': String(failure.resetsAt),
            };
      res.writeHead(failure.status, { 'content-type': 'application/json', 'x-should-retry': failure.resetsAt === undefined ? 'true' : 'false', ...limit });
      res.end(JSON.stringify({ type: 'error', error: { type, message } }));
      return;
    }
    if (scenario === 'silent') {
      // Accept, then say nothing: the connection stays open until the test ends.
      open.add(res);
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(':\n\n');
      return;
    }
    // `delay=MS` holds one reply of the scenario (for slow-second, the first second turn), once.
    const delay = Number(args.get('delay') ?? 0);
    if (delay > 0 && scenario !== null && !delayed.has(scenario) && (scenario !== 'slow-second' || turns > 0)) {
      delayed.add(scenario);
      await wait(delay);
      if (res.destroyed) return;
    }
    const model = typeof body.model === 'string' ? body.model : 'claude-sonnet-4-5';
    const { content, stop } = reply(scenario ?? 'done', turns, args, lastToolResults(body));
    if (stream) streamMessage(res, model, content, stop);
    else {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ id: id('msg'), type: 'message', role: 'assistant', model, content, stop_reason: stop, stop_sequence: null, usage: USAGE }));
    }
  };
  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ type: 'error', error: { type: 'api_error', message: String(error) } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    classifierAnswers,
    failNext: (scenario, status, count) => void failures.set(scenario, { status, count }),
    limitNext: (scenario, resetsAt, count) => void failures.set(scenario, { status: 429, count, resetsAt }),
    close: async () => {
      for (const done of waits) done();
      for (const res of open) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The real CLI's environment for a stand-in: its URL, a key it accepts, no traffic beyond loopback (HOME stays the sandbox's throwaway home). */
export function standInEnv(api: StandIn): Record<string, string> {
  return { ANTHROPIC_BASE_URL: api.url, ANTHROPIC_API_KEY: 'sk-ant-stand-in', CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1' };
}
