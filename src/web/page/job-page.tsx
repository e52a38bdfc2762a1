/** @jsxImportSource preact */
// `/runs/<run>/jobs/<job>`: what the job waits on you for, what you can do
// to it, its log as it streams, and its diff.
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { FINAL_STATES } from '../../core/events.js';
import { costCell, diffCell, jobActivity, jobElapsed, pendingSummary } from '../../core/grid-layout.js';
import type { JobView } from '../../core/run-state.js';
import type { LogPiece } from '../../rundir/job-log.js';
import { api } from './api.js';
import { MessageForm } from './message-form.js';
import { stateColour, stateGlyph } from './format.js';
import { useClock, useRun, useRunEvents } from './hooks.js';
import type { HubEvent } from '../hub.js';
import { Link, runPath } from './router.js';

/** The log keeps this many lines on the page. */
const MAX_LINES = 5000;
/** A job still going has its log read this often. */
const LOG_POLL_MS = 1000;

/** Does an action to the job; true when the server did it (what it said, or why not, shows on the page). */
type Act = (action: string, body?: unknown, confirmText?: string) => Promise<boolean>;

/** A job's pending request or question, or its plan waiting for review, with the answers. */
function Pending(props: { job: JobView; act: Act }) {
  const { job, act } = props;
  const [reason, setReason] = useState('');
  if (job.state === 'awaiting-approval') {
    return (
      <section class="card attention">
        <h2>Plan waiting for review</h2>
        <pre class="plan">{job.plan ?? ''}</pre>
        <div class="buttons">
          <button class="primary" onClick={() => void act('approve')}>
            Approve plan
          </button>
          <button class="danger" onClick={() => void act('deny', {}, `Reject ${job.id}'s plan? The job ends cancelled.`)}>
            Reject
          </button>
        </div>
      </section>
    );
  }
  const pending = job.state === 'needs-input' ? job.pending : null;
  if (!pending || pending.kind === 'instructions') return null;
  const questions = Array.isArray(pending.input.questions) ? (pending.input.questions as { question?: string; options?: { label?: string; description?: string }[] }[]) : [];
  return (
    <section class="card attention" aria-label="pending request">
      <h2>{pending.kind === 'question' ? 'Question' : 'Permission request'}</h2>
      <p class="ask">{pendingSummary(pending, job.worktree ?? '')}</p>
      {pending.kind === 'permission' && typeof pending.input.command === 'string' ? <pre class="command">$ {pending.input.command}</pre> : null}
      {pending.kind === 'question' ? (
        <div class="buttons options">
          {(questions[0]?.options ?? []).map((option, index) => (
            <button key={index} class="primary" title={option.description ?? ''} onClick={() => void act('answer', { answers: [String(index + 1)] })}>
              {option.label ?? `option ${index + 1}`}
            </button>
          ))}
        </div>
      ) : (
        <div class="buttons">
          <button class="primary" onClick={() => void act('approve', { always: false })}>
            Allow
          </button>
          <button onClick={() => void act('approve', { always: true })} title="allow this kind of call for the rest of the run">
            Always allow
          </button>
        </div>
      )}
      <div class="deny">
        <input name="reason" placeholder="Why not (told to the agent)" value={reason} onInput={(event) => setReason((event.target as HTMLInputElement).value)} />
        <button class="danger" onClick={() => void act('deny', { message: reason.trim() === '' ? null : reason })}>
          Deny
        </button>
      </div>
    </section>
  );
}

/** The job's log from its last part on, read again while it runs; kept scrolled to the end unless scrolled up. */
function Log(props: { run: string; job: JobView }) {
  const [lines, setLines] = useState<string[]>([]);
  const box = useRef<HTMLPreElement>(null);
  const next = useRef<number | null>(null);
  const ended = FINAL_STATES.has(props.job.state);
  // A decision on one of its requests goes under the request: the log is read afresh from its last part.
  const [decisions, setDecisions] = useState(0);
  useRunEvents(
    useCallback(
      (event: HubEvent) => {
        const type = event.event?.type;
        if (event.run === props.run && event.job?.id === props.job.id && (type === 'job/permission' || type === 'job/answered')) setDecisions((count) => count + 1);
      },
      [props.run, props.job.id],
    ),
  );
  useEffect(() => {
    let stopped = false;
    next.current = null;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const read = async (): Promise<void> => {
      const from = next.current === null ? '' : `?from=${next.current}`;
      try {
        const piece = await api<LogPiece>('GET', `runs/${encodeURIComponent(props.run)}/jobs/${encodeURIComponent(props.job.id)}/log${from}`);
        if (stopped) return;
        // A log read from its start again (a smaller file: a new attempt) starts the page's copy afresh.
        const fresh = next.current === null || piece.from < next.current;
        next.current = piece.next;
        if (piece.lines.length > 0 || fresh) {
          const element = box.current;
          const atEnd = !element || element.scrollHeight - element.scrollTop - element.clientHeight < 40;
          setLines((now) => (fresh ? piece.lines : [...now, ...piece.lines]).slice(-MAX_LINES));
          if (atEnd) requestAnimationFrame(() => box.current && (box.current.scrollTop = box.current.scrollHeight));
        }
        // More of it waiting: read on at once.
        if (piece.next < piece.size) return void read();
      } catch {
        // Read again on the next turn.
      }
      if (!stopped && !ended) timer = setTimeout(() => void read(), LOG_POLL_MS);
    };
    void read();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [props.run, props.job.id, ended, decisions]);
  return (
    <pre class="log" ref={box} aria-label="log">
      {lines.length === 0 ? <span class="dim">(no output yet)</span> : lines.join('\n')}
    </pre>
  );
}

/** The job's diff against where it started, as the TUI's diff pane shows it. */
function Diff(props: { run: string; job: JobView }) {
  const [lines, setLines] = useState<string[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = (): void => {
    setError(null);
    void api<{ lines: string[] }>('GET', `runs/${encodeURIComponent(props.run)}/jobs/${encodeURIComponent(props.job.id)}/diff`).then(
      (read) => setLines(read.lines),
      (failure: Error) => setError(failure.message),
    );
  };
  useEffect(load, [props.run, props.job.id, props.job.state]);
  const kind = (line: string): string => (line.startsWith('+') && !line.startsWith('+++') ? 'add' : line.startsWith('-') && !line.startsWith('---') ? 'del' : line.startsWith('@@') ? 'hunk' : line.startsWith('diff ') ? 'file' : '');
  return (
    <div>
      <button onClick={load}>Refresh diff</button>
      {error ? <p class="error">{error}</p> : null}
      <pre class="diff" aria-label="diff">
        {lines === null ? <span class="dim">Reading the diff…</span> : lines.length === 0 ? <span class="dim">(no changes)</span> : lines.map((line, index) => <div key={index} class={kind(line)}>{line || ' '}</div>)}
      </pre>
    </div>
  );
}

function Actions(props: { job: JobView; runRunning: boolean; act: Act }) {
  const { job, act } = props;
  const ended = FINAL_STATES.has(job.state);
  const placeholder = ended ? 'Continue its session with…' : job.state === 'needs-input' && job.pending?.kind === 'instructions' ? 'It waits for instructions…' : 'A message for its next turn…';
  return (
    <section class="card">
      <MessageForm placeholder={placeholder} label="Send" send={(text) => act('send', { text })}>
        {!ended && props.runRunning ? (
          <button type="button" onClick={() => void act('interrupt')}>
            Interrupt
          </button>
        ) : null}
        {!ended && props.runRunning ? (
          <button type="button" class="danger" onClick={() => void act('cancel', {}, `Cancel job ${job.id}?`)}>
            Cancel
          </button>
        ) : null}
        {ended ? (
          <button type="button" onClick={() => void act('rerun', {}, `Run ${job.id} again, a fresh session?`)}>
            Rerun
          </button>
        ) : null}
        {ended && job.branch ? (
          <button type="button" onClick={() => void act('merge', {}, `Merge ${job.branch} into its repository's checked-out branch?`)}>
            Merge
          </button>
        ) : null}
        {job.state === 'succeeded' && job.branch ? (
          <button type="button" onClick={() => void act('land', {}, `Land ${job.id} on its repository's checked-out branch (merged and checked in a scratch worktree first)?`)}>
            Land
          </button>
        ) : null}
      </MessageForm>
    </section>
  );
}

export function JobPage(props: { run: string; job: string }) {
  const { detail, error } = useRun(props.run);
  const now = useClock();
  const [tab, setTab] = useState<'log' | 'diff'>('log');
  const [said, setSaid] = useState<string | null>(null);
  const [failed, setFailed] = useState<string | null>(null);
  const job = detail?.jobs.find((item) => item.id === props.job);
  const act: Act = async (action, body = {}, confirmText) => {
    if (confirmText && !confirm(confirmText)) return false;
    setFailed(null);
    try {
      const reply = await api<{ said: string[] }>('POST', `runs/${encodeURIComponent(props.run)}/jobs/${encodeURIComponent(props.job)}/${action}`, body);
      setSaid(reply.said.join(' '));
      return true;
    } catch (failure) {
      setSaid(null);
      setFailed((failure as Error).message);
      return false;
    }
  };
  if (error) return <main class="page"><p class="error">{error}</p><Link href="/">All runs</Link></main>;
  if (!detail) return <main class="page"><p class="dim">Reading run {props.run}…</p></main>;
  if (!job) return <main class="page"><p class="error">Run {props.run} has no job {props.job}.</p><Link href={runPath(props.run)}>Its grid</Link></main>;
  return (
    <main class="page">
      <nav class="crumbs">
        <Link href="/">Runs</Link> / <Link href={runPath(detail.run)}>{detail.run}</Link> / <b>{job.id}</b>
      </nav>
      <p class="summary">
        <span style={{ color: stateColour(job.state) }}>
          {stateGlyph(job.state)} {job.state}
        </span>
        {' · '}
        {jobElapsed(job, now)} · {job.turns} turn{job.turns === 1 ? '' : 's'} · {costCell(job.cost_usd) || '$—'} · {diffCell(job) || 'no diff yet'}
        <br />
        <span class="dim">{job.branch ?? 'detached'} · {job.worktree ?? 'no worktree yet'}</span>
      </p>
      <p class="activity">{jobActivity(job)}</p>
      <Pending job={job} act={act} />
      {said ? <p class="said">{said}</p> : null}
      {failed ? <p class="error">{failed}</p> : null}
      <Actions job={job} runRunning={detail.state === 'running'} act={act} />
      <div class="tabs" role="tablist">
        <button role="tab" aria-selected={tab === 'log'} class={tab === 'log' ? 'on' : ''} onClick={() => setTab('log')}>
          Log
        </button>
        <button role="tab" aria-selected={tab === 'diff'} class={tab === 'diff' ? 'on' : ''} onClick={() => setTab('diff')}>
          Diff
        </button>
      </div>
      {tab === 'log' ? <Log run={detail.run} job={job} /> : <Diff run={detail.run} job={job} />}
    </main>
  );
}
