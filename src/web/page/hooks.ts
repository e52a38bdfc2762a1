// State the pages share: the server's changes, a clock, and a run kept
// live from its first read and the changes after it.
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
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

const resyncs = new Set<() => void>();

/** The stream started afresh (a snapshot, not a replay): every run shown is read again. */
export function emitResync(): void {
  for (const resync of resyncs) resync();
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

/** A change folded into a run as read: the job it names replaced; null when it cannot be placed (a new job, no job, the run restarted): read the run again. */
function applied(now: RunDetail, event: HubEvent): RunDetail | null {
  if (countOf(event.id) <= countOf(now.event_id)) return now;
  const job = event.job;
  const at = job ? now.jobs.findIndex((item) => item.id === job.id) : -1;
  if (!job || at < 0 || event.event?.type === 'run/started') return null;
  const jobs = now.jobs.slice();
  jobs[at] = job;
  return { ...now, state: event.summary.state, finished_at: event.summary.finished_at, jobs, event_id: event.id };
}

/**
 * A run read once and kept live: each change the server folded for it
 * replaces the job it names; a change the page cannot place (a new job,
 * the supervisor gone) reads the run again, and so does a fresh start of
 * the stream (a snapshot: what changed before it is not replayed). Changes
 * heard while a read is on its way are folded in on top of it once it
 * lands (those it already holds are skipped by their id), so none is lost
 * between the two; of two reads on their way, only the later counts.
 */
export function useRun(runId: string): { detail: RunDetail | null; error: string | null } {
  const [detail, setDetail] = useState<RunDetail | null>(null);
  const [error, setError] = useState<string | null>(null);
  const current = useRef<RunDetail | null>(null);
  const reading = useRef(false);
  /** The latest read asked for: an earlier one landing after it is dropped. */
  const reads = useRef(0);
  const heard = useRef<HubEvent[]>([]);
  const show = (next: RunDetail): void => {
    current.current = next;
    setDetail(next);
  };
  const reload = useCallback(() => {
    const read = ++reads.current;
    reading.current = true;
    api<RunDetail>('GET', `runs/${encodeURIComponent(runId)}`).then(
      (detail) => {
        if (read !== reads.current) return;
        reading.current = false;
        let next: RunDetail | null = detail;
        // What was heard meanwhile goes on top; what the read already holds is skipped by its id.
        for (const event of heard.current.splice(0)) next = next && applied(next, event);
        if (next) show(next);
        else reload();
        setError(null);
      },
      (failure: Error) => {
        if (read !== reads.current) return;
        reading.current = false;
        setError(failure.message);
      },
    );
  }, [runId]);
  useEffect(reload, [reload]);
  useEffect(() => {
    resyncs.add(reload);
    return () => void resyncs.delete(reload);
  }, [reload]);
  useRunEvents(
    useCallback(
      (event: HubEvent) => {
        if (event.run !== runId) return;
        if (reading.current || !current.current) {
          heard.current.push(event);
          return;
        }
        const next = applied(current.current, event);
        if (next) show(next);
        else reload();
      },
      [runId, reload],
    ),
  );
  return { detail, error };
}
