import { open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { processAlive } from './process-alive.js';

/** A short lock whose holder cannot be asked (another host, on a shared disk) is taken over after this long. */
const STALE_AFTER_MS = 60_000;
/** Polling between tries; short, since holds are short. */
const POLL_MS = 4;

const localQueues = new Map<string, Promise<unknown>>();

/** How a lock is taken. */
export interface LockOptions {
  /** Whether the pid in a lock (of this host) still holds it; default: the process is alive. */
  holderAlive?: (pid: number) => boolean;
  /** A lock older than this is taken over even when its holder cannot be asked; null: never (a lock held for a long time). */
  staleAfterMs?: number | null;
  /** Give up after this long and resolve null; default: wait as long as it takes. */
  waitMs?: number;
  pollMs?: number;
}

async function tryAcquire(path: string, options: LockOptions): Promise<boolean> {
  try {
    const handle = await open(path, 'wx');
    await handle.writeFile(`${process.pid}\n${hostname()}\n`);
    await handle.close();
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    await removeIfStale(path, options);
    return false;
  }
}

async function removeIfStale(path: string, options: LockOptions): Promise<void> {
  try {
    const [text, info] = await Promise.all([readFile(path, 'utf8'), stat(path)]);
    const [pid, host] = text.split('\n');
    const holder = Number(pid);
    // A lock with no pid yet is being written by a holder that is still starting: it is not stale for that.
    // A lock with no host line was written on this host (by a par from before locks named their host).
    const local = !host || host === hostname();
    const dead = local && Number.isInteger(holder) && holder > 0 && !(options.holderAlive ?? processAlive)(holder);
    const staleAfter = options.staleAfterMs === undefined ? STALE_AFTER_MS : options.staleAfterMs;
    // A holder on another host (a shared disk) cannot be asked: only a very old lock is taken over.
    if (dead || (staleAfter !== null && Date.now() - info.mtimeMs > staleAfter)) {
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
 * Takes an exclusive lock that works across processes — a file created
 * with O_EXCL holding the holder's pid and host — taking over one whose
 * holder is gone. Resolves with its release, or null after `waitMs`.
 */
export async function acquireFileLock(path: string, options: LockOptions = {}): Promise<(() => Promise<void>) | null> {
  const deadline = options.waitMs === undefined ? Number.POSITIVE_INFINITY : Date.now() + options.waitMs;
  const poll = options.pollMs ?? POLL_MS;
  while (!(await tryAcquire(path, options))) {
    if (Date.now() > deadline) return null;
    await sleep(poll + Math.random() * poll);
  }
  return () => unlink(path).catch(() => undefined);
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
      const release = (await acquireFileLock(path)) as () => Promise<void>;
      try {
        return await fn();
      } finally {
        await release();
      }
    });
  localQueues.set(path, run);
  try {
    return await run;
  } finally {
    if (localQueues.get(path) === run) localQueues.delete(path);
  }
}
