// `par web` for tests: the built par serving a sandbox, its address and
// token from its first line, and requests made as a browser or curl would.
import { request } from 'node:http';
import { findExecutable } from '../../src/os/which.js';
import { eventually, startPar, type Sandbox } from './par.js';

export interface WebServer {
  /** `http://127.0.0.1:PORT` */
  base: string;
  port: number;
  token: string;
  /** The address par printed, token and all. */
  url: string;
  stop(): Promise<{ code: number | null; stderr: string }>;
  stderr(): string;
}

/** Starts `par web --port 0` in `cwd` and reads its first line. */
export async function startWeb(sandbox: Sandbox, cwd: string, args: string[] = []): Promise<WebServer> {
  let stderr = '';
  const started = startPar(sandbox, ['web', '--port', '0', ...args], { cwd });
  started.child.stderr.on('data', (chunk: string) => (stderr += chunk));
  await eventually(() => started.output().includes('\n') || started.child.exitCode !== null, 15_000, 'par web to print its address');
  const line = started.output().split('\n')[0] as string;
  const match = /^par web: (http:\/\/127\.0\.0\.1:(\d+))\/#token=([A-Za-z0-9_-]{43})$/.exec(line);
  if (!match) throw new Error(`par web printed ${JSON.stringify(line)}; stderr: ${stderr}`);
  return {
    base: match[1] as string,
    port: Number(match[2]),
    token: match[3] as string,
    url: line.slice('par web: '.length),
    stderr: () => stderr,
    async stop() {
      if (started.child.exitCode === null) started.child.kill('SIGINT');
      const result = await started.result;
      return { code: result.code, stderr: result.stderr };
    },
  };
}

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  json(): unknown;
}

/** One HTTP request, headers exactly as given (fetch would set its own Host and Origin). */
export function call(web: WebServer, method: string, path: string, options: { headers?: Record<string, string>; body?: string | Buffer; token?: boolean } = {}): Promise<Reply> {
  const headers: Record<string, string> = { Host: `127.0.0.1:${web.port}`, ...(options.token === false ? {} : { Authorization: `Bearer ${web.token}` }), ...options.headers };
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: web.port, method, path, headers }, (response) => {
      let body = '';
      response.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body, json: () => JSON.parse(body) as unknown }));
      response.on('error', reject);
    });
    req.on('error', (error: NodeJS.ErrnoException) => {
      // A server refusing a large body may close before it is all sent: its answer still came.
      if (error.code === 'EPIPE' || error.code === 'ECONNRESET') reject(Object.assign(error, { refused: true }));
      else reject(error);
    });
    if (options.body !== undefined) req.write(options.body);
    req.end();
  });
}

/** Debian's chromium (or $PAR_CHROMIUM): the browser the page's tests drive. */
export function chromiumPath(): string {
  const path = process.env.PAR_CHROMIUM ?? findExecutable('chromium', process.env, process.cwd()) ?? findExecutable('chromium-browser', process.env, process.cwd());
  if (!path) throw new Error('The web page tests need Chromium: apt-get install chromium (.ci/run does), or set PAR_CHROMIUM to one.');
  return path;
}
