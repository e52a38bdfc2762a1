import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PAR_BIN, makeSandbox, type Sandbox } from '../helpers/par.js';
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
    const screen = await tmux.waitFor((text) => text.includes('EXIT='));
    expect(screen).toMatch(/editing \/.*par-edit-.*\/prompt\.md/);
    expect(screen).toContain('Added prompt tidy');
    expect(screen).toContain('EXIT=0');
    expect(readFileSync(join(sandbox.promptsDir, 'tidy.md'), 'utf8')).toBe(
      '---\nname: tidy\ndescription: written in the editor\ntemplate: false\n---\nTidy up the README.\n',
    );
  });

  it('shows the help on a terminal when run with no arguments', async () => {
    const command = `${shellQuote(process.execPath)} ${shellQuote(PAR_BIN)}; echo "EXIT=$?"`;
    tmux = startTmux({ command: `sh -c ${shellQuote(command)}`, env: sandbox.env, cwd: sandbox.dir });
    const screen = await tmux.waitFor((text) => text.includes('EXIT='));
    expect(screen).toContain('Usage: par');
    expect(screen).toContain('EXIT=0');
  });
});
