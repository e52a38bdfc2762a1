/** @jsxImportSource preact */
// `/runs/<run>`: the run's live grid, with the TUI's columns, states and colours.
import { useState } from 'preact/hooks';
import { activityCell, costCell, diffCell, jobElapsed, SPINNER_FRAMES, STATE_STYLE } from '../../core/grid-layout.js';
import type { JobView } from '../../core/run-state.js';
import { attemptGlyphs } from '../../core/attempts.js';
import { forecastOverlaps, overlapMark } from '../../core/forecast.js';
import { api } from './api.js';
import { MessageForm } from './message-form.js';
import { money, shortPath, stateColour, stateGlyph } from './format.js';
import { useClock, useRun } from './hooks.js';
import { jobPath, Link } from './router.js';

function JobRow(props: { run: string; job: JobView; now: number; mark: string; tree: string }) {
  const { job, now } = props;
  const spins = STATE_STYLE[job.state]?.spins === true;
  const glyph = spins ? (SPINNER_FRAMES[Math.floor(now / 1000) % SPINNER_FRAMES.length] ?? '') : stateGlyph(job.state);
  return (
    <Link href={jobPath(props.run, job.id)} class={`grid-row ${job.state === 'needs-input' ? 'attention' : ''}`}>
      <span class="c-state" style={{ color: stateColour(job.state) }}>
        {glyph} {job.state}
      </span>
      <span class="c-job">
        {props.tree ? <span class="dim">{props.tree} </span> : null}
        {job.id}
      </span>
      <span class="c-branch dim">{job.branch ?? ''}</span>
      <span class="c-time">{jobElapsed(job, now)}</span>
      <span class="c-activity">{activityCell(job, props.mark)}</span>
      <span class="c-turns">{job.turns || ''}</span>
      <span class="c-cost">{costCell(job.cost_usd)}</span>
      <span class="c-diff">{diffCell(job)}</span>
    </Link>
  );
}

/** Sending one message to every job still going, and cancelling the run. */
function RunActions(props: { run: string; running: boolean }) {
  const [said, setSaid] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const act = async (path: string, body: unknown, confirmText?: string): Promise<boolean> => {
    if (confirmText && !confirm(confirmText)) return false;
    setError(null);
    try {
      const reply = await api<{ said: string[] }>('POST', `runs/${encodeURIComponent(props.run)}/${path}`, body);
      setSaid(reply.said.join(' '));
      return true;
    } catch (failure) {
      setError((failure as Error).message);
      return false;
    }
  };
  if (!props.running) return null;
  return (
    <section class="card">
      <MessageForm placeholder="A message to every running job…" label="Send to all" send={(text) => act('send', { text })}>
        <button type="button" class="danger" onClick={() => void act('cancel', {}, `Cancel every job of run ${props.run}?`)}>
          Cancel run
        </button>
      </MessageForm>
      {said ? <p class="said">{said}</p> : null}
      {error ? <p class="error">{error}</p> : null}
    </section>
  );
}

/** Landing the run's succeeded jobs on a branch: par land's queue, from the page. */
function LandForm(props: { run: string }) {
  const [onto, setOnto] = useState('');
  const [check, setCheck] = useState('');
  const [how, setHow] = useState('merge');
  const [busy, setBusy] = useState(false);
  const [said, setSaid] = useState<string[]>([]);
  const [error, setError] = useState<string | null>(null);
  const land = async (event: Event): Promise<void> => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const reply = await api<{ said: string[] }>('POST', `runs/${encodeURIComponent(props.run)}/land`, { onto: onto.trim() || null, check: check.trim() || null, how });
      setSaid(reply.said);
    } catch (failure) {
      setSaid([]);
      setError((failure as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="card land" onSubmit={(event) => void land(event)}>
      <h2>Land</h2>
      <div class="row">
        <input name="onto" placeholder="onto: the checked-out branch" value={onto} onInput={(event) => setOnto((event.target as HTMLInputElement).value)} />
        <input name="check" placeholder="check: e.g. npm test" value={check} onInput={(event) => setCheck((event.target as HTMLInputElement).value)} />
        <select name="how" value={how} onChange={(event) => setHow((event.target as HTMLSelectElement).value)}>
          <option value="merge">merge</option>
          <option value="squash">squash</option>
          <option value="rebase">rebase</option>
        </select>
        <button type="submit" class="primary" disabled={busy}>
          {busy ? 'Landing…' : 'Land succeeded jobs'}
        </button>
      </div>
      {said.length ? <ul class="said">{said.map((line) => <li key={line}>{line}</li>)}</ul> : null}
      {error ? <p class="error">{error}</p> : null}
    </form>
  );
}

export function RunPage(props: { run: string }) {
  const { detail, error } = useRun(props.run);
  const now = useClock();
  if (error) return <main class="page"><p class="error">{error}</p><Link href="/">All runs</Link></main>;
  if (!detail) return <main class="page"><p class="dim">Reading run {props.run}…</p></main>;
  const waiting = detail.jobs.filter((job) => job.state === 'needs-input').length;
  const overlaps = forecastOverlaps(detail.jobs, 1);
  // A target's attempts tied together, as in the TUI's grid.
  const trees = attemptGlyphs(detail.jobs.map((job) => job.id), Object.fromEntries(detail.jobs.map((job) => [job.id, job])));
  const succeeded = detail.jobs.filter((job) => job.state === 'succeeded').length;
  const cost = detail.jobs.reduce((sum, job) => sum + (job.cost_usd ?? 0), 0);
  return (
    <main class="page">
      <nav class="crumbs">
        <Link href="/">Runs</Link> / <b>{detail.run}</b>
      </nav>
      <p class="summary">
        <span style={{ color: stateColour(detail.state) }}>{detail.state}</span> · {succeeded}/{detail.jobs.length} succeeded · {money(cost)} · <span class="dim" title={detail.repository ?? ''}>{shortPath(detail.repository)}</span>
        {waiting ? <b class="need"> · {waiting} need{waiting === 1 ? 's' : ''} you</b> : null}
      </p>
      <div class="grid" role="table" aria-label={`jobs of run ${detail.run}`}>
        <div class="grid-row head" role="row">
          <span class="c-state">STATE</span>
          <span class="c-job">JOB</span>
          <span class="c-branch">BRANCH</span>
          <span class="c-time">TIME</span>
          <span class="c-activity">ACTIVITY</span>
          <span class="c-turns">TURNS</span>
          <span class="c-cost">COST</span>
          <span class="c-diff">DIFF</span>
        </div>
        {detail.jobs.map((job) => (
          <JobRow key={job.id} run={detail.run} job={job} now={now} mark={overlapMark(overlaps.get(job.id))} tree={trees.get(job.id) ?? ''} />
        ))}
      </div>
      <RunActions run={detail.run} running={detail.state === 'running'} />
      {succeeded > 0 ? <LandForm run={detail.run} /> : null}
    </main>
  );
}
