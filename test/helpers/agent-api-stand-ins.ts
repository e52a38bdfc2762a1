// Stand-ins of OpenAI's Responses API (for the real Codex CLI) and of the
// Gemini API (for the real Gemini CLI) on loopback. Each answers from the
// conversation it is sent, so many processes at once each get a coherent
// one: `scenario=write file=NAME` in the newest user message asks for a tool
// call writing NAME, then a closing message; any other message is answered
// with `Done: <its first line>`.
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isAbsolute, join } from 'node:path';

/** What the model is asked to do next, read from the conversation. */
type Step = { kind: 'write'; file: string; text: string } | { kind: 'say'; text: string };

/** A running stand-in. */
export interface ApiStandIn {
  url: string;
  /** Every request's path, in order. */
  requests: string[];
  /** The next `count` requests fail with `status` (a JSON error body). */
  failNext(status: number, count: number): void;
  close(): Promise<void>;
}

/** The scenario words of a user's text: `scenario=write file=notes.md`. */
function words(text: string): Map<string, string> {
  return new Map([...text.matchAll(/\b(scenario|file|text)=(\S+)/g)].map((match) => [match[1] as string, match[2] as string]));
}

/**
 * The next step of a conversation given as user texts and whether a tool
 * result came after the newest of them: a write is asked for once, then
 * said done.
 */
function nextStep(userTexts: readonly string[], toolAnswered: boolean): Step {
  const newest = userTexts.at(-1) ?? '';
  const said = words(newest);
  if (said.get('scenario') === 'write') {
    const file = said.get('file') ?? 'notes.md';
    return toolAnswered ? { kind: 'say', text: `Wrote ${file}.` } : { kind: 'write', file, text: (said.get('text') ?? 'hello').replaceAll('_', ' ') };
  }
  return { kind: 'say', text: `Done: ${newest.trim().split('\n')[0] ?? ''}` };
}

async function bodyOf(req: IncomingMessage): Promise<Record<string, unknown>> {
  let text = '';
  for await (const chunk of req) text += String(chunk);
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return {};
  }
}

/** Serves `answer`; `failNext` fails only the requests `conversational` says carry the conversation (not a CLI's side requests). */
/** A refusal as the APIs word it: the status, a message, the kind (both APIs' shapes in one body). */
function failure(status: number): { error: Record<string, unknown> } {
  const [message, kind] =
    status === 429 ? ['Resource has been exhausted (e.g. check quota).', 'RESOURCE_EXHAUSTED'] : status >= 500 ? ['The model is overloaded. Please try again later.', 'UNAVAILABLE'] : ['Request contains an invalid argument.', 'INVALID_ARGUMENT'];
  return { error: { code: status, message, status: kind, type: status === 429 ? 'rate_limit_exceeded' : status >= 500 ? 'server_error' : 'invalid_request_error' } };
}

async function serve(answer: (path: string, body: Record<string, unknown>, res: ServerResponse) => void, conversational: (path: string, body: Record<string, unknown>) => boolean): Promise<ApiStandIn> {
  const requests: string[] = [];
  let failing: { status: number; count: number } | null = null;
  const server = createServer((req, res) => {
    void bodyOf(req).then((body) => {
      const path = req.url ?? '/';
      requests.push(path);
      if (failing && failing.count > 0 && conversational(path, body)) {
        failing.count--;
        res.writeHead(failing.status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(failure(failing.status)));
        return;
      }
      answer(path, body, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    failNext: (status, count) => void (failing = { status, count }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

// ---- OpenAI Responses API, as codex exec streams it ----

type ResponseItem = { type?: string; role?: string; content?: { type?: string; text?: string }[] };

function sse(res: ServerResponse, type: string, data: Record<string, unknown>): void {
  res.write(`event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`);
}

let responses = 0;

/** Answers `POST /v1/responses` with a streamed response: a message, or an `exec_command` call that writes the file. */
export function startOpenAiStandIn(): Promise<ApiStandIn> {
  return serve((path, body, res) => {
    if (!path.endsWith('/responses')) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end('{"error":{"message":"not here"}}');
      return;
    }
    const input = Array.isArray(body.input) ? (body.input as ResponseItem[]) : [];
    const userAt = input.map((item, index) => (item.type === 'message' && item.role === 'user' && (item.content ?? []).some((part) => (part.text ?? '').trim() !== '' && !(part.text ?? '').startsWith('<')) ? index : -1)).filter((index) => index !== -1);
    const userTexts = userAt.map((index) => (input[index]?.content ?? []).map((part) => part.text ?? '').join('\n'));
    const answered = input.slice((userAt.at(-1) ?? 0) + 1).some((item) => item.type === 'function_call_output');
    const step = nextStep(userTexts, answered);
    const id = `resp_${++responses}`;
    const item =
      step.kind === 'write'
        ? { type: 'function_call', id: `fc_${responses}`, call_id: `call_${responses}`, name: 'exec_command', arguments: JSON.stringify({ cmd: `printf '%s\\n' '${step.text}' > ${step.file}` }), status: 'completed' }
        : { type: 'message', id: `msg_${responses}`, role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: step.text, annotations: [] }] };
    const usage = { input_tokens: 1000, input_tokens_details: { cached_tokens: 0 }, output_tokens: 50, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: 1050 };
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    sse(res, 'response.created', { response: { id, object: 'response', status: 'in_progress', output: [] } });
    sse(res, 'response.output_item.added', { output_index: 0, item });
    sse(res, 'response.output_item.done', { output_index: 0, item });
    sse(res, 'response.completed', { response: { id, object: 'response', status: 'completed', output: [item], usage } });
    res.end();
  }, (path) => path.endsWith('/responses'));
}

/** A throwaway codex home sending everything to the stand-in, retrying once (so a failure shows fast). */
export function codexHome(home: string, api: ApiStandIn): Record<string, string> {
  mkdirSync(join(home, '.codex'), { recursive: true });
  writeFileSync(
    join(home, '.codex', 'config.toml'),
    `model_provider = "standin"\nmodel = "gpt-5"\n[model_providers.standin]\nname = "stand-in"\nbase_url = "${api.url}/v1"\nwire_api = "responses"\nenv_key = "OPENAI_API_KEY"\nrequest_max_retries = 1\nstream_max_retries = 1\n`,
  );
  return { OPENAI_API_KEY: 'sk-stand-in' };
}

// ---- Gemini API, as the Gemini CLI streams it ----

type Schema = { type?: string; properties?: Record<string, Schema>; enum?: unknown[]; minimum?: number };

/** The plainest value a JSON schema accepts: the first of an enum, a low number, a short string. */
function fromSchema(schema: Schema): unknown {
  if (schema.enum && schema.enum.length > 0) return schema.enum[0];
  switch ((schema.type ?? 'object').toLowerCase()) {
    case 'object':
      return Object.fromEntries(Object.entries(schema.properties ?? {}).map(([name, property]) => [name, fromSchema(property)]));
    case 'number':
    case 'integer':
      return Math.max(schema.minimum ?? 1, 10);
    case 'boolean':
      return false;
    case 'array':
      return [];
    default:
      return 'simple';
  }
}

type Content = { role?: string; parts?: { text?: string; functionCall?: unknown; functionResponse?: unknown }[] };

/** Answers `:streamGenerateContent` (and `:generateContent`) with a text, or a `write_file` call in the workspace the conversation names. */
export function startGeminiStandIn(): Promise<ApiStandIn> {
  return serve((path, body, res) => {
    if (!/:(stream)?[gG]enerateContent/.test(path)) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end('{"error":{"code":404,"message":"not here"}}');
      return;
    }
    const config = (body.generationConfig ?? {}) as { responseMimeType?: string; responseJsonSchema?: Schema; responseSchema?: Schema };
    if (config.responseMimeType === 'application/json') {
      // A JSON answer the CLI asks for itself (its model router): one that fits the schema.
      const text = JSON.stringify(fromSchema(config.responseJsonSchema ?? config.responseSchema ?? {}));
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ candidates: [{ content: { role: 'model', parts: [{ text }] }, finishReason: 'STOP', index: 0 }], usageMetadata: { promptTokenCount: 10, candidatesTokenCount: 5, totalTokenCount: 15 } }));
      return;
    }
    const contents = Array.isArray(body.contents) ? (body.contents as Content[]) : [];
    const userAt = contents.map((content, index) => (content.role === 'user' && (content.parts ?? []).some((part) => typeof part.text === 'string' && !part.text.startsWith('<session_context>')) ? index : -1)).filter((index) => index !== -1);
    const userTexts = userAt.map((index) => (contents[index]?.parts ?? []).map((part) => part.text ?? '').join('\n'));
    const answered = contents.slice((userAt.at(-1) ?? 0) + 1).some((content) => (content.parts ?? []).some((part) => part.functionResponse !== undefined));
    const allText = contents.map((content) => (content.parts ?? []).map((part) => part.text ?? '').join('\n')).join('\n');
    const workspace = /Workspace Directories:\*\*\s*\n\s*- (\S+)/.exec(allText)?.[1] ?? '/tmp';
    const step = nextStep(userTexts, answered);
    const parts = step.kind === 'write' ? [{ functionCall: { name: 'write_file', args: { file_path: isAbsolute(step.file) ? step.file : join(workspace, step.file), content: `${step.text}\n` } } }] : [{ text: step.text }];
    const chunk = { candidates: [{ content: { role: 'model', parts }, finishReason: 'STOP', index: 0 }], usageMetadata: { promptTokenCount: 1000, candidatesTokenCount: 50, totalTokenCount: 1050 }, modelVersion: 'gemini-2.5-flash' };
    if (path.includes(':stream')) {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(`data: ${JSON.stringify(chunk)}\n\n`);
    } else {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(chunk));
    }
  }, (path, body) => /:(stream)?[gG]enerateContent/.test(path) && (body.generationConfig as { responseMimeType?: string } | undefined)?.responseMimeType !== 'application/json');
}

/** A throwaway gemini home using an API key against the stand-in, with two attempts per request (so a failure shows fast). */
export function geminiHome(home: string, api: ApiStandIn): Record<string, string> {
  mkdirSync(join(home, '.gemini'), { recursive: true });
  writeFileSync(join(home, '.gemini', 'settings.json'), JSON.stringify({ security: { auth: { selectedType: 'gemini-api-key' } }, general: { maxAttempts: 2 } }));
  return { GEMINI_API_KEY: 'stand-in', GOOGLE_GEMINI_BASE_URL: api.url };
}
