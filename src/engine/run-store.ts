import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readEvents } from './journal.js';
import { processAlive } from './process-alive.js';
import { runFiles } from './run-plan.js';

/** Where a run stands, as far as cleanup and listings need to know. */
export type RunPhase = 'running' | 'succeeded' | 'failed' | 'interrupted';

/** A run directory under `<data>/runs` (DESIGN §9). */
export interface StoredRun {
  id: string;
  dir: string;
  startedAt: Date | null;
  finishedAt: Date | null;
  phase: RunPhase;
}


/** Reads one run directory: finished when its journal has `run/finished`, else running while its supervisor lives. */
export function readStoredRun(runsDir: string, id: string): StoredRun {
  const dir = join(runsDir, id);
  let meta: Record<string, unknown> = {};
  try {
    meta = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as Record<string, unknown>;
  } catch {
    meta = {};
  }
  const startedAt = typeof meta.started_at === 'string' ? new Date(meta.started_at) : null;
  const finished = readEvents(runFiles.events(dir)).findLast((event) => event.type === 'run/finished');
  if (finished) {
    return {
      id,
      dir,
      startedAt,
      finishedAt: new Date(finished.at),
      phase: finished.type === 'run/finished' && finished.state === 'succeeded' ? 'succeeded' : 'failed',
    };
  }
  return { id, dir, startedAt, finishedAt: null, phase: processAlive(meta.supervisor_pid) ? 'running' : 'interrupted' };
}

/** Every run under `<data>/runs`, oldest first. */
export function listStoredRuns(dataDir: string): StoredRun[] {
  const runsDir = join(dataDir, 'runs');
  if (!existsSync(runsDir)) return [];
  return readdirSync(runsDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => readStoredRun(runsDir, entry.name))
    .sort((a, b) => a.id.localeCompare(b.id));
}
