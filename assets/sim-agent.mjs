#!/usr/bin/env node
// A stand-in for `claude -p --output-format stream-json --verbose`: the same
// line types and fields as the real CLI's stream, with knobs to act out what
// par must handle. Used by the tests, the benchmarks and `par demo`.
//
// Knobs come from the PAR_SIM environment variable, lines of the prompt
// starting with `sim:`, and a `.sim-knobs` file in the working directory
// (later ones win), as space-separated `key=value` or flags:
//   duration=2s      spread the turns over this long (default 300ms)
//   turns=3          tool-use turns (default 2)
//   lines=N size=B   N extra assistant text lines of about B bytes
//   write=PATH       write PATH in the working directory (a Write tool call)
//   edit=PATH        append a line to PATH (an Edit tool call)
//   line=TEXT        the line edit appends (`_` for spaces; `random`: a different one each time; default: edited by the simulated agent)
//   fail[=TEXT]      result with is_error: true on the success arm (exit 1)
//   fail-arm=SUB     result on the error arm, subtype SUB (exit 1)
//   retryable=529    an API error result with that status (exit 1)
//   denials=N        N permission denials in the result
//   exit=N           exit code (default 0, or 1 with a failure)
//   no-result        end without a result line
//   child            spawn a child that spawns a grandchild, both sleeping
//   pids=PATH        write the pids of this process, child and grandchild
//   ignore-term      ignore SIGTERM
//   silent=DUR       say nothing for DUR after the init line
//   garbage          print lines that are not JSON
//   bigline=BYTES    print one assistant line of that many bytes
//   not-logged-in    answer as the real CLI does with no account
//   tee=PATH         also write every byte printed to PATH
//   counter=PATH succeed-on=N   count attempts in PATH; from attempt N on, succeed
//   env=PATH         write the environment it was given, as JSON, to PATH
//   asked=PATH       append {argv, prompt} of this invocation, one JSON line, to PATH
//   span=PATH        append {pid, start, end} of this process (epoch ms), one JSON line, to PATH, as it exits
//   plan=TEXT        the plan written in plan mode (`_` for spaces)
//   wrong-plan       in plan mode, write a file anyway (as a broken agent would)
// With `--input-format stream-json` it speaks the two-way channel as claude
// does: the prompt is the first user message on stdin, each later message a
// turn of its own, stdin's end the end of the session; interrupts stop a
// turn; and these knobs ask the host:
//   ask=CMD          run the Bash command CMD (`_` for spaces) after asking permission (repeatable)
//   question=TEXT options=A,B   ask a question (AskUserQuestion) with those options
//   long=DUR         a Bash call that takes DUR (an interrupt stops it)
//   boot=DUR         take DUR to start, reading stdin meanwhile (an early interrupt waits for the output)
//   limit=SECONDS    hit a usage limit that resets SECONDS from now (once per session)
//   warn-limit       report a usage window close to its limit (allowed_warning)
//   unknown-control  send the host a control request it cannot know
//   asks=N ask-every=MS   N `npm test` requests, one every MS (default 50), alongside the rest of the turn
//   latencies=PATH   append each request's wait for its answer (ms) to PATH
//   answered=PATH    append the time each answer arrived (epoch ms) to PATH
// Like claude, it keeps each session's prompt (under $HOME/.sim-sessions), so
// `--resume ID` continues with that prompt's knobs, and fails as claude does
// when there is no such session. With `--permission-mode plan` it changes
// nothing and hands over its plan through ExitPlanMode.
import { spawn } from 'node:child_process';
import { appendFileSync, mkdirSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { dirname, join } from 'node:path';

const argv = process.argv.slice(2);
if (argv.includes('--version')) {
  process.stdout.write('2.1.330 (Claude Code, simulated by par)\n');
  process.exit(0);
}
const flag = (name) => {
  const index = argv.indexOf(name);
  return index === -1 ? undefined : argv[index + 1];
};

const channel = flag('--input-format') === 'stream-json';
let interruptAsked = false;
/** Lines held until stdout is set up: user messages echoed back (`--replay-user-messages`), an early interrupt's acknowledgement. */
const replays = [];
let outReady = false;
const flushReplays = () => {
  for (const message of replays.splice(0)) emit(message);
};
const sleepers = [];
const hostAnswers = new Map();
const sessionIdEarly = () => flag('--resume') ?? flag('--session-id') ?? 'unknown';
const replay = argv.includes('--replay-user-messages');
// Read stdin as a stream: a synchronous read of a large prompt from a pipe can fail with EAGAIN.
let prompt = '';
/** The channel's input, a line at a time: user messages and control messages from the host. */
const inbox = [];
const inboxWaiters = [];
let inputEnded = false;
const deliver = () => {
  while (inboxWaiters.length > 0 && (inbox.length > 0 || inputEnded)) inboxWaiters.shift()();
};
if (channel) {
  const { createInterface } = await import('node:readline');
  const lines = createInterface({ input: process.stdin });
  lines.on('line', (line) => {
    let message;
    try {
      message = JSON.parse(line);
    } catch {
      return;
    }
    if (message.type === 'control_request' && message.request?.subtype === 'interrupt') {
      // As claude does: the interrupt is acknowledged at once (once output is set up, if it comes that early), and the turn stops at its next step.
      replays.push({ type: 'control_response', response: { subtype: 'success', request_id: message.request_id } });
      if (outReady) flushReplays();
      interruptAsked = true;
      for (const wake of sleepers.splice(0)) wake();
      return;
    }
    if (message.type === 'control_response') {
      const id = message.response?.request_id;
      hostAnswers.get(id)?.(message.response);
      hostAnswers.delete(id);
      return;
    }
    if (message.type === 'user' && replay) replays.push({ ...message, session_id: sessionIdEarly(), uuid: randomUUID() });
    if (outReady) flushReplays();
    inbox.push(message);
    deliver();
  });
  lines.on('close', () => {
    inputEnded = true;
    deliver();
  });
} else if (!process.stdin.isTTY) {
  process.stdin.setEncoding('utf8');
  for await (const chunk of process.stdin) prompt += chunk;
}
/** The next message of a given type from the host (null when stdin has ended). */
async function nextMessage(accept) {
  for (;;) {
    const index = inbox.findIndex(accept);
    if (index !== -1) return inbox.splice(index, 1)[0];
    if (inputEnded) return null;
    await new Promise((resolve) => inboxWaiters.push(resolve));
  }
}
const textOf = (message) => (message?.message?.content ?? []).map((block) => (typeof block === 'string' ? block : block.text ?? '')).join('');
const isUser = (message) => message.type === 'user';
if (channel) {
  const first = await nextMessage(isUser);
  prompt = first === null ? '' : textOf(first);
}
const sessionsDir = join(process.env.HOME ?? '/tmp', '.sim-sessions');
const resumed = flag('--resume');
let earlierPrompt = '';
if (resumed !== undefined) {
  try {
    earlierPrompt = readFileSync(join(sessionsDir, resumed), 'utf8');
  } catch {
    earlierPrompt = null;
  }
}
const planMode = flag('--permission-mode') === 'plan';
const knobs = new Map();
let fileKnobs = '';
try {
  fileKnobs = readFileSync('.sim-knobs', 'utf8');
} catch {
  fileKnobs = '';
}
const knobText = [process.env.PAR_SIM ?? '', ...`${earlierPrompt ?? ''}\n${prompt}`.split('\n').filter((line) => line.startsWith('sim:')).map((line) => line.slice(4)), fileKnobs].join(' ');
const asks = [];
for (const token of knobText.split(/\s+/).filter(Boolean)) {
  const equals = token.indexOf('=');
  knobs.set(equals === -1 ? token : token.slice(0, equals), equals === -1 ? true : token.slice(equals + 1));
  if (token.startsWith('ask=')) asks.push(token.slice(4).replaceAll('_', ' '));
}

const ms = (value, fallback) => {
  if (value === undefined || value === true) return fallback;
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(String(value));
  if (!match) return fallback;
  const n = Number(match[1]);
  return match[2] === 'm' ? n * 60_000 : match[2] === 'ms' ? n : n * 1000;
};
const num = (value, fallback) => (value === undefined || value === true ? fallback : Number(value));
/** Waits, unless an interrupt comes first. */
const sleep = (delay) =>
  new Promise((resolve) => {
    if (interruptAsked) return resolve();
    const timer = setTimeout(done, delay);
    function done() {
      clearTimeout(timer);
      resolve();
    }
    sleepers.push(done);
  });
let requests = 0;
/** Asks the host over the channel and waits for its answer (a control response). */
function askHost(request) {
  const id = `sim-req-${++requests}`;
  emit({ type: 'control_request', request_id: id, request });
  return new Promise((resolve) => hostAnswers.set(id, resolve));
}
/** A tool call the host must allow first: its result, allowed or denied as the host said. */
async function permitted(name, input, id) {
  const asked = performance.now();
  const answer = await askHost({ subtype: 'can_use_tool', tool_name: name, display_name: name, input, description: input.description ?? name, permission_suggestions: name === 'Bash' ? [{ type: 'addRules', rules: [{ toolName: 'Bash', ruleContent: `${String(input.command).split(' ').slice(0, 2).join(' ')}:*` }], behavior: 'allow', destination: 'localSettings' }] : [], tool_use_id: id });
  const now = performance.now();
  if (typeof knobs.get('latencies') === 'string') appendFileSync(knobs.get('latencies'), `${(now - asked).toFixed(3)}\n`);
  if (typeof knobs.get('answered') === 'string') appendFileSync(knobs.get('answered'), `${(performance.timeOrigin + now).toFixed(1)}\n`);
  return answer?.response?.behavior === 'allow' ? { allowed: true, input: answer.response.updatedInput ?? input } : { allowed: false, message: answer?.response?.message ?? answer?.error ?? 'denied' };
}
/** `asks=N`: timed requests a rule decides, spread over the turn while the rest of it goes on. */
async function timedAsks() {
  const count = num(knobs.get('asks'), 0);
  const every = ms(knobs.get('ask-every'), 50);
  for (let index = 0; index < count && channel; index++) {
    await new Promise((resolve) => setTimeout(resolve, every));
    await permitted('Bash', { command: 'npm test', description: 'Run the tests' }, `toolu_${randomUUID()}`);
  }
}

const sessionId = flag('--resume') ?? flag('--session-id') ?? randomUUID();
const model = flag('--model') ?? 'claude-sim-1';
const permissionMode = flag('--permission-mode') ?? 'default';
const cwd = process.cwd();
const uuid = () => randomUUID();

// A slow start, as a real CLI's can be: what the host writes meanwhile waits on stdin.
if (knobs.has('boot')) await new Promise((resolve) => setTimeout(resolve, ms(knobs.get('boot'), 0)));
const teeFd = typeof knobs.get('tee') === 'string' ? openSync(knobs.get('tee'), 'w') : undefined;
function out(text) {
  process.stdout.write(text);
  if (teeFd !== undefined) writeSync(teeFd, text);
}

function emit(object) {
  out(`${JSON.stringify(object)}\n`);
}
outReady = true;

const usage = (input, output) => ({
  input_tokens: input,
  cache_creation_input_tokens: 0,
  cache_read_input_tokens: 0,
  output_tokens: output,
  server_tool_use: { web_search_requests: 0, web_fetch_requests: 0 },
  service_tier: 'standard',
});

function assistant(content, id = `msg_${uuid()}`) {
  emit({
    type: 'assistant',
    message: { id, type: 'message', role: 'assistant', model, content, stop_reason: content.some((block) => block.type === 'tool_use') ? 'tool_use' : 'end_turn', stop_sequence: null, usage: usage(120, 40) },
    parent_tool_use_id: null,
    session_id: sessionId,
    uuid: uuid(),
  });
}

function toolResult(toolUseId, content, isError = false) {
  emit({
    type: 'user',
    message: { role: 'user', content: [{ tool_use_id: toolUseId, type: 'tool_result', content, is_error: isError }] },
    parent_tool_use_id: null,
    session_id: sessionId,
    uuid: uuid(),
  });
}

function init() {
  emit({
    type: 'system',
    subtype: 'init',
    cwd,
    session_id: sessionId,
    tools: ['Task', 'Bash', 'Edit', 'Glob', 'Grep', 'Read', 'Write', 'WebFetch', 'WebSearch'],
    mcp_servers: [],
    model,
    permissionMode,
    slash_commands: [],
    apiKeySource: 'none',
    claude_code_version: '2.1.330',
    output_style: 'default',
    agents: ['general-purpose'],
    skills: [],
    plugins: [],
    uuid: uuid(),
  });
}

function result({ isError, text, subtype = 'success', errors, status = null, turns, cost, denials = 0, planDenial }) {
  const line = {
    type: 'result',
    subtype,
    is_error: isError,
    duration_ms: Math.round(performance.now()),
    duration_api_ms: Math.round(performance.now() / 2),
    num_turns: turns,
    session_id: sessionId,
    total_cost_usd: cost,
    usage: usage(120 * turns, 40 * turns),
    modelUsage: {},
    permission_denials: [...Array.from({ length: denials }, (_, index) => ({ tool_name: 'Bash', tool_use_id: `toolu_denied_${index}`, tool_input: { command: 'rm -rf build' } })), ...(planDenial ? [planDenial] : [])],
    api_error_status: status,
    stop_reason: isError ? null : 'end_turn',
    terminal_reason: isError ? 'api_error' : 'completed',
    uuid: uuid(),
  };
  if (subtype === 'success') line.result = text;
  else line.errors = errors;
  emit(line);
}

if (knobs.has('not-logged-in')) {
  init();
  emit({
    type: 'assistant',
    message: { id: uuid(), model: '<synthetic>', role: 'assistant', stop_reason: 'stop_sequence', stop_sequence: '', type: 'message', usage: usage(0, 0), content: [{ type: 'text', text: 'Not logged in · Please run /login' }] },
    parent_tool_use_id: null,
    session_id: sessionId,
    uuid: uuid(),
    error: 'authentication_failed',
    is_api_error_message: true,
  });
  result({ isError: true, text: 'Not logged in · Please run /login', turns: 1, cost: 0 });
  process.exit(1);
}

if (earlierPrompt === null) {
  // What claude says when asked to resume a session it does not have.
  result({ isError: true, subtype: 'error_during_execution', errors: [`No conversation found with session ID: ${resumed}`], turns: 0, cost: 0 });
  process.exit(1);
}
mkdirSync(sessionsDir, { recursive: true });
writeFileSync(join(sessionsDir, sessionId), `${earlierPrompt ?? ''}\n${prompt}`);

if (typeof knobs.get('env') === 'string') writeFileSync(knobs.get('env'), JSON.stringify(process.env));
if (typeof knobs.get('asked') === 'string') appendFileSync(knobs.get('asked'), `${JSON.stringify({ argv, prompt })}\n`);
if (typeof knobs.get('span') === 'string') {
  const span = knobs.get('span');
  process.on('exit', () => appendFileSync(span, `${JSON.stringify({ pid: process.pid, start: performance.timeOrigin, end: Date.now() })}\n`));
}

if (knobs.has('ignore-term')) process.on('SIGTERM', () => {});

if (knobs.has('child')) {
  const grandchildCode = "setInterval(() => {}, 1000)";
  const childCode = `const { spawn } = require('node:child_process');
    const g = spawn(process.execPath, ['-e', ${JSON.stringify(grandchildCode)}], { stdio: 'ignore' });
    process.stdout.write(String(g.pid));
    setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ['-e', childCode], { stdio: ['ignore', 'pipe', 'ignore'] });
  const grandchildPid = await new Promise((resolve) => child.stdout.once('data', (data) => resolve(Number(String(data)))));
  const pidsFile = knobs.get('pids');
  if (typeof pidsFile === 'string') writeFileSync(pidsFile, `${process.pid}\n${child.pid}\n${grandchildPid}\n`);
}

init();
flushReplays();
const silent = ms(knobs.get('silent'), 0);
if (silent > 0) await sleep(silent);

if (knobs.has('garbage')) {
  out('this is not JSON\n{"type": broken\n\u0000\u0001 binary-ish noise\n');
}
const bigline = num(knobs.get('bigline'), 0);
if (bigline > 0) assistant([{ type: 'text', text: 'x'.repeat(bigline) }]);

const turns = Math.max(1, num(knobs.get('turns'), 2));
const duration = ms(knobs.get('duration'), 300);
const extraLines = num(knobs.get('lines'), 0);
const lineSize = num(knobs.get('size'), 200);
const pause = duration / (turns + 1);

const actions = [];
const writePath = knobs.get('write');
// Planning reads and runs things, but writes nothing (unless told to misbehave).
if (typeof writePath === 'string' && !planMode) actions.push({ name: 'Write', path: writePath });
if (planMode && knobs.has('wrong-plan')) actions.push({ name: 'Write', path: 'PLANNED-BUT-WRITTEN.md' });
const editPath = knobs.get('edit');
if (typeof editPath === 'string' && !planMode) actions.push({ name: 'Edit', path: editPath });

let totalCost = 0;
/** Tools the host is asked about over the channel: commands, and edits when the mode does not accept them. */
const mustAsk = (name) => channel && permissionMode !== 'bypassPermissions' && (name === 'Bash' || ((name === 'Write' || name === 'Edit') && permissionMode === 'default'));
class Interrupted extends Error {}
function checkInterrupt() {
  if (interruptAsked) throw new Interrupted('interrupted');
}
const limitMarker = () => join(sessionsDir, `${sessionId}.limited`);
/** `limit=SECONDS`: the usage limit, as claude reports it with subscription credentials (once per session). */
function hitLimit() {
  if (!knobs.has('limit')) return false;
  try {
    readFileSync(limitMarker());
    return false;
  } catch {
    writeFileSync(limitMarker(), '1');
  }
  const resetsAt = Math.floor(Date.now() / 1000) + num(knobs.get('limit'), 5);
  emit({ type: 'rate_limit_event', rate_limit_info: { status: 'rejected', resetsAt, rateLimitType: 'five_hour', isUsingOverage: false }, uuid: uuid(), session_id: sessionId });
  const when = new Date(resetsAt * 1000).toISOString().slice(11, 16);
  emit({ type: 'assistant', message: { id: uuid(), model: '<synthetic>', role: 'assistant', stop_reason: 'stop_sequence', stop_sequence: '', type: 'message', usage: usage(0, 0), content: [{ type: 'text', text: `You've hit your session limit · resets ${when} (UTC)` }] }, parent_tool_use_id: null, session_id: sessionId, uuid: uuid() });
  result({ isError: true, text: `You've hit your session limit · resets ${when} (UTC)`, turns: 1, cost: Number(totalCost.toFixed(4)) });
  return true;
}
/** What the knobs ask of the host: commands, a question, a long call, an unknown request. */
async function hostTurns(source = knobs, commands = asks) {
  if (!channel) return;
  if (source.has('unknown-control')) await askHost({ subtype: 'mystery_request' });
  for (const command of commands) {
    checkInterrupt();
    const id = `toolu_${uuid()}`;
    const input = { command, description: 'Run a command' };
    assistant([{ type: 'tool_use', id, name: 'Bash', input }]);
    const answer = await permitted('Bash', input, id);
    checkInterrupt();
    toolResult(id, answer.allowed ? `ran: ${answer.input.command}` : answer.message, !answer.allowed);
  }
  const question = source.get('question');
  if (typeof question === 'string') {
    const id = `toolu_${uuid()}`;
    const labels = String(source.get('options') ?? 'Yes,No').split(',');
    const input = { questions: [{ question: question.replaceAll('_', ' '), header: 'Choice', multiSelect: false, options: labels.map((label) => ({ label: label.replaceAll('_', ' '), description: `Choose ${label.replaceAll('_', ' ')}` })) }] };
    assistant([{ type: 'tool_use', id, name: 'AskUserQuestion', input }]);
    const answer = await permitted('AskUserQuestion', input, id);
    checkInterrupt();
    const answers = answer.input?.answers ?? {};
    toolResult(id, answer.allowed ? `Your questions have been answered: ${Object.entries(answers).map(([q, a]) => `"${q}"="${a}"`).join(', ')}. You can now continue.` : answer.message, !answer.allowed);
  }
  const long = source.get('long');
  if (long !== undefined) {
    const id = `toolu_${uuid()}`;
    const input = { command: `sleep ${Math.round(ms(long, 60_000) / 1000)}`, description: 'A long build' };
    assistant([{ type: 'tool_use', id, name: 'Bash', input }]);
    const answer = await permitted('Bash', input, id);
    checkInterrupt();
    if (answer.allowed) await sleep(ms(long, 60_000));
    checkInterrupt();
    toolResult(id, answer.allowed ? 'built' : answer.message, !answer.allowed);
  }
}
/** The turn stopped by the host: claude's own lines for it. */
function interruptedTurn(turns) {
  interruptAsked = false;
  emit({ type: 'user', message: { role: 'user', content: [{ type: 'text', text: '[Request interrupted by user]' }] }, parent_tool_use_id: null, session_id: sessionId, uuid: uuid() });
  result({ isError: true, subtype: 'error_during_execution', errors: ['Request interrupted by user'], turns, cost: Number(totalCost.toFixed(4)) });
}
/** A later message of the conversation: a turn of its own, doing what its `sim:` lines ask. */
async function followUp(text) {
  init();
  const local = new Map();
  const localAsks = [];
  for (const token of text.split('\n').filter((line) => line.startsWith('sim:')).map((line) => line.slice(4)).join(' ').split(/\s+/).filter(Boolean)) {
    const equals = token.indexOf('=');
    local.set(equals === -1 ? token : token.slice(0, equals), equals === -1 ? true : token.slice(equals + 1));
    if (token.startsWith('ask=')) localAsks.push(token.slice(4).replaceAll('_', ' '));
  }
  assistant([{ type: 'text', text: `Understood: ${text.split('\n')[0]}` }]);
  let turns = 1;
  try {
    await sleep(ms(local.get('duration'), 100));
    checkInterrupt();
    const path = local.get('write') ?? local.get('edit');
    if (typeof path === 'string') {
      const id = `toolu_${uuid()}`;
      const target = join(cwd, path);
      assistant([{ type: 'tool_use', id, name: 'Edit', input: { file_path: target, old_string: '', new_string: `${text.split('\n')[0]}\n` } }]);
      mkdirSync(dirname(target), { recursive: true });
      appendFileSync(target, `${text.split('\n')[0]}\n`);
      toolResult(id, 'ok');
      turns++;
    }
    await hostTurns(local, localAsks);
  } catch (error) {
    if (!(error instanceof Interrupted)) throw error;
    interruptedTurn(turns);
    return;
  }
  totalCost += 0.0061;
  assistant([{ type: 'text', text: `Done: ${text.split('\n')[0]}` }]);
  result({ isError: false, text: `Done: ${text.split('\n')[0]}`, turns: turns + 1, cost: Number(totalCost.toFixed(4)) });
}
if (knobs.has('warn-limit')) emit({ type: 'rate_limit_event', rate_limit_info: { status: 'allowed_warning', resetsAt: Math.floor(Date.now() / 1000) + 3600, rateLimitType: 'five_hour', utilization: 0.9 }, uuid: uuid(), session_id: sessionId });
async function firstTurn() {
  const asking = timedAsks();
  assistant([{ type: 'text', text: `I'll work on this in ${cwd}.` }]);
  for (let turn = 0; turn < turns; turn++) {
    await sleep(pause);
    checkInterrupt();
    const action = actions[turn] ?? (turn % 2 === 0 ? { name: 'Read', path: 'README.md' } : { name: 'Bash', command: 'npm test' });
    const id = `toolu_${uuid()}`;
    const target = action.path ? join(cwd, action.path) : undefined;
    const input =
      action.name === 'Write'
        ? { file_path: target, content: `written by the simulated agent\n` }
        : action.name === 'Edit'
          ? { file_path: target, old_string: '', new_string: `${knobs.get('line') === 'random' ? `edit ${uuid().slice(0, 8)}` : typeof knobs.get('line') === 'string' ? knobs.get('line').replaceAll('_', ' ') : 'edited by the simulated agent'}\n` }
          : action.name === 'Read'
            ? { file_path: target ?? join(cwd, 'README.md') }
            : { command: action.command, description: 'Run the tests' };
    assistant([{ type: 'tool_use', id, name: action.name, input }]);
    if (mustAsk(action.name)) {
      const answer = await permitted(action.name, input, id);
      checkInterrupt();
      if (!answer.allowed) {
        toolResult(id, answer.message, true);
        continue;
      }
    }
    if (action.name === 'Write') {
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, input.content);
    }
    if (action.name === 'Edit') appendFileSync(target, input.new_string);
    toolResult(id, action.name === 'Bash' ? 'Tests: 12 passed, 0 failed' : 'ok');
  }

  if (extraLines > 0) {
    const filler = 'lorem ipsum dolor sit amet '.repeat(Math.ceil(lineSize / 27)).slice(0, Math.max(1, lineSize - 150));
    const spread = duration > 0 ? Math.max(1, Math.floor(extraLines / 20)) : extraLines;
    for (let index = 0; index < extraLines; index++) {
      assistant([{ type: 'text', text: `${index} ${filler}` }], 'msg_stream');
      if (duration > 0 && index % spread === spread - 1) await sleep(duration / 20);
    }
  }

  await hostTurns();
  await asking;
  // The last share of the duration: the turns took turns/(turns+1) of it.
  if (extraLines === 0) await sleep(pause);
  checkInterrupt();
  if (hitLimit()) return 'limit';
  totalCost += Number((0.0123 * turns).toFixed(4));
  const cost = Number(totalCost.toFixed(4));
  const denials = num(knobs.get('denials'), 0);
  const failText = knobs.get('fail');
  const failArm = knobs.get('fail-arm');
  let retryStatus = knobs.get('retryable');
  const counterFile = knobs.get('counter');
  if (typeof counterFile === 'string') {
    let count = 0;
    try {
      count = Number(readFileSync(counterFile, 'utf8')) || 0;
    } catch {
      count = 0;
    }
    writeFileSync(counterFile, String(count + 1));
    if (count + 1 >= num(knobs.get('succeed-on'), Infinity)) retryStatus = undefined;
  }
  let failed = false;
  if (!knobs.has('no-result')) {
    if (retryStatus !== undefined) {
      failed = true;
      const status = Number(retryStatus);
      result({ isError: true, text: `API Error: ${status} ${status === 529 ? 'Overloaded' : status === 429 ? 'Rate limited' : 'Internal server error'}`, status, turns, cost });
    } else if (failArm !== undefined) {
      failed = true;
      result({ isError: true, subtype: String(failArm), errors: [`Reached ${failArm}`], turns, cost });
    } else if (failText !== undefined) {
      failed = true;
      result({ isError: true, text: failText === true ? 'Something went wrong' : String(failText).replaceAll('_', ' '), turns, cost });
    } else if (planMode) {
      const plan = typeof knobs.get('plan') === 'string' ? knobs.get('plan').replaceAll('_', ' ') : `1. Read README.md and the tests\n2. Make the change in ${cwd.split('/').pop()}\n3. Run npm test`;
      const id = `toolu_${uuid()}`;
      assistant([{ type: 'tool_use', id, name: 'ExitPlanMode', input: { plan } }]);
      if (channel) {
        const answer = await permitted('ExitPlanMode', { plan }, id);
        toolResult(id, answer.allowed ? 'User has approved your plan.' : answer.message, !answer.allowed);
      }
      // Headless, claude refuses ExitPlanMode's prompt: the plan is handed over as a denial.
      result({ isError: false, text: 'I have written a plan; it waits for your approval.', turns: turns + 1, cost, denials: 0, planDenial: { tool_name: 'ExitPlanMode', tool_use_id: id, tool_input: { plan } } });
    } else {
      assistant([{ type: 'text', text: 'Done: the change is made and the tests pass.' }]);
      result({ isError: false, text: 'Done: the change is made and the tests pass.', turns: turns + 1, cost, denials });
    }
  }
  return failed ? 'failed' : 'ok';
}
let failed = false;
let ending;
try {
  ending = await firstTurn();
} catch (error) {
  if (!(error instanceof Interrupted)) throw error;
  interruptedTurn(turns);
  ending = 'interrupted';
}
if (ending === 'limit') process.exit(1);
failed = ending === 'failed';
// The conversation goes on while the host keeps stdin open: each message a turn.
if (channel && !knobs.has('no-result')) {
  for (;;) {
    const message = await nextMessage(isUser);
    if (message === null) break;
    failed = false;
    await followUp(textOf(message));
  }
}

const exitCode = knobs.has('exit') ? num(knobs.get('exit'), 0) : failed ? 1 : 0;
if (knobs.has('child') || knobs.has('ignore-term')) {
  // Stay until stopped, like an agent whose tool is still running.
  if (knobs.has('child')) await sleep(3_600_000);
}
process.exitCode = exitCode;
// A held stdin keeps the process alive: the conversation is over, so it ends.
if (channel) process.exit(exitCode);
