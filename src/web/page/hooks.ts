// State the pages share: the server's changes, a clock, and a run kept
// live from its first read and the changes after it.
import { useCallback, useEffect, useState } from 'preact/hooks';
import type { JobView, RunState } from '../../core/run-state.js';
import type { HubEvent } from '../hub.js';
import { api } from './api.js';

/** A run as `GET /api/runs/:run` gives it (the fields of `par status --json`). */
export interface RunDetail {
  run: string;
  state: RunState['state'];
  repository: string | null;
  started_at: string | null;
  finished_at: string | null;
  dir: string;
  event_id: string;
  jobs: JobView[];
}

const listeners = new Set<(event: HubEvent) => void>();

/** Hands a change from the server to every page following runs. */
export function emitRunEvent(event: HubEvent): void {
  for (const listener of listeners) listener(event);
}

/** Calls `listener` with each change from the server while the component is shown. */
export function useRunEvents(listener: (event: HubEvent) => void): void {
  useEffect(() => {
    listeners.add(listener);
    return () => void listeners.delete(listener);
  }, [listener]);
}

/** Re-renders every second, for elapsed times; the time now. */
export function useClock(): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  return now;
}

/** Ids compare by their count, within one server. */
const countOf = (id: string): number => Number(id.split('.')[1] ?? 0);

/**
 * A run read once and kept live: each change the server folded for it
 * replaces the job it names; a change the page cannot place (a new job,
 * the supervisor gone) reads the run again.
 */
export function useRun(runId: string): { detail: RunDetail | null; error: string | null } {
  const [detail, setDetail] = useState<RunDetail | null>(null);
  const [error, setError] = useState<string | null>(null);
  const reload = useCallback(() => {
    api<RunDetail>('GET', `runs/${encodeURIComponent(runId)}`).then(
      (read) => {
        setDetail(read);
        setError(null);
      },
      (failure: Error) => setError(failure.message),
    );
  }, [runId]);
  useEffect(reload, [reload]);
  useRunEvents(
    useCallback(
      (event: HubEvent) => {
        if (event.run !== runId) return;
        setDetail((now) => {
          if (!now || countOf(event.id) <= countOf(now.event_id)) return now;
          const job = event.job;
          const at = job ? now.jobs.findIndex((item) => item.id === job.id) : -1;
          if (!job || at < 0 || event.event?.type === 'run/started') {
            reload();
            return now;
          }
          const jobs = now.jobs.slice();
          jobs[at] = job;
          return { ...now, state: event.summary.state, finished_at: event.summary.finished_at, jobs, event_id: event.id };
        });
      },
      [runId, reload],
    ),
  );
  return { detail, error };
}
