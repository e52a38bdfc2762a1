// The HTTP server of `par web`: the page (one app for every address), the
// JSON API and the event stream, behind the checks of DESIGN §15. Written on
// node:http — a framework would add little to a dozen routes, and every
// check here has to be exactly what the design says.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../logging/logger.js';
import type { ApiReply, ApiRequest } from './api.js';
import type { HubEvent, RunHub } from './hub.js';
import { bearerToken, cookieValue, hostAllowed, newSecret, sameOrigin, secretMatches, SESSION_COOKIE, sessionCookie } from './security.js';

/** Request bodies past this are refused (413). */
export const MAX_BODY_BYTES = 1024 * 1024;
/** An idle event stream gets a comment this often, so proxies and phones keep it open. */
const HEARTBEAT_MS = 15_000;

/** The page: its HTML shell, script and styles, built into par. */
export interface PageAssets {
  html: string;
  js: string;
  css: string;
}

export interface WebServerOptions {
  token: string;
  hub: RunHub;
  api: (request: ApiRequest) => Promise<ApiReply>;
  assets: PageAssets;
  log: Logger;
}

const SECURITY_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Content-Security-Policy': "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'Cache-Control': 'no-store',
};

function send(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  response.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text), ...headers });
  response.end(text);
}

/** Reads a JSON body of at most MAX_BODY_BYTES; a number for a status to answer with instead. */
function readBody(request: IncomingMessage): Promise<Record<string, unknown> | number> {
  return new Promise((resolve) => {
    const declared = Number(request.headers['content-length'] ?? 0);
    if (declared > MAX_BODY_BYTES) {
      request.resume();
      resolve(413);
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        resolve(413);
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on('error', () => resolve(400));
    request.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      if (text.trim() === '') return resolve({});
      try {
        const body = JSON.parse(text) as unknown;
        resolve(typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : 400);
      } catch {
        resolve(400);
      }
    });
  });
}

/** `/api/runs/a%20b/jobs` → ['runs', 'a b', 'jobs']; null when a part does not decode. */
function pathParts(path: string): string[] | null {
  try {
    return path.split('/').filter((part) => part !== '').map((part) => decodeURIComponent(part));
  } catch {
    return null;
  }
}

/** The page's shell for any of its addresses, its script and styles; false for any other path. */
function servePage(assets: PageAssets, response: ServerResponse, path: string): boolean {
  if (path === '/assets/app.js') send(response, 200, assets.js, { 'Content-Type': 'text/javascript; charset=utf-8' });
  else if (path === '/assets/app.css') send(response, 200, assets.css, { 'Content-Type': 'text/css; charset=utf-8' });
  else if (path === '/' || /^\/runs\/[^/]+(\/jobs\/[^/]+)?\/?$/.test(path)) send(response, 200, assets.html, { 'Content-Type': 'text/html; charset=utf-8' });
  else return false;
  return true;
}

/** The event stream: what a reconnecting client missed (or a snapshot), then every change; `streams` holds it while open. */
function serveEvents(hub: RunHub, streams: Set<ServerResponse>, request: IncomingMessage, response: ServerResponse): void {
  response.writeHead(200, { ...SECURITY_HEADERS, 'Content-Type': 'text/event-stream; charset=utf-8', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
  const write = (event: HubEvent): void => {
    response.write(`id: ${event.id}\nevent: run\ndata: ${JSON.stringify(event)}\n\n`);
  };
  const last = request.headers['last-event-id'];
  const missed = typeof last === 'string' ? hub.since(last) : null;
  if (missed) for (const event of missed) write(event);
  else response.write(`id: ${hub.lastId()}\nevent: snapshot\ndata: ${JSON.stringify({ runs: hub.summaries() })}\n\n`);
  const unsubscribe = hub.subscribe(write);
  const heartbeat = setInterval(() => response.write(': still here\n\n'), HEARTBEAT_MS);
  streams.add(response);
  response.on('close', () => {
    clearInterval(heartbeat);
    unsubscribe();
    streams.delete(response);
  });
}

/**
 * The server, not yet listening. Every request's Host must name it; the
 * page and its assets are served to anyone who can reach it (they hold no
 * data); everything under /api/ needs the token or a session, and what
 * changes anything a same-origin Origin as well.
 */
export function createWebServer(options: WebServerOptions): { server: Server; close(): Promise<void> } {
  const { token, hub, api, assets, log } = options;
  const sessions: string[] = [];
  const streams = new Set<ServerResponse>();
  let port = 0;

  const isSession = (id: string | undefined): boolean => {
    let found = false;
    // Every session compared, each in constant time: how many match says nothing of where.
    for (const session of sessions) found = secretMatches(id, session) || found;
    return found;
  };

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const method = request.method ?? 'GET';
    const url = new URL(request.url ?? '/', 'http://par.invalid');
    if (!hostAllowed(request.headers.host, port)) return send(response, 421, { error: 'This server answers only to its own address (the Host header names another).' });
    if (!url.pathname.startsWith('/api/')) {
      if ((method === 'GET' || method === 'HEAD') && servePage(assets, response, url.pathname)) return;
      return send(response, 404, { error: `There is no page ${url.pathname}.` });
    }
    const bearer = bearerToken(request.headers.authorization);
    const byToken = secretMatches(bearer, token);
    const bySession = !byToken && isSession(cookieValue(request.headers.cookie, SESSION_COOKIE));
    if (!byToken && !bySession) return send(response, 401, { error: 'Sign in: open the address par web printed (it carries #token=…), or send the token as Authorization: Bearer.' });
    const changes = method !== 'GET' && method !== 'HEAD';
    if (changes) {
      const origin = request.headers.origin;
      // A browser always says where a POST comes from; a session (a cookie) is only good from this page. A client holding the token itself may say nothing.
      if (origin === undefined ? !byToken : !sameOrigin(origin, request.headers.host)) return send(response, 403, { error: 'Requests that change anything must come from this page (same origin).' });
    }
    const parts = pathParts(url.pathname.slice('/api/'.length));
    if (parts === null) return send(response, 404, { error: 'That address does not decode.' });
    if (method === 'GET' && parts.length === 1 && parts[0] === 'events') return serveEvents(hub, streams, request, response);
    const body = changes ? await readBody(request) : {};
    if (body === 413) return send(response, 413, { error: `The body is over ${MAX_BODY_BYTES / 1024 / 1024} MB; par takes at most that.` });
    if (typeof body === 'number') return send(response, 400, { error: 'The body is not a JSON object.' });
    if (method === 'POST' && parts.length === 1 && parts[0] === 'session') {
      if (!byToken) return send(response, 401, { error: 'A session is given for the token (Authorization: Bearer), not for a session.' });
      const id = newSecret();
      sessions.push(id);
      return send(response, 200, { ok: true }, { 'Set-Cookie': sessionCookie(id) });
    }
    const reply = await api({ method, parts, query: url.searchParams, body });
    send(response, reply.status, reply.body);
  }

  const server = createServer((request, response) => {
    const started = Date.now();
    response.on('finish', () => log.debug('web request', { method: request.method, path: new URL(request.url ?? '/', 'http://par.invalid').pathname, status: response.statusCode, ms: Date.now() - started }));
    handle(request, response).catch((error: unknown) => {
      log.error('web request failed', { error: (error as Error).stack ?? String(error) });
      if (!response.headersSent) send(response, 500, { error: 'par failed to answer; see its log.' });
      else response.destroy();
    });
  });
  server.on('listening', () => {
    port = (server.address() as AddressInfo).port;
  });
  return {
    server,
    close: () =>
      new Promise((resolve) => {
        for (const stream of streams) stream.end();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
