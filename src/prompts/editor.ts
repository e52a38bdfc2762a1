import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UserError } from '../core/errors.js';

/**
 * Opens `$VISUAL` or `$EDITOR` (with any arguments it holds, never through
 * a shell) on a temporary Markdown file holding `initial`, waits for it and
 * returns what was saved.
 */
export function editText(initial: string, env: Readonly<Record<string, string | undefined>>): string {
  const command = (env.VISUAL || env.EDITOR || '').trim();
  if (command === '') {
    throw new UserError('No editor is set: set $VISUAL or $EDITOR, or pass the prompt with --file FILE or on stdin.');
  }
  const [program = '', ...args] = command.split(/\s+/);
  const dir = mkdtempSync(join(tmpdir(), 'par-edit-'));
  const file = join(dir, 'prompt.md');
  try {
    writeFileSync(file, initial);
    const result = spawnSync(program, [...args, file], { stdio: 'inherit' });
    if (result.error) {
      throw new UserError(`The editor '${program}' could not be started (${result.error.message}); check $VISUAL / $EDITOR.`);
    }
    if (result.status !== 0) {
      throw new UserError(`The editor '${program}' exited with status ${result.status ?? result.signal}; nothing was saved.`);
    }
    return readFileSync(file, 'utf8');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
