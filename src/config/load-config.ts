import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ParseCache } from './parse-cache.js';
import { expandHome, type ParPaths } from './paths.js';
import { mergeWithDefaults, validateConfig } from './schema.js';
import { type ParConfig } from './settings.js';

/** The effective configuration and where it came from. */
export interface LoadedConfig {
  config: ParConfig;
  /** The values set in the file, before defaults. */
  raw: Record<string, unknown>;
  file: string;
  /** The prompt library's directory: `prompts.storage_dir` or `<data>/prompts`. */
  promptsDir: string;
}

/**
 * Reads and validates the configuration (throws a UserError naming the
 * problem), lays it over the defaults, expands `~` in paths and resolves
 * null path defaults under the XDG directories. Relative paths are taken
 * from the home directory.
 */
export async function loadConfig(paths: ParPaths): Promise<LoadedConfig> {
  const raw = await readRaw(paths);
  const config = mergeWithDefaults(raw);
  const expand = (path: string): string => expandHome(path, paths.home, paths.home);
  config.defaults.output_dir = config.defaults.output_dir === null ? null : expand(config.defaults.output_dir);
  config.worktrees.search_paths = config.worktrees.search_paths.map(expand);
  config.prompts.storage_dir = config.prompts.storage_dir === null ? null : expand(config.prompts.storage_dir);
  if (config.claude.binary_path.startsWith('~')) config.claude.binary_path = expand(config.claude.binary_path);
  return {
    config,
    raw,
    file: paths.configFile,
    promptsDir: config.prompts.storage_dir ?? join(paths.dataDir, 'prompts'),
  };
}

/** The file's values: from the parse cache when the file is unchanged (and still valid), else parsed and checked. */
async function readRaw(paths: ParPaths): Promise<Record<string, unknown>> {
  if (!existsSync(paths.configFile)) return {};
  const cache = new ParseCache<Record<string, unknown>>(join(paths.stateDir, 'cache', 'config.json'));
  const cached = cache.get(paths.configFile);
  if (cached !== undefined && validateConfig(cached).length === 0) return cached;
  const { ConfigFile } = await import('./config-file.js');
  const raw = new ConfigFile(paths.configDir).read();
  cache.set(paths.configFile, raw);
  cache.save();
  return raw;
}
