// A separate process that creates worktrees, for tests of the cross-process
// lock: node create-worker.mjs <repo> <dataDir> <runId> <count> <prefix>
import { createWorktrees } from '../../src/git/create-worktrees.js';
import { createGit } from '../../src/git/real-git.js';
import { createCommandRunner } from '../../src/os/command-runner.js';
import { planWorktrees } from '../../src/git/plan-worktrees.js';

const [repo = '', dataDir = '', runId = '', count = '1', prefix = 'j'] = process.argv.slice(2);
const jobs = Array.from({ length: Number(count) }, (_, index) => `${prefix}${index + 1}`);
const plan = await planWorktrees({
  git: createGit(),
  runner: createCommandRunner(),
  repoDir: repo,
  runId,
  jobs,
  dataDir,
  branchPattern: 'par/{run}/{job}',
  setup: [],
  checkoutConcurrency: 4,
});
for await (const result of createWorktrees(plan)) process.stdout.write(`${JSON.stringify(result)}\n`);
