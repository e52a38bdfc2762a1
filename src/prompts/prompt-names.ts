import { readdirSync } from 'node:fs';

/** The names of the prompts in a library directory (`<name>.md`, hidden files left out), sorted; none when it does not exist. */
export function promptNames(dir: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return entries
    .filter((entry) => entry.endsWith('.md') && !entry.startsWith('.'))
    .map((entry) => entry.slice(0, -3))
    .sort((a, b) => a.localeCompare(b));
}
