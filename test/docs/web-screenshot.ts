// `npm run screenshot:web`: the README's pictures of `par web`, taken from
// the real page in headless Chromium at a desktop's and a phone's width —
// a run of the simulated agent in a throwaway sandbox: jobs done, one
// working, one waiting on a permission request. Run it again when the page changes.
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { runPar } from '../helpers/par.js';
import { makeSimRuns, runStatus } from '../helpers/sim-runs.js';
import { chromiumPath, startWeb } from '../helpers/web.js';

const root = process.cwd();
const { sandbox, repo } = makeSimRuns(5);
const wt = (n: number): string => join(sandbox.dir, `wt${n}`);
const web = await startWeb(sandbox, repo);
const going: string[] = [];
const browser = await chromium.launch({ executablePath: chromiumPath(), args: ['--no-sandbox', '--disable-gpu'] });
try {
  const done = await runPar(sandbox, ['run', '-m', 'sim: turns=3 duration=300ms edit=README.md write=notes.md', wt(1), wt(2), '--detach'], { cwd: repo });
  for (let tries = 0; tries < 100 && (await runStatus(sandbox, repo, done.stdout.trim())).state === 'running'; tries++) await new Promise((resolve) => setTimeout(resolve, 100));
  const live = (await runPar(sandbox, ['run', '-m', 'sim: turns=40 duration=60s edit=README.md', wt(3), wt(4), '--detach'], { cwd: repo })).stdout.trim();
  const asking = (await runPar(sandbox, ['run', '-m', 'sim: turns=1 duration=300ms ask=npm_publish', wt(5), '--detach'], { cwd: repo })).stdout.trim();
  going.push(live, asking);
  await new Promise((resolve) => setTimeout(resolve, 4000));
  for (const [name, width, height, path] of [
    ['web-desktop', 1100, 560, '/'],
    ['web-run', 1100, 330, `/runs/${live}`],
    ['web-phone', 375, 700, `/runs/${live}`],
  ] as const) {
    const page = await browser.newPage({ viewport: { width, height }, deviceScaleFactor: 1 });
    await page.goto(web.url);
    await page.getByText('Start a run…').waitFor();
    if (path !== '/') {
      await page.locator('.run-row', { hasText: live }).click();
      await page.locator('a.grid-row').first().waitFor();
    }
    await page.waitForTimeout(1200);
    await page.screenshot({ path: join(root, 'assets', `${name}.png`) });
    await page.close();
    process.stdout.write(`wrote assets/${name}.png\n`);
  }
} finally {
  await browser.close();
  for (const run of going) await runPar(sandbox, ['cancel', run], { cwd: repo }).catch(() => undefined);
  await web.stop();
  sandbox.cleanup();
}
