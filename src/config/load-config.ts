import { join } from 'node:path';
import { expandHome, type ParPaths } from './paths.js';
import { mergeWithDefaults, type ParConfig } from './schema.js';

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
  const { ConfigFile } = await import('./config-file.js');
  const file = new ConfigFile(paths.configDir);
  const raw = file.read();
  const config = mergeWithDefaults(raw);
  const expand = (path: string): string => expandHome(path, paths.home, paths.home);
  config.defaults.output_dir = config.defaults.output_dir === null ? null : expand(config.defaults.output_dir);
  config.worktrees.search_paths = config.worktrees.search_paths.map(expand);
  config.prompts.storage_dir = config.prompts.storage_dir === null ? null : expand(config.prompts.storage_dir);
  if (config.claude.binary_path.startsWith('~')) config.claude.binary_path = expand(config.claude.binary_path);
  return {
    config,
    raw,
    file: file.path,
    promptsDir: config.prompts.storage_dir ?? join(paths.dataDir, 'prompts'),
  };
}
