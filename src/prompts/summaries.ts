import { join } from 'node:path';
import { ParseCache } from '../config/parse-cache.js';
import type { PromptSummary } from './library.js';
import { promptNames } from './prompt-names.js';

/**
 * The library's prompts as lists show them (name, description, template),
 * read from the parse cache for files unchanged since last time; only the
 * others are parsed, loading the YAML parser only then.
 */
export async function promptSummaries(dir: string, cacheFile: string): Promise<PromptSummary[]> {
  const files = promptNames(dir).map((name) => `${name}.md`);
  const cache = new ParseCache<PromptSummary>(cacheFile);
  const summaries = new Map<string, PromptSummary>();
  const missing: string[] = [];
  for (const file of files) {
    const cached = cache.get(join(dir, file));
    if (cached) summaries.set(file, cached);
    else missing.push(file);
  }
  if (missing.length > 0) {
    const { PromptLibrary } = await import('./library.js');
    const library = new PromptLibrary(dir);
    for (const file of missing) {
      const name = file.slice(0, -3);
      try {
        const { meta } = library.get(name);
        const summary = { name, description: meta.description, template: meta.template };
        summaries.set(file, summary);
        cache.set(join(dir, file), summary);
      } catch {
        // A broken prompt is not listed; par show NAME says what is wrong with it.
      }
    }
  }
  cache.retain(new Set(files.map((file) => join(dir, file))));
  cache.save();
  return files.flatMap((file) => summaries.get(file) ?? []);
}
