import { mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { withFileLock } from '../os/file-lock.js';
import { isRunSupervisor } from '../rundir/runs.js';

/** Machine-wide limits on starting agents (DESIGN §14): usage limits and `defaults.max_agents`. */
export interface AgentGate {
  /** Waits until an agent may start: no usage limit in force for it, a machine-wide place free. `paused` is told of a limit waited out. Resolves with the place's release, or null when `abort` fired first. */
  enter(paused: (resetsAt: number) => void, abort: AbortSignal): Promise<(() => void) | null>;
  /** A usage limit reached: no agent sharing its configuration starts before `resetsAt`; resolves once every run can see it. */
  limitReached(resetsAt: number, type: string | null): Promise<void>;
}

/** How often a job waiting for a machine-wide place looks again. */
const PLACE_POLL_MS = 250;

/** `<data>/limits.json`: usage limits in force, by Claude configuration. */
type Limits = Record<string, { resets_at: number; type: string | null }>;

/** The Claude configuration a claude agent uses: `CLAUDE_CONFIG_DIR`, else `~/.claude` of its home. */
export function claudeConfigKey(env: NodeJS.ProcessEnv): string {
  return env.CLAUDE_CONFIG_DIR ?? join(env.HOME ?? '', '.claude');
}

/** The usage limits in force now (read without the lock: the file is replaced whole). */
export function readLimits(dataDir: string): Limits {
  try {
    const parsed: unknown = JSON.parse(readFileSync(join(dataDir, 'limits.json'), 'utf8'));
    return typeof parsed === 'object' && parsed !== null ? (parsed as Limits) : {};
  } catch {
    return {};
  }
}

const wait = (ms: number, abort: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (abort.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      abort.removeEventListener('abort', done);
      resolve();
    }
    abort.addEventListener('abort', done);
  });

/**
 * The machine-wide gate of DESIGN §14: no claude agent starts while a usage
 * limit of its configuration is in force (`<data>/limits.json`, written
 * under a lock, by any run), and at most `maxAgents` agents live at once
 * across every run (`<data>/agents/<n>`, each naming the supervisor that
 * holds it: a place whose supervisor is gone is free again).
 */
export function machineGate(options: { dataDir: string; runDir: string; maxAgents: number | null; limitKey: string | null; holderAlive?: (pid: unknown, runDir: string) => boolean }): AgentGate {
  const { dataDir, runDir, maxAgents, limitKey } = options;
  const holderAlive = options.holderAlive ?? isRunSupervisor;
  const placesDir = join(dataDir, 'agents');

  const takePlace = (): (() => void) | null => {
    if (maxAgents === null) return () => undefined;
    mkdirSync(placesDir, { recursive: true });
    for (let index = 0; index < maxAgents; index++) {
      const path = join(placesDir, String(index));
      try {
        writeFileSync(path, JSON.stringify({ pid: process.pid, run_dir: runDir }), { flag: 'wx' });
        return () => {
          try {
            unlinkSync(path);
          } catch {
            // Freed already.
          }
        };
      } catch {
        // Taken: free it when its supervisor is gone (crashed, killed), then try it again next round.
        try {
          const holder = JSON.parse(readFileSync(path, 'utf8')) as { pid?: unknown; run_dir?: unknown };
          if (typeof holder.run_dir !== 'string' || !holderAlive(holder.pid, holder.run_dir)) unlinkSync(path);
        } catch {
          // Being written or removed by another: next round.
        }
      }
    }
    return null;
  };

  return {
    async enter(paused, abort) {
      let told = 0;
      while (!abort.aborted) {
        const limit = limitKey === null ? undefined : readLimits(dataDir)[limitKey];
        const now = Date.now() / 1000;
        if (limit && limit.resets_at > now) {
          if (told !== limit.resets_at) paused(limit.resets_at);
          told = limit.resets_at;
          await wait((limit.resets_at - now) * 1000 + 50, abort);
          continue;
        }
        const release = takePlace();
        if (release) return release;
        await wait(PLACE_POLL_MS, abort);
      }
      return null;
    },
    async limitReached(resetsAt, type) {
      if (limitKey === null) return;
      mkdirSync(dataDir, { recursive: true });
      const path = join(dataDir, 'limits.json');
      await withFileLock(`${path}.lock`, async () => {
        const limits = readLimits(dataDir);
        const now = Date.now() / 1000;
        for (const [key, limit] of Object.entries(limits)) if (limit.resets_at <= now) delete limits[key];
        limits[limitKey] = { resets_at: Math.max(resetsAt, limits[limitKey]?.resets_at ?? 0), type };
        writeFileSync(`${path}.tmp`, `${JSON.stringify(limits, null, 2)}\n`);
        renameSync(`${path}.tmp`, path);
      }).catch(() => undefined);
    },
  };
}
