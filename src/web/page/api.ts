// The page's way to the server: JSON over fetch with the session cookie,
// and the event stream.
import type { HubEvent } from '../hub.js';
import type { RunSummary } from '../../rundir/runs.js';

/** A refusal or failure, as the server said it. */
export class RequestError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

/** Calls the API; resolves to its JSON, rejects with the server's sentence. */
export async function api<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  const response = await fetch(`/api/${path}`, {
    method,
    credentials: 'same-origin',
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  let parsed: unknown = null;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Not JSON: the status says enough.
  }
  if (!response.ok) {
    const said = parsed && typeof parsed === 'object' && 'error' in parsed ? String((parsed as { error: unknown }).error) : `${response.status} ${response.statusText}`;
    throw new RequestError(response.status, said);
  }
  return parsed as T;
}

/** Trades the token in the address (`#token=…`) for a session cookie, and drops it from the address bar. */
export async function signIn(): Promise<'signed-in' | 'no-token' | 'refused'> {
  const token = new URLSearchParams(location.hash.slice(1)).get('token');
  if (!token) return 'no-token';
  history.replaceState(history.state, '', location.pathname + location.search);
  const response = await fetch('/api/session', { method: 'POST', credentials: 'same-origin', headers: { Authorization: `Bearer ${token}` } });
  return response.ok ? 'signed-in' : 'refused';
}

export interface Live {
  runs: RunSummary[];
  connected: boolean;
}

/**
 * Follows the server's event stream: the run list from its snapshot and
 * every change after it. The browser reconnects by itself, sending the
 * last event id, and the server replays what was missed.
 */
export function followEvents(onRuns: (runs: RunSummary[]) => void, onEvent: (event: HubEvent) => void, onConnected: (connected: boolean) => void, onSnapshot: () => void): () => void {
  const source = new EventSource('/api/events');
  let runs: RunSummary[] = [];
  source.addEventListener('snapshot', (message) => {
    runs = (JSON.parse((message as MessageEvent<string>).data) as { runs: RunSummary[] }).runs;
    onRuns(runs);
    // Changes made before the stream was heard from (on first connecting, or after a gap the server no longer holds) are not replayed: what shows them is read again.
    onSnapshot();
  });
  source.addEventListener('run', (message) => {
    const event = JSON.parse((message as MessageEvent<string>).data) as HubEvent;
    const at = runs.findIndex((run) => run.run === event.run);
    runs = at < 0 ? [event.summary, ...runs] : runs.map((run, index) => (index === at ? event.summary : run));
    onRuns(runs);
    onEvent(event);
  });
  source.addEventListener('open', () => onConnected(true));
  source.addEventListener('error', () => onConnected(false));
  return () => source.close();
}
