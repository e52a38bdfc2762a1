// The page of `par web` in a real browser (headless Chromium): a run
// started from it and watched to the end, a permission request answered
// from it, a message sent from it, and every job on a phone's width.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunEvent } from '../../src/core/events.js';
import { costCell, diffCell } from '../../src/core/grid-layout.js';
import { runPar, type Sandbox } from '../helpers/par.js';
import { makeSimRuns, runStatus } from '../helpers/sim-runs.js';
import { chromiumPath, startWeb, type WebServer } from '../helpers/web.js';

let browser: Browser;
let sandbox: Sandbox;
let repo: string;
let web: WebServer;
const wt = (n: number): string => join(sandbox.dir, `wt${n}`);

beforeAll(async () => {
  browser = await chromium.launch({ executablePath: chromiumPath(), args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
}, 60_000);
afterAll(async () => {
  await browser?.close();
});
beforeEach(async () => {
  ({ sandbox, repo } = makeSimRuns(4));
  web = await startWeb(sandbox, repo);
});
afterEach(async () => {
  await runPar(sandbox, ['cancel'], { cwd: repo }).catch(() => undefined);
  await web.stop();
  sandbox.cleanup();
});

/** A new tab signed in through the address par printed, `width` wide. */
async function openPage(width = 1280): Promise<Page> {
  const page = await browser.newPage({ viewport: { width, height: 800 } });
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('dialog', (dialog) => void dialog.accept());
  await page.goto(web.url);
  await page.getByText('Start a run…').waitFor();
  expect(errors).toEqual([]);
  // The token is gone from the address bar once traded for the session.
  expect(page.url()).toBe(`${web.base}/`);
  return page;
}

const journal = (dir: string): RunEvent[] => readFileSync(join(dir, 'events.ndjson'), 'utf8').split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as RunEvent);

describe('par web in a browser', () => {
  it('a run of 4 jobs started from the page: the grid shows them run and finish, with the cost and diff par status gives', async () => {
    const page = await openPage();
    await page.getByText('Start a run…').click();
    await page.locator('textarea[name=message]').fill('sim: turns=3 duration=1500ms edit=README.md');
    for (let n = 1; n <= 4; n++) await page.locator(`input[name=worktree][value="${wt(n)}"]`).check();
    await page.getByRole('button', { name: 'Start', exact: true }).click();
    await page.waitForURL(/\/runs\/\d{8}-\d{6}-[a-z0-9]{4}$/);
    const runId = page.url().split('/').pop() as string;
    const rows = page.locator('a.grid-row');
    await expect.poll(() => rows.count()).toBe(4);
    // Live: rows go running while the agents work, then all succeed, with no reload.
    await page.locator('a.grid-row .c-state', { hasText: 'running' }).first().waitFor({ timeout: 15_000 });
    await expect.poll(() => page.locator('a.grid-row .c-state', { hasText: 'succeeded' }).count(), { timeout: 30_000 }).toBe(4);
    const status = await runStatus(sandbox, repo, runId);
    expect(status.state).toBe('succeeded');
    for (const job of status.jobs) {
      const row = page.locator('a.grid-row', { has: page.locator('.c-job', { hasText: new RegExp(`^${job.id}$`) }) });
      await expect.poll(() => row.locator('.c-cost').textContent()).toBe(costCell(job.cost_usd));
      expect(await row.locator('.c-diff').textContent()).toBe(diffCell(job));
      expect(diffCell(job)).toMatch(/^\+\d+ −\d+ 1f$/);
    }
    await page.close();
  }, 90_000);

  it('a job asking permission shows on the page; allow there and the job goes on, the journal saying a person allowed it from the web', async () => {
    const started = await runPar(sandbox, ['run', '-m', 'sim: turns=1 duration=300ms ask=curl_example.com', wt(1), '--detach'], { cwd: repo });
    const runId = started.stdout.trim();
    const page = await openPage();
    await page.locator('a.need-you', { hasText: '1 needs you' }).waitFor({ timeout: 15_000 });
    await page.locator('#inbox a', { hasText: 'asks: Bash curl example.com' }).click();
    await page.waitForURL(`${web.base}/runs/${runId}/jobs/wt1`);
    const request = page.getByLabel('pending request');
    await expect.poll(() => request.locator('pre.command').textContent()).toBe('$ curl example.com');
    await request.getByRole('button', { name: 'Allow', exact: true }).click();
    await page.locator('.said', { hasText: 'wt1: allowed.' }).waitFor();
    await page.locator('.summary', { hasText: 'succeeded' }).waitFor({ timeout: 20_000 });
    expect(await request.count()).toBe(0);
    // The log shows the decision under the request, as the TUI's does.
    await expect.poll(() => page.getByLabel('log').textContent()).toMatch(/◉ asks to use Bash curl example\.com\n {2}✓ allowed by you \(web\)/);
    const decided = journal((await runStatus(sandbox, repo, runId)).dir).filter((event) => event.type === 'job/permission');
    expect(decided).toEqual([expect.objectContaining({ job: 'wt1', decision: 'allow', by: 'person', via: 'web' })]);
    await page.close();
  }, 60_000);

  it('a question answered from the page by its option; an interrupt from the page leaves the job waiting for instructions', async () => {
    const started = await runPar(sandbox, ['run', '-m', 'sim: turns=1 duration=300ms question=Which_database? options=Postgres,SQLite', wt(3), '--detach'], { cwd: repo });
    const runId = started.stdout.trim();
    const page = await openPage();
    await page.goto(`${web.base}/runs/${runId}/jobs/wt3`);
    const request = page.getByLabel('pending request');
    await request.getByText('Question: Which database?').waitFor({ timeout: 20_000 });
    await request.getByRole('button', { name: 'SQLite' }).click();
    await page.locator('.said', { hasText: 'wt3: answered "SQLite".' }).waitFor();
    await page.locator('.summary', { hasText: 'succeeded' }).waitFor({ timeout: 20_000 });
    const answered = journal((await runStatus(sandbox, repo, runId)).dir).filter((event) => event.type === 'job/answered');
    expect(answered).toEqual([expect.objectContaining({ job: 'wt3', answer: 'SQLite', by: 'person', via: 'web' })]);
    const long = (await runPar(sandbox, ['run', '-m', 'sim: turns=1 long=30s', wt(4), '--detach'], { cwd: repo })).stdout.trim();
    await page.goto(`${web.base}/runs/${long}/jobs/wt4`);
    await page.locator('.summary', { hasText: 'running' }).waitFor({ timeout: 15_000 });
    await page.getByRole('button', { name: 'Interrupt' }).click();
    await page.locator('.said', { hasText: 'wt4: interrupted' }).waitFor();
    // First the run itself (its journal), then the page: a failure says which of the two did not follow.
    const dir = (await runStatus(sandbox, repo, long)).dir;
    const told = () => journal(dir).map((event) => (event.type === 'job/needs-input' ? `${event.type} ${event.pending.kind}` : event.type));
    await expect.poll(told, { timeout: 30_000 }).toContain('job/needs-input instructions');
    const activity = page.locator('.activity', { hasText: 'waiting for instructions' });
    await activity.waitFor({ timeout: 20_000 }).catch(async (error: Error) => {
      throw new Error(`${error.message}\nthe page shows: ${await page.locator('.summary').textContent()} / ${await page.locator('.activity').textContent()}`);
    });
    await page.close();
  }, 60_000);

  it('a message sent from the page reaches the agent and shows in the log', async () => {
    // Long enough to be seen running on a slow machine, turns short enough for the message to come back soon.
    const started = await runPar(sandbox, ['run', '-m', 'sim: turns=4 duration=12s', wt(2), '--detach'], { cwd: repo });
    const runId = started.stdout.trim();
    const page = await openPage();
    await page.goto(`${web.base}/runs/${runId}/jobs/wt2`);
    await page.locator('.summary', { hasText: 'running' }).waitFor({ timeout: 15_000 });
    await page.locator('form.send textarea').fill('hello from the page');
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    await page.locator('.said', { hasText: /^wt2: (delivered|queued for its next turn)\.$/ }).waitFor();
    await expect.poll(() => page.getByLabel('log').textContent(), { timeout: 30_000 }).toContain('hello from the page');
    const sent = journal((await runStatus(sandbox, repo, runId)).dir).filter((event) => event.type === 'job/message');
    expect(sent).toEqual([expect.objectContaining({ job: 'wt2', text: 'hello from the page', via: 'web' })]);
    await page.close();
  }, 60_000);

  it('at a phone’s width (375 px) every job of a run shows, nothing wider than the screen', async () => {
    const started = await runPar(sandbox, ['run', '-m', 'sim: turns=1 duration=200ms edit=README.md', wt(1), wt(2), wt(3), wt(4), '--detach'], { cwd: repo });
    const runId = started.stdout.trim();
    const page = await openPage(375);
    await page.locator('.run-row', { hasText: runId }).click();
    await expect.poll(() => page.locator('a.grid-row .c-state', { hasText: 'succeeded' }).count(), { timeout: 30_000 }).toBe(4);
    for (const row of await page.locator('a.grid-row').all()) {
      expect(await row.isVisible()).toBe(true);
      const box = await row.boundingBox();
      expect(box && box.x >= 0 && box.x + box.width <= 375).toBe(true);
      expect(await row.locator('.c-job').isVisible()).toBe(true);
      expect(await row.locator('.c-diff').textContent()).toMatch(/^\+\d+ −\d+ 1f$/);
    }
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(375);
    await page.close();
  }, 60_000);
});
