import { open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { processAlive } from './process-alive.js';

/** A lock older than this whose holder is gone is stale: holds last milliseconds. */
const STALE_AFTER_MS = 10_000;
/** Polling between tries; short, since holds are short. */
const POLL_MS = 4;

const localQueues = new Map<string, Promise<unknown>>();


async function tryAcquire(path: string): Promise<boolean> {
  try {
    const handle = await open(path, 'wx');
    await handle.writeFile(`${process.pid}\n${hostname()}\n`);
    await handle.close();
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    await removeIfStale(path);
    return false;
  }
}

async function removeIfStale(path: string): Promise<void> {
  try {
    const [text, info] = await Promise.all([readFile(path, 'utf8'), stat(path)]);
    const [pid, host] = text.split('\n');
    const holder = Number(pid);
    const dead = host === hostname() && Number.isInteger(holder) && holder > 0 && !processAlive(holder);
    // A holder on another host (a shared disk) cannot be asked: only a very old lock is taken over.
    if (dead || Date.now() - info.mtimeMs > STALE_AFTER_MS * 6) {
      // Rename first: of two processes that both see it stale, only one removes it.
      const aside = `${path}.stale-${process.pid}`;
      await rename(path, aside);
      await unlink(aside);
    }
  } catch {
    // Gone already, or half-written by a holder that is still starting: try again.
  }
}

/**
 * Runs `fn` holding an exclusive lock that works across processes: a file
 * created with O_EXCL holding the holder's pid. A lock left by a process
 * that died is taken over. Within one process, callers queue in memory
 * rather than polling the file.
 */
export async function withFileLock<T>(path: string, fn: () => Promise<T>): Promise<T> {
  const previous = localQueues.get(path) ?? Promise.resolve();
  const run = previous
    .catch(() => undefined)
    .then(async () => {
      while (!(await tryAcquire(path))) await sleep(POLL_MS + Math.random() * POLL_MS);
      try {
        return await fn();
      } finally {
        await unlink(path).catch(() => undefined);
      }
    });
  localQueues.set(path, run);
  try {
    return await run;
  } finally {
    if (localQueues.get(path) === run) localQueues.delete(path);
  }
}
