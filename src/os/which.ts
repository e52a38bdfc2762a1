import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** The path `binary` runs from: itself when it has a slash, else the first match on PATH. */
export function findExecutable(binary: string, env: Readonly<Record<string, string | undefined>>, cwd: string): string | undefined {
  if (binary.includes('/')) {
    const path = isAbsolute(binary) ? binary : resolve(cwd, binary);
    return executable(path) ? path : undefined;
  }
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    const path = join(dir, binary);
    if (executable(path)) return path;
  }
  return undefined;
}
