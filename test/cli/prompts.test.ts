import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeSandbox, runPar, type Sandbox } from '../helpers/par.js';

let sandbox: Sandbox;
beforeEach(() => {
  sandbox = makeSandbox();
});
afterEach(() => sandbox.cleanup());

function file(name: string, content: string | Buffer): string {
  const path = join(sandbox.dir, name);
  writeFileSync(path, content);
  return path;
}

function libraryFiles(): string[] {
  return existsSync(sandbox.promptsDir) ? readdirSync(sandbox.promptsDir).sort() : [];
}

describe('the prompt library', () => {
  it('adds, lists, shows and removes a prompt', async () => {
    const source = file('p.md', 'Refactor the error handling of this service.\n');
    const added = await runPar(sandbox, ['add', '--name', 'refactor-errors', '--description', 'Refactor error handling', '--file', source]);
    expect(added).toMatchObject({ code: 0, stderr: '' });
    expect(added.stdout).toContain('Added prompt refactor-errors');

    const listed = await runPar(sandbox, ['list', 'prompts']);
    expect(listed.stdout).toBe('NAME             TEMPLATE  DESCRIPTION\nrefactor-errors  no        Refactor error handling\n');
    const json = await runPar(sandbox, ['list', 'prompts', '--json']);
    expect(JSON.parse(json.stdout)).toEqual([{ name: 'refactor-errors', description: 'Refactor error handling', template: false }]);
    expect((await runPar(sandbox, ['list'])).stdout).toContain(`Prompts\n${listed.stdout}\nWorktrees\n`);

    const shown = await runPar(sandbox, ['show', 'refactor-errors']);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toBe(
      '---\nname: refactor-errors\ndescription: Refactor error handling\ntemplate: false\n---\nRefactor the error handling of this service.\n',
    );

    const removed = await runPar(sandbox, ['remove', 'refactor-errors']);
    expect(removed).toMatchObject({ code: 0, stdout: 'Removed prompt refactor-errors\n' });
    expect(libraryFiles()).toEqual([]);
    expect((await runPar(sandbox, ['list', 'prompts', '--json'])).stdout).toBe('[]\n');
  });

  it('reads the prompt from stdin off a terminal, keeping its front matter', async () => {
    const text = '---\ndescription: from stdin\nmodel: opus\nvariables:\n  Area: the part to fix\n---\nFix {{.Area}}.\n';
    const added = await runPar(sandbox, ['add', '--name', 'fix', '--template'], { input: text });
    expect(added.code).toBe(0);
    const stored = readFileSync(join(sandbox.promptsDir, 'fix.md'), 'utf8');
    expect(stored).toBe('---\nname: fix\ndescription: from stdin\ntemplate: true\nvariables:\n  Area:\n    description: the part to fix\nmodel: opus\n---\nFix {{.Area}}.\n');
  });

  it('takes the name from the file when --name is not given', async () => {
    const source = file('lint-all.md', 'Fix every lint warning.\n');
    expect((await runPar(sandbox, ['add', '--file', source])).code).toBe(0);
    expect(libraryFiles()).toEqual(['lint-all.md']);
  });

  it('replaces a prompt only with --force', async () => {
    const first = file('a.md', 'first\n');
    const second = file('b.md', 'second\n');
    await runPar(sandbox, ['add', '--name', 'p', '--file', first]);
    const refused = await runPar(sandbox, ['add', '--name', 'p', '--file', second]);
    expect(refused).toMatchObject({ code: 2, stdout: '' });
    expect(refused.stderr).toBe("par: A prompt named 'p' already exists; pass --force to replace it.\n");
    expect(readFileSync(join(sandbox.promptsDir, 'p.md'), 'utf8')).toContain('first');
    const forced = await runPar(sandbox, ['add', '--name', 'p', '--file', second, '--force']);
    expect(forced).toMatchObject({ code: 0 });
    expect(forced.stdout).toContain('Replaced prompt p');
    expect(readFileSync(join(sandbox.promptsDir, 'p.md'), 'utf8')).toContain('second');
  });

  it('renders a template with --var, built-ins and declared defaults', async () => {
    const source = file(
      't.md',
      '---\nvariables:\n  Tone:\n    default: calm\n---\n{{/* header */ -}}\nProject {{.ProjectName | upper}}, task {{.TaskName}}, {{default "no branch" .Base}}, {{.Tone}}.\n',
    );
    await runPar(sandbox, ['add', '--name', 'tpl', '--template', '--file', source]);
    const rendered = await runPar(sandbox, ['show', 'tpl', '--render', '--var', 'ProjectName=Demo', '--var', 'Base=main']);
    expect(rendered).toMatchObject({ code: 0, stdout: 'Project DEMO, task tpl, main, calm.\n', stderr: '' });
  });

  it('fills ProjectName and BranchName from the repository it runs in', async () => {
    const repo = join(sandbox.dir, 'my-service');
    mkdirSync(repo);
    execFileSync('git', ['init', '-q', '-b', 'feature/x', repo]);
    const source = file('t.md', '{{.ProjectName}} on {{.BranchName}}\n');
    await runPar(sandbox, ['add', '--name', 'where', '--template', '--file', source]);
    const rendered = await runPar(sandbox, ['show', 'where', '--render'], { cwd: repo });
    expect(rendered).toMatchObject({ code: 0, stdout: 'my-service on feature/x\n' });
  });

  it('names every missing variable with its line and column in the stored prompt', async () => {
    const source = file('t.md', '---\ndescription: x\n---\nHello\n{{.Who}} and {{upper .What}}\n');
    await runPar(sandbox, ['add', '--name', 'tpl', '--template', '--file', source]);
    const rendered = await runPar(sandbox, ['show', 'tpl', '--render']);
    expect(rendered).toMatchObject({ code: 2, stdout: '' });
    expect(rendered.stderr).toBe(
      "par: The template in prompt 'tpl' cannot render: missing variable .Who (line 7, column 3), missing variable .What (line 7, column 22); pass --var Who=… --var What=….\n",
    );
  });
});

describe('bad input to the prompt commands: one sentence, exit 2, nothing written', () => {
  it.each([
    [['add', '--name', 'a/b'], "par: 'a/b' is not a valid prompt name"],
    [['add', '--name', 'a..b'], "par: 'a..b' is not a valid prompt name"],
    [['add', '--name', '../escape'], "par: '../escape' is not a valid prompt name"],
    [['add', '--name', 'has space'], "par: 'has space' is not a valid prompt name"],
    [['add', '--name', 'x', '--file', 'missing.md'], 'par: The prompt file missing.md does not exist; pass the path of a Markdown file to --file.'],
    [['show', 'x', '--var', 'A=1'], 'par: --var only applies with --render'],
    [['show', 'x', '--render', '--var', 'novalue'], "par: --var takes NAME=VALUE with a name of letters, digits or _, not 'novalue'."],
    [['remove', 'nothing'], "par: There is no prompt named 'nothing'. The library is empty: add one with 'par add'."],
  ])('par %j', async (args, message) => {
    const result = await runPar(sandbox, args, { input: 'some prompt\n' });
    expect(result).toMatchObject({ code: 2, stdout: '' });
    expect(result.stderr.startsWith(message)).toBe(true);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(libraryFiles()).toEqual([]);
  });

  it('refuses a prompt file that is not UTF-8', async () => {
    const source = file('latin1.md', Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a]));
    const result = await runPar(sandbox, ['add', '--name', 'x', '--file', source]);
    expect(result).toMatchObject({ code: 2 });
    expect(result.stderr).toBe(`par: The prompt in ${source} is not UTF-8 text; save it as UTF-8 and try again.\n`);
    expect(libraryFiles()).toEqual([]);
  });

  it('refuses an empty prompt on stdin', async () => {
    const result = await runPar(sandbox, ['add', '--name', 'x'], { input: '' });
    expect(result).toMatchObject({ code: 2, stderr: 'par: The prompt in stdin is empty; write its text below the front matter.\n' });
  });

  it('refuses a prompt over 10 MB', async () => {
    const result = await runPar(sandbox, ['add', '--name', 'big'], { input: Buffer.alloc(10 * 1024 * 1024 + 1, 0x61) });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/is 10\.0 MB; prompts may be at most 10 MB\.\n$/);
  });

  it('refuses a template with a syntax error at add, naming the file line and column', async () => {
    const source = file('bad.md', '---\ndescription: x\n---\nfirst line\n  {{if .X}}yes{{end}}\n');
    const result = await runPar(sandbox, ['add', '--name', 'bad', '--template', '--file', source]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `par: The template in ${source} has an error at line 5, column 5: 'if' is not supported: templates allow variables, pipes and the functions upper, lower, title, default.\n`,
    );
    expect(libraryFiles()).toEqual([]);
  });

  it('suggests the closest name for an unknown prompt', async () => {
    await runPar(sandbox, ['add', '--name', 'refactor-errors'], { input: 'text\n' });
    const result = await runPar(sandbox, ['show', 'refactor-eror']);
    expect(result).toMatchObject({ code: 2, stderr: "par: There is no prompt named 'refactor-eror'. Did you mean 'refactor-errors'?\n" });
  });
});
