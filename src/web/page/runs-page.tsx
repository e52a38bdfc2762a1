/** @jsxImportSource preact */
// `/`: what waits for you, starting a run, and every run on this machine.
import { useEffect, useState } from 'preact/hooks';
import type { PromptItem, WorktreeItem } from '../../core/ui-state.js';
import type { RunSummary } from '../../rundir/runs.js';
import type { InboxItem } from '../../core/run-state.js';
import { api } from './api.js';
import { money, shortPath, stateColour, when } from './format.js';
import { jobPath, Link, navigate, runPath } from './router.js';

function Inbox(props: { needYou: number }) {
  const [items, setItems] = useState<InboxItem[]>([]);
  useEffect(() => {
    if (props.needYou === 0) {
      setItems([]);
      return;
    }
    void api<{ items: InboxItem[] }>('GET', 'inbox').then((read) => setItems(read.items), () => undefined);
  }, [props.needYou]);
  if (items.length === 0) return null;
  return (
    <section id="inbox" class="card attention">
      <h2>Waiting for you</h2>
      <ul class="inbox">
        {items.map((item) => (
          <li key={`${item.run}/${item.job}/${item.request_id}`}>
            <Link href={jobPath(item.run, item.job)}>
              <b>{item.job}</b> <span class="dim">{item.run}</span>
              <br />
              {item.summary}
            </Link>
          </li>
        ))}
      </ul>
    </section>
  );
}

/** The discovered worktrees to tick, or a number of fresh ones instead. */
function WorktreePicker(props: { worktrees: WorktreeItem[] | null; picked: string[]; fresh: number; toggle: (path: string) => void; setFresh: (count: number) => void }) {
  const { worktrees, picked, fresh, toggle, setFresh } = props;
  return (
    <fieldset>
      <legend>Worktrees</legend>
      {worktrees === null ? <p class="dim">Looking for worktrees…</p> : null}
      {worktrees?.length === 0 ? <p class="dim">None found here; ask for fresh ones below.</p> : null}
      <ul class="picker">
        {(worktrees ?? []).map((item) => (
          <li key={item.path}>
            <label class={item.valid ? '' : 'dim'} title={item.reason ?? item.path}>
              <input type="checkbox" name="worktree" value={item.path} disabled={!item.valid || fresh > 0} checked={picked.includes(item.path)} onChange={() => toggle(item.path)} />
              <span class="path">{shortPath(item.path)}</span> <span class="dim">{item.branch ?? 'detached'}{item.dirty ? ' · dirty' : ''}{item.valid ? '' : ` · ${item.reason ?? 'not usable'}`}</span>
            </label>
          </li>
        ))}
      </ul>
      <label class="inline">
        or fresh worktrees: <input type="number" name="new" min={0} max={100} value={fresh} onInput={(event) => setFresh(Number((event.target as HTMLInputElement).value) || 0)} />
      </label>
    </fieldset>
  );
}

/** Starting a run: a library prompt or text, worktrees picked or fresh ones, how many at once. */
function StartRun() {
  const [open, setOpen] = useState(false);
  const [prompts, setPrompts] = useState<PromptItem[]>([]);
  const [worktrees, setWorktrees] = useState<WorktreeItem[] | null>(null);
  const [prompt, setPrompt] = useState('');
  const [text, setText] = useState('');
  const [picked, setPicked] = useState<string[]>([]);
  const [fresh, setFresh] = useState(0);
  const [jobs, setJobs] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (!open) return;
    void api<{ prompts: PromptItem[] }>('GET', 'prompts').then((read) => setPrompts(read.prompts), (failure: Error) => setError(failure.message));
    void api<{ items: WorktreeItem[] }>('GET', 'worktrees').then((read) => setWorktrees(read.items), (failure: Error) => setError(failure.message));
  }, [open]);
  if (!open) {
    return (
      <button class="primary" onClick={() => setOpen(true)}>
        Start a run…
      </button>
    );
  }
  const toggle = (path: string): void => setPicked((now) => (now.includes(path) ? now.filter((item) => item !== path) : [...now, path]));
  const submit = async (event: Event): Promise<void> => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const started = await api<{ run: string }>('POST', 'runs', { prompt: prompt === '' ? null : prompt, message: prompt === '' ? text : null, worktrees: fresh > 0 ? [] : picked, new: fresh, jobs });
      navigate(runPath(started.run));
    } catch (failure) {
      setError((failure as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="card start" onSubmit={(event) => void submit(event)}>
      <h2>Start a run</h2>
      <label>
        Prompt
        <select name="prompt" value={prompt} onChange={(event) => setPrompt((event.target as HTMLSelectElement).value)}>
          <option value="">Ad-hoc text…</option>
          {prompts.map((item) => (
            <option key={item.name} value={item.name}>
              {item.name}
              {item.description ? ` — ${item.description}` : ''}
            </option>
          ))}
        </select>
      </label>
      {prompt === '' ? (
        <label>
          Task
          <textarea name="message" rows={3} placeholder="What should each agent do?" value={text} onInput={(event) => setText((event.target as HTMLTextAreaElement).value)} />
        </label>
      ) : null}
      <WorktreePicker worktrees={worktrees} picked={picked} fresh={fresh} toggle={toggle} setFresh={setFresh} />
      <label class="inline">
        At once (-j, 0 = the default): <input type="number" name="jobs" min={0} max={100} value={jobs} onInput={(event) => setJobs(Number((event.target as HTMLInputElement).value) || 0)} />
      </label>
      {error ? <p class="error">{error}</p> : null}
      <div class="buttons">
        <button type="submit" class="primary" disabled={busy}>
          {busy ? 'Starting…' : 'Start'}
        </button>
        <button type="button" onClick={() => setOpen(false)}>
          Close
        </button>
      </div>
    </form>
  );
}

function RunRow(props: { run: RunSummary }) {
  const { run } = props;
  return (
    <Link href={runPath(run.run)} class="run-row">
      <span class="state" style={{ color: stateColour(run.state) }}>
        {run.state}
      </span>
      <span class="id">{run.run}</span>
      <span class="counts">
        {run.succeeded}/{run.jobs} ok{run.failed ? ` · ${run.failed} failed` : ''}
        {run.need_you && run.state === 'running' ? <b class="need"> · {run.need_you} need{run.need_you === 1 ? 's' : ''} you</b> : null}
      </span>
      <span class="cost">{money(run.cost_usd)}</span>
      <span class="dim when">{when(run.started_at)}</span>
      <span class="dim repo" title={run.repository ?? ''}>
        {shortPath(run.repository)}
      </span>
    </Link>
  );
}

/** Running ones first, then newest first, as `par list runs` and the TUI list them. */
const sorted = (runs: readonly RunSummary[]): RunSummary[] => [...runs].sort((a, b) => Number(b.state === 'running') - Number(a.state === 'running') || b.started_at.localeCompare(a.started_at));

export function RunsPage(props: { runs: RunSummary[] | null; needYou: number }) {
  return (
    <main class="page">
      <Inbox needYou={props.needYou} />
      <StartRun />
      <h2>Runs</h2>
      {props.runs === null ? <p class="dim">Reading runs…</p> : null}
      {props.runs?.length === 0 ? <p class="dim">No runs yet: start one above, or with par run.</p> : null}
      <div class="runs">{sorted(props.runs ?? []).map((run) => <RunRow key={run.run} run={run} />)}</div>
    </main>
  );
}
