import { existsSync } from 'node:fs';
import { copyFile, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Git } from './git.js';

function nulList(output: string): string[] {
  return output.split('\0').filter(Boolean);
}

/** The files of `source` that are gitignored and match a pattern of its `.worktreeinclude`, relative to it. */
export async function worktreeIncludes(git: Git, source: string): Promise<string[]> {
  const includeFile = join(source, '.worktreeinclude');
  if (!existsSync(includeFile)) return [];
  const [matching, ignored] = await Promise.all([
    git.run(source, ['ls-files', '-z', '--others', '--ignored', `--exclude-from=${includeFile}`]),
    git.run(source, ['ls-files', '-z', '--others', '--ignored', '--exclude-standard']),
  ]);
  const ignoredSet = new Set(nulList(ignored));
  return nulList(matching).filter((file) => ignoredSet.has(file));
}

/**
 * Copies into a new worktree the files of `source` that are gitignored and
 * match a pattern of its `.worktreeinclude` (gitignore syntax): `.env`,
 * local settings and the like that a fresh checkout lacks. Returns the
 * relative paths copied.
 */
export async function copyWorktreeIncludes(git: Git, source: string, target: string): Promise<string[]> {
  const files = await worktreeIncludes(git, source);
  for (const file of files) {
    const destination = join(target, file);
    await mkdir(dirname(destination), { recursive: true });
    await copyFile(join(source, file), destination);
  }
  return files;
}
