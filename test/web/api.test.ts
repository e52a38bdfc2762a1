// `par web`'s server, from outside as curl and a hostile page would see it
// (DESIGN §15): who may ask, from where, for what; and the API and event
// stream over a real run of the simulated agent.
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPar, type Sandbox } from '../helpers/par.js';
import { makeSimRuns, runStatus } from '../helpers/sim-runs.js';
import { call, startWeb, type WebServer } from '../helpers/web.js';

let sandbox: Sandbox;
let repo: string;
let web: WebServer;
let runId: string;

beforeAll(async () => {
  ({ sandbox, repo } = makeSimRuns(2));
  const started = await runPar(sandbox, ['run', '-m', 'sim: turns=2 duration=200ms edit=README.md', join(sandbox.dir, 'wt1'), join(sandbox.dir, 'wt2'), '--detach'], { cwd: repo });
  runId = started.stdout.trim();
  for (let tries = 0; tries < 200 && (await runStatus(sandbox, repo, runId)).state === 'running'; tries++) await new Promise((resolve) => setTimeout(resolve, 100));
  web = await startWeb(sandbox, repo);
});
afterAll(async () => {
  await web?.stop();
  sandbox.cleanup();
});

describe('par web: who may ask, and from where', () => {
  it('serves the page to anyone who can reach it, the API only with the token', async () => {
    for (const path of ['/', `/runs/${runId}`, `/runs/${runId}/jobs/wt1`]) {
      const page = await call(web, 'GET', path, { token: false });
      expect(page.status).toBe(200);
      expect(page.body).toContain('<script type="module" src="/assets/app.js">');
      expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    }
    expect((await call(web, 'GET', '/assets/app.js', { token: false })).body.length).toBeGreaterThan(10_000);
    expect((await call(web, 'GET', '/api/runs', { token: false })).status).toBe(401);
    expect((await call(web, 'GET', '/api/runs', { token: false, headers: { Authorization: `Bearer ${web.token.slice(0, -1)}x` } })).status).toBe(401);
    expect((await call(web, 'GET', '/api/events', { token: false })).status).toBe(401);
    const ok = await call(web, 'GET', '/api/runs');
    expect(ok.status).toBe(200);
    expect(ok.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('answers only to its own address: another Host (DNS rebinding) is refused', async () => {
    expect((await call(web, 'GET', '/', { headers: { Host: `evil.example:${web.port}` } })).status).toBe(421);
    expect((await call(web, 'GET', '/api/runs', { headers: { Host: `127.0.0.1:${web.port + 1}` } })).status).toBe(421);
    expect((await call(web, 'GET', '/api/runs', { headers: { Host: `localhost:${web.port}` } })).status).toBe(200);
  });

  it('gives a session cookie for the token once; the cookie reads, and changes only from the same origin', async () => {
    expect((await call(web, 'POST', '/api/session', { token: false })).status).toBe(401);
    const session = await call(web, 'POST', '/api/session', { headers: { Origin: web.base } });
    expect(session.status).toBe(200);
    const cookie = String(session.headers['set-cookie']);
    expect(cookie).toMatch(/^par_session=[A-Za-z0-9_-]{43}; HttpOnly; SameSite=Strict; Path=\/$/);
    expect(cookie).not.toContain(web.token);
    const pair = cookie.split(';')[0] as string;
    expect((await call(web, 'GET', '/api/runs', { token: false, headers: { Cookie: pair } })).status).toBe(200);
    expect((await call(web, 'GET', '/api/runs', { token: false, headers: { Cookie: 'par_session=forged' } })).status).toBe(401);
    // A cross-site page's POST carries the cookie and its own Origin; a cookie with no Origin at all is refused too.
    const cancel = `/api/runs/${runId}/cancel`;
    expect((await call(web, 'POST', cancel, { token: false, headers: { Cookie: pair, Origin: 'http://evil.example' } })).status).toBe(403);
    expect((await call(web, 'POST', cancel, { token: false, headers: { Cookie: pair } })).status).toBe(403);
    expect((await call(web, 'POST', cancel, { headers: { Origin: 'http://evil.example' } })).status).toBe(403);
    // Same origin: through to the API, which says the run has ended.
    const same = await call(web, 'POST', cancel, { token: false, headers: { Cookie: pair, Origin: web.base } });
    expect(same).toMatchObject({ status: 409 });
    expect(same.json()).toEqual({ error: `Run ${runId} has already ended (succeeded); there is nothing to cancel.` });
  });

  it('finds runs and jobs only by their own names: ../ in ids, unknown runs and jobs are 404', async () => {
    for (const path of ['/api/runs/..%2F..%2Fetc/passwd', '/api/runs/..%2F..%2Fetc%2Fpasswd', `/api/runs/${runId}/jobs/..%2F..%2Frun.json/log`, '/api/runs/20991231-000000-zzzz', `/api/runs/${runId}/jobs/nosuch/log`, `/api/runs/${runId}/jobs/__proto__/log`, '/api/runs/%E0%A4%A']) {
      const reply = await call(web, 'GET', path);
      expect(reply.status, path).toBe(404);
    }
    expect((await call(web, 'GET', `/api/runs/${runId}/jobs/nosuch/log`)).json()).toEqual({ error: `Run ${runId} has no job 'nosuch'.` });
  });

  it('caps bodies at 1 MB (413) and says what a bad body or field is (400)', async () => {
    const big = await call(web, 'POST', `/api/runs/${runId}/jobs/wt1/send`, { headers: { Origin: web.base, 'Content-Type': 'application/json' }, body: Buffer.alloc(10 * 1024 * 1024, 'a') }).catch((error: { refused?: boolean }) => error);
    if ('status' in big) expect(big.status).toBe(413);
    else expect(big.refused).toBe(true);
    const bad = await call(web, 'POST', `/api/runs/${runId}/jobs/wt1/send`, { headers: { Origin: web.base }, body: '[1,2' });
    expect(bad.status).toBe(400);
    const field = await call(web, 'POST', `/api/runs/${runId}/jobs/wt1/send`, { headers: { Origin: web.base }, body: JSON.stringify({ text: 42 }) });
    expect(field.status).toBe(400);
    expect(field.json()).toEqual({ error: "'text' takes the message as a string, not 42." });
    const start = await call(web, 'POST', '/api/runs', { headers: { Origin: web.base }, body: JSON.stringify({ prompt: 'nosuch', worktrees: [join(sandbox.dir, 'wt1')] }) });
    expect(start.status).toBe(400);
    expect((start.json() as { error: string }).error).toMatch(/nosuch/);
  });

  it('never writes the token to its log', () => {
    const logs = join(sandbox.dir, 'state', 'par', 'logs');
    const text = readdirSync(logs).map((file) => readFileSync(join(logs, file), 'utf8')).join('');
    expect(text).toContain('web started');
    expect(text).not.toContain(web.token);
  });
});

describe('par web: the API and the event stream', () => {
  it('gives runs, a run with the fields of par status --json, its log from a byte offset and its diff', async () => {
    const runs = (await call(web, 'GET', '/api/runs')).json() as { runs: { run: string; state: string; jobs: number; succeeded: number }[] };
    expect(runs.runs).toEqual([expect.objectContaining({ run: runId, state: 'succeeded', jobs: 2, succeeded: 2 })]);
    const run = (await call(web, 'GET', `/api/runs/${runId}`)).json() as { jobs: unknown[] };
    const status = await runStatus(sandbox, repo, runId);
    expect(run).toMatchObject({ run: runId, state: status.state, dir: status.dir });
    expect(run.jobs).toEqual(status.jobs);
    const log = (await call(web, 'GET', `/api/runs/${runId}/jobs/wt1/log`)).json() as { from: number; next: number; size: number; lines: string[] };
    expect(log.from).toBe(0);
    expect(log.next).toBe(log.size);
    expect(log.lines.join('\n')).toMatch(/README\.md/);
    const later = (await call(web, 'GET', `/api/runs/${runId}/jobs/wt1/log?from=${log.next}`)).json();
    expect(later).toEqual({ from: log.next, next: log.next, size: log.size, lines: [] });
    expect((await call(web, 'GET', `/api/runs/${runId}/jobs/wt1/log?from=-1`)).status).toBe(400);
    const diff = (await call(web, 'GET', `/api/runs/${runId}/jobs/wt1/diff`)).json() as { lines: string[] };
    expect(diff.lines.join('\n')).toMatch(/README\.md/);
    // Landing, from the page: each job's outcome and a sentence for it.
    const land = await call(web, 'POST', `/api/runs/${runId}/land`, { headers: { Origin: web.base }, body: JSON.stringify({ how: 'squash' }) });
    expect(land.status).toBe(200);
    const landed = land.json() as { onto: string; outcomes: { job: string; outcome: string }[]; said: string[] };
    expect(landed.onto).toBe('main');
    expect(landed.outcomes.map((outcome) => [outcome.job, outcome.outcome]).sort()).toEqual([['wt1', 'skipped'], ['wt2', 'skipped']]);
    expect(landed.said.sort()).toEqual([expect.stringMatching(/^wt1: skipped: its worktree has uncommitted changes/), expect.stringMatching(/^wt2: skipped: /)]);
    expect((await call(web, 'POST', `/api/runs/${runId}/land`, { headers: { Origin: web.base }, body: JSON.stringify({ how: 'octopus' }) })).json()).toEqual({ error: "'how' takes \"merge\", \"squash\" or \"rebase\", not \"octopus\"." });
  });

  it('streams a snapshot on connect, then each journal event; a reconnect with Last-Event-ID gets only what it missed', async () => {
    const read = async (headers: Record<string, string>, until: (text: string) => boolean): Promise<string> => {
      const controller = new AbortController();
      const response = await fetch(`${web.base}/api/events`, { headers: { Authorization: `Bearer ${web.token}`, ...headers }, signal: controller.signal });
      expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
      const reader = (response.body as ReadableStream<Uint8Array>).getReader();
      let text = '';
      const deadline = Date.now() + 15_000;
      while (!until(text) && Date.now() < deadline) {
        const { value, done } = await reader.read();
        if (done) break;
        text += Buffer.from(value).toString('utf8');
      }
      controller.abort();
      return text;
    };
    const first = await read({}, (text) => text.includes('event: snapshot'));
    const id = /^id: (\S+)$/m.exec(first)?.[1] as string;
    expect(first).toContain(`"run":"${runId}"`);
    // A new run's events come as they are written.
    const started = await runPar(sandbox, ['run', '-m', 'sim: turns=1 duration=100ms', join(sandbox.dir, 'wt2'), '--detach'], { cwd: repo });
    const second = started.stdout.trim();
    const live = await read({ 'Last-Event-ID': id }, (text) => text.includes('"type":"run/finished"'));
    expect(live).not.toContain('event: snapshot');
    expect(live).toContain(`"run":"${second}"`);
    expect(live).toMatch(/"type":"job\/finished"[^\n]*"job":\{"id":"wt2","state":"succeeded"/);
    const ids = [...live.matchAll(/^id: (\S+)$/gm)].map((match) => match[1] as string);
    // From the middle: only what came after, no snapshot.
    const resumed = await read({ 'Last-Event-ID': ids[1] as string }, (text) => text.includes('"type":"run/finished"'));
    expect(resumed).not.toContain('event: snapshot');
    expect([...resumed.matchAll(/^id: (\S+)$/gm)].map((match) => match[1])[0]).toBe(ids[2]);
    // An id from another server: a snapshot.
    expect(await read({ 'Last-Event-ID': 'old.5' }, (text) => text.includes('event: snapshot'))).toContain('event: snapshot');
  });
});

describe('par web: its command line', () => {
  it('refuses a bad port, a taken port and a foreign address, each in one sentence, exit 2', async () => {
    expect(await runPar(sandbox, ['web', '--port', '70000'], { cwd: repo })).toMatchObject({ code: 2, stdout: '', stderr: "par: --port takes a port number from 0 to 65535 (0: any free one), not '70000'.\n" });
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as { port: number }).port;
    const busy = await runPar(sandbox, ['web', '--port', String(port)], { cwd: repo });
    taken.close();
    expect(busy).toMatchObject({ code: 2, stdout: '', stderr: `par: Port ${port} on 127.0.0.1 is taken (another par web?); pass --port 0 for any free port, or another --port.\n` });
    const foreign = await runPar(sandbox, ['web', '--port', '0', '--host', '192.0.2.1'], { cwd: repo });
    expect(foreign).toMatchObject({ code: 2, stderr: 'par: --host 192.0.2.1 is not an address of this machine; pass 127.0.0.1 (the default) or one of its addresses.\n' });
  });

  it('warns when it listens beyond this machine', async () => {
    const wide = await startWeb(sandbox, repo, ['--host', '0.0.0.0']);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(wide.stderr()).toMatch(/^par web: warning: listening on 0\.0\.0\.0, beyond this machine, over plain HTTP/);
    expect(await wide.stop()).toMatchObject({ code: 0 });
  });

  it('Ctrl+C stops the server, not the runs', async () => {
    const other = await startWeb(sandbox, repo);
    const started = await runPar(sandbox, ['run', '-m', 'sim: turns=2 duration=2s', join(sandbox.dir, 'wt1'), '--detach'], { cwd: repo });
    const stopped = await other.stop();
    expect(stopped).toMatchObject({ code: 0, stderr: 'par web: stopped; the runs go on.\n' });
    expect((await runStatus(sandbox, repo, started.stdout.trim())).state).toBe('running');
    await runPar(sandbox, ['cancel', started.stdout.trim()], { cwd: repo });
  });
});
