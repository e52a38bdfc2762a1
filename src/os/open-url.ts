import { spawn } from 'node:child_process';
import { findExecutable } from './which.js';

/**
 * Opens `url` in the default browser (`open` on macOS, `xdg-open`
 * elsewhere), detached; resolves to null when it started, else a sentence
 * saying why not.
 */
export function openUrl(url: string, env: Readonly<Record<string, string | undefined>>, cwd: string): Promise<string | null> {
  const opener = process.platform === 'darwin' ? 'open' : 'xdg-open';
  const path = findExecutable(opener, env, cwd);
  if (!path) return Promise.resolve(`there is no ${opener} here to open a browser`);
  return new Promise((resolve) => {
    const child = spawn(path, [url], { detached: true, stdio: 'ignore' });
    child.once('error', (error) => resolve(`${opener} failed (${error.message})`));
    child.once('spawn', () => {
      child.unref();
      resolve(null);
    });
  });
}
