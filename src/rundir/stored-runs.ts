import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { RunPhase, StoredRun } from '../core/run-state.js';
import { loadRunState, runIds, runIsGoing } from './runs.js';
import { runsDir } from './files.js';

/**
 * Reads one run as cleanup sees it, folded by the same reducer as every
 * view: a run taken over again (`run/resumed` after `run/finished`, a
 * rerun) is running, and so is any run a live supervisor of it holds. An
 * unreadable run.json is a UserError naming it.
 */
export function readStoredRun(dataDir: string, id: string): StoredRun {
  const { state, plan, dir } = loadRunState(dataDir, id);
  const going = runIsGoing(dir, plan, state);
  const phase: RunPhase = going ? 'running' : state.state === 'succeeded' ? 'succeeded' : state.state === 'interrupted' ? 'interrupted' : 'failed';
  return {
    id,
    dir,
    startedAt: new Date(plan.started_at),
    finishedAt: going || state.finished_at === null ? null : new Date(state.finished_at),
    phase,
  };
}

/** A run directory whose run.json never got written stays this long before it counts as debris: `par run` may be writing it. */
const UNWRITTEN_GRACE_MS = 60_000;

/** Every run under `<data>/runs`, oldest first; a directory whose run.json was never written is old debris. */
export function listStoredRuns(dataDir: string): StoredRun[] {
  const dir = runsDir(dataDir);
  if (!existsSync(dir)) return [];
  const written = new Set(runIds(dataDir));
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .flatMap((entry): StoredRun[] => {
      if (written.has(entry.name)) return [readStoredRun(dataDir, entry.name)];
      const path = join(dir, entry.name);
      const made = statSync(path).mtime;
      return Date.now() - made.getTime() > UNWRITTEN_GRACE_MS ? [{ id: entry.name, dir: path, startedAt: made, finishedAt: made, phase: 'interrupted' }] : [];
    })
    .sort((a, b) => a.id.localeCompare(b.id));
}
