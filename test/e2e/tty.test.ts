import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PAR_BIN, makeSandbox, type Sandbox } from '../helpers/par.js';
import { makeRepo } from '../helpers/git-repo.js';
import { makeRunWithWorktrees } from '../helpers/runs.js';
import { startTmux, type TmuxSession } from '../helpers/tmux.js';

let sandbox: Sandbox;
let tmux: TmuxSession | undefined;
beforeEach(() => {
  sandbox = makeSandbox();
});
afterEach(() => {
  tmux?.kill();
  sandbox.cleanup();
});

function shellQuote(text: string): string {
  return `'${text.replace(/'/g, "'\\''")}'`;
}

describe('par in a real terminal', () => {
  it('opens $EDITOR for `par add` without --file and stores what was written', async () => {
    const editor = join(sandbox.dir, 'fake-editor.sh');
    // Stands in for a person: shows the file it was given, then writes a prompt into it.
    writeFileSync(
      editor,
      `#!/bin/sh\necho "editing $1"\nprintf -- '---\\ndescription: written in the editor\\n---\\nTidy up the README.\\n' > "$1"\nsleep 0.3\n`,
    );
    chmodSync(editor, 0o755);
    const command = `${shellQuote(process.execPath)} ${shellQuote(PAR_BIN)} add --name tidy; echo "EXIT=$?"`;
    tmux = startTmux({ command: `sh -c ${shellQuote(command)}`, env: { ...sandbox.env, EDITOR: editor }, cwd: sandbox.dir });
    const screen = await tmux.waitForEnd();
    expect(screen).toMatch(/editing \/.*par-edit-.*\/prompt\.md/);
    expect(screen).toContain('Added prompt tidy');
    expect(screen).toContain('EXIT=0');
    expect(readFileSync(join(sandbox.promptsDir, 'tidy.md'), 'utf8')).toBe(
      '---\nname: tidy\ndescription: written in the editor\ntemplate: false\n---\nTidy up the README.\n',
    );
  });

  it('asks before `par clean` removes anything, and does nothing on no', async () => {
    const repo = makeRepo(join(sandbox.dir, 'app'));
    const dataDir = join(sandbox.dir, 'data', 'par');
    const made = await makeRunWithWorktrees({ repo, dataDir, runId: '20261101-090000-tty1', jobs: ['one', 'two'], finishedDaysAgo: 30 });
    const clean = (answer: string): Promise<string> => {
      const command = `${shellQuote(process.execPath)} ${shellQuote(PAR_BIN)} clean; echo "EXIT=$?"`;
      const session = startTmux({ command: `sh -c ${shellQuote(command)}`, env: sandbox.env, cwd: repo });
      tmux = session;
      return session.waitFor((text) => text.includes('Go ahead? [y/N]')).then(async () => {
        session.send([answer, 'Enter']);
        const screen = await session.waitForEnd();
        session.kill();
        return screen;
      });
    };
    const declined = await clean('n');
    expect(declined).toMatch(/remove +.*\/one/);
    expect(declined).toContain('Nothing was changed.');
    expect(existsSync(made.one!.path)).toBe(true);
    const accepted = await clean('y');
    expect(accepted).toMatch(/removed .*\/one \(branch par\/20261101-090000-tty1\/one merged: deleted\)/);
    expect(accepted).toContain('EXIT=0');
    expect(existsSync(made.one!.path)).toBe(false);
    expect(existsSync(made.two!.path)).toBe(false);
  });

  it('with a broken config, the TUI says what is wrong with it instead of crashing', async () => {
    mkdirSync(join(sandbox.dir, 'config', 'par'), { recursive: true });
    writeFileSync(sandbox.configFile, 'defaults:\n  jobs: zero\n');
    const command = `${shellQuote(process.execPath)} ${shellQuote(PAR_BIN)}; echo "EXIT=$?"`;
    tmux = startTmux({ command: `sh -c ${shellQuote(command)}`, env: sandbox.env, cwd: sandbox.dir });
    const screen = await tmux.waitFor((text) => text.includes('The prompt library cannot be read'));
    expect(screen).toContain('line 2 is invalid');
    tmux.send(['q']);
    expect(await tmux.waitForEnd()).toContain('EXIT=0');
  });

  it('opens the TUI on a terminal when run with no arguments, and q leaves it with exit 0', async () => {
    const command = `${shellQuote(process.execPath)} ${shellQuote(PAR_BIN)}; echo "EXIT=$?"`;
    tmux = startTmux({ command: `sh -c ${shellQuote(command)}`, env: sandbox.env, cwd: sandbox.dir });
    const screen = await tmux.waitFor((text) => text.includes('The prompt library is empty.'));
    expect(screen).toContain('Press a to write a prompt');
    tmux.send(['q']);
    const after = await tmux.waitForEnd();
    expect(after).toContain('EXIT=0');
    expect(after).not.toContain('The prompt library is empty.');
  });
});
