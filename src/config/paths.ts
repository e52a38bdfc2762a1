import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';

/** Where par keeps its files (DESIGN §8): the same layout on Linux and macOS. */
export interface ParPaths {
  home: string;
  configDir: string;
  configFile: string;
  dataDir: string;
  stateDir: string;
  logDir: string;
}

type Env = Readonly<Record<string, string | undefined>>;

/** Resolves the XDG directories from the environment, defaulting under the home directory. */
export function resolvePaths(env: Env, home: string = env.HOME || homedir()): ParPaths {
  const xdg = (name: string, fallback: string): string => {
    const value = env[name];
    // XDG says relative values are invalid and must be ignored.
    return value && isAbsolute(value) ? value : join(home, fallback);
  };
  const configDir = join(xdg('XDG_CONFIG_HOME', '.config'), 'par');
  const dataDir = join(xdg('XDG_DATA_HOME', '.local/share'), 'par');
  const stateDir = join(xdg('XDG_STATE_HOME', '.local/state'), 'par');
  return {
    home,
    configDir,
    configFile: join(configDir, 'config.yaml'),
    dataDir,
    stateDir,
    logDir: join(stateDir, 'logs'),
  };
}

/** Expands a leading `~` to the home directory and makes the path absolute. */
export function expandHome(path: string, home: string, cwd: string = process.cwd()): string {
  if (path === '~') return home;
  if (path.startsWith('~/')) return join(home, path.slice(2));
  return resolve(cwd, path);
}
