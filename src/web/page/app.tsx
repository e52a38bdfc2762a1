/** @jsxImportSource preact */
// The page: one app for `/`, `/runs/<run>` and `/runs/<run>/jobs/<job>`,
// its run list kept live by the server's event stream.
import { useEffect, useState } from 'preact/hooks';
import type { RunSummary } from '../../rundir/runs.js';
import { followEvents } from './api.js';
import { emitResync, emitRunEvent } from './hooks.js';
import { Link, routeOf } from './router.js';
import { JobPage } from './job-page.js';
import { RunPage } from './run-page.js';
import { RunsPage } from './runs-page.js';

function SignedOut(props: { why: 'no-token' | 'refused' }) {
  return (
    <main class="page narrow">
      <h1>par</h1>
      <p class="notice">
        {props.why === 'refused' ? 'That token is not this server’s (par web makes a new one each time it starts). ' : ''}
        Open the address <code>par web</code> printed — it ends in <code>#token=…</code>.
      </p>
    </main>
  );
}

export function App(props: { signIn: 'signed-in' | 'no-token' | 'refused' }) {
  const [route, setRoute] = useState(routeOf(location.pathname));
  const [runs, setRuns] = useState<RunSummary[] | null>(null);
  const [connected, setConnected] = useState(true);
  const [signedOut, setSignedOut] = useState(false);
  useEffect(() => {
    const onPop = (): void => setRoute(routeOf(location.pathname));
    addEventListener('popstate', onPop);
    return () => removeEventListener('popstate', onPop);
  }, []);
  useEffect(() => {
    // Without a cookie from before, the stream is refused: ask the API once to know which.
    void fetch('/api/runs', { credentials: 'same-origin' }).then((response) => {
      if (response.status === 401) setSignedOut(true);
    });
    return followEvents(setRuns, emitRunEvent, setConnected, emitResync);
  }, []);
  if (signedOut) return <SignedOut why={props.signIn === 'refused' ? 'refused' : 'no-token'} />;
  const needYou = (runs ?? []).filter((run) => run.state === 'running').reduce((sum, run) => sum + run.need_you, 0);
  return (
    <div class="shell">
      <header class="top">
        <Link href="/" class="brand">
          par
        </Link>
        {needYou > 0 ? (
          <Link href="/#inbox" class="need-you">
            {needYou} need{needYou === 1 ? 's' : ''} you
          </Link>
        ) : null}
        <span class={connected ? 'live on' : 'live off'} title={connected ? 'live' : 'reconnecting…'}>
          {connected ? '● live' : '○ reconnecting'}
        </span>
      </header>
      {route.page === 'runs' ? <RunsPage runs={runs} needYou={needYou} /> : null}
      {route.page === 'run' ? <RunPage key={route.run} run={route.run} /> : null}
      {route.page === 'job' ? <JobPage key={`${route.run}/${route.job}`} run={route.run} job={route.job} /> : null}
    </div>
  );
}
