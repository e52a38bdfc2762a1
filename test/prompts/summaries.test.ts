import { mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { promptSummaries } from '../../src/prompts/summaries.js';

let dir: string;
let prompts: string;
let cache: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'par-summaries-'));
  prompts = join(dir, 'prompts');
  cache = join(dir, 'cache', 'prompts.json');
  mkdirSync(prompts);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('prompt summaries', () => {
  it('lists prompts, and follows additions, edits and removals through the cache', async () => {
    writeFileSync(join(prompts, 'fix-lint.md'), '---\ndescription: fix the lint\n---\nFix it.\n');
    writeFileSync(join(prompts, 'add-tests.md'), '---\ndescription: add tests\ntemplate: true\n---\nTest {{.ProjectName}}.\n');
    writeFileSync(join(prompts, 'broken.md'), '---\ndescription: [unclosed\n---\nx\n');
    expect(await promptSummaries(prompts, cache)).toEqual([
      { name: 'add-tests', description: 'add tests', template: true },
      { name: 'fix-lint', description: 'fix the lint', template: false },
    ]);
    writeFileSync(join(prompts, 'fix-lint.md'), '---\ndescription: fix every lint warning\n---\nFix it.\n');
    unlinkSync(join(prompts, 'add-tests.md'));
    writeFileSync(join(prompts, 'new.md'), 'Just text.\n');
    expect(await promptSummaries(prompts, cache)).toEqual([
      { name: 'fix-lint', description: 'fix every lint warning', template: false },
      { name: 'new', description: '', template: false },
    ]);
    expect(await promptSummaries(join(dir, 'missing'), cache)).toEqual([]);
  });
});
