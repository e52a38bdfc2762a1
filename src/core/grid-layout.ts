import type { JobState, Pending } from './events.js';
import { describeToolUse } from './transcript.js';
import type { JobView } from './run-state.js';

/** The columns of the job grid. */
export type GridColumnKey = 'state' | 'job' | 'branch' | 'elapsed' | 'activity' | 'turns' | 'cost' | 'diff';

/** One column: its title, width and side. */
export interface GridColumn {
  key: GridColumnKey;
  title: string;
  width: number;
  align: 'left' | 'right';
}

const FIXED: Record<Exclude<GridColumnKey, 'activity'>, Omit<GridColumn, 'key'>> = {
  state: { title: 'STATE', width: 19, align: 'left' },
  job: { title: 'JOB', width: 14, align: 'left' },
  branch: { title: 'BRANCH', width: 18, align: 'left' },
  elapsed: { title: 'TIME', width: 7, align: 'right' },
  turns: { title: 'TURNS', width: 5, align: 'right' },
  cost: { title: 'COST', width: 7, align: 'right' },
  diff: { title: 'DIFF', width: 14, align: 'left' },
};
/** Activity is what people watch ("Edit src/components/app.tsx"); below this width, other columns go first. */
const MIN_ACTIVITY = 28;

/**
 * The grid's columns for a terminal `width` wide: activity takes what is
 * left; branch, then diff, then turns are dropped when the terminal is
 * narrow, so a row is always one line.
 */
export function gridColumns(width: number): GridColumn[] {
  const order: GridColumnKey[] = ['state', 'job', 'branch', 'elapsed', 'activity', 'turns', 'cost', 'diff'];
  const dropFirst: GridColumnKey[] = ['branch', 'diff', 'turns', 'cost', 'elapsed'];
  let keys = order;
  const fixedWidth = (list: GridColumnKey[]): number => list.reduce((sum, key) => sum + (key === 'activity' ? 0 : FIXED[key].width + 1), 0);
  for (const drop of dropFirst) {
    if (width - fixedWidth(keys) >= MIN_ACTIVITY) break;
    keys = keys.filter((key) => key !== drop);
  }
  const activity = Math.max(1, width - fixedWidth(keys) - 1);
  return keys.map((key) => (key === 'activity' ? { key, title: 'ACTIVITY', width: activity, align: 'left' } : { key, ...FIXED[key] }));
}

/** `42s`, `3m05s`, `1h02m`: short enough for the grid. */
export function formatElapsed(ms: number): string {
  if (!(ms >= 0)) return '';
  const seconds = Math.floor(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s`;
  return `${Math.floor(seconds / 3600)}h${String(Math.floor((seconds % 3600) / 60)).padStart(2, '0')}m`;
}

/** How long a job has been going, or went. */
export function jobElapsed(job: JobView, now: number): string {
  if (!job.started_at) return '';
  const end = job.finished_at ? Date.parse(job.finished_at) : now;
  return formatElapsed(end - Date.parse(job.started_at));
}

/** Glyph and colour of each state; running ones get the shared spinner instead of a glyph. */
export const STATE_STYLE: Record<JobState, { glyph: string; color: string; spins: boolean }> = {
  queued: { glyph: '·', color: 'gray', spins: false },
  planning: { glyph: '◆', color: 'blue', spins: true },
  'awaiting-approval': { glyph: '?', color: 'yellow', spins: false },
  running: { glyph: '▶', color: 'cyan', spins: true },
  'needs-input': { glyph: '◉', color: 'magentaBright', spins: false },
  paused: { glyph: '‖', color: 'blue', spins: false },
  retrying: { glyph: '↻', color: 'yellow', spins: false },
  succeeded: { glyph: '✔', color: 'green', spins: false },
  failed: { glyph: '✘', color: 'red', spins: false },
  'timed-out': { glyph: '⏱', color: 'red', spins: false },
  cancelled: { glyph: '⊘', color: 'gray', spins: false },
  interrupted: { glyph: '!', color: 'magenta', spins: false },
};

/** The frames of the one spinner every running row shares. */
export const SPINNER_FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/** What a job waits on a person for, on one line: `Bash rm -rf build`, `Question: Which database…`. */
export function pendingSummary(pending: Pending, cwd: string): string {
  if (pending.kind === 'instructions') return 'waiting for instructions';
  if (pending.kind === 'question') {
    const questions = Array.isArray(pending.input.questions) ? (pending.input.questions as { question?: unknown }[]) : [];
    const first = questions[0]?.question;
    return `Question: ${typeof first === 'string' ? first : '(no text)'}`;
  }
  return `asks: ${describeToolUse(pending.tool ?? 'tool', pending.input, cwd)}`;
}

/** What answers a pending request: the commands to type. */
export function answerCommand(run: string, job: string, pending: Pending): string {
  if (pending.kind === 'question') return `par answer ${run} ${job} <option>`;
  if (pending.kind === 'instructions') return `par send ${run} ${job} -m '…'`;
  return `par approve ${run} ${job}  |  par deny ${run} ${job} -m '…'`;
}

/** The activity column whole: who runs the job and where (`codex@box`, `@box`; nothing for the run's one agent here), the overlap mark, then its activity. */
export function activityCell(job: JobView, mark: string): string {
  const where = job.executor && job.executor !== 'local' ? `@${job.executor}` : '';
  return [`${job.agent ?? ''}${where}`, mark, jobActivity(job)].filter(Boolean).join(' · ');
}

/** What the activity column says: the error of a failed job, the retry, denials, else what it is doing. */
export function jobActivity(job: JobView): string {
  const parts: string[] = [];
  if (job.denials.length > 0) parts.push(`⚠ ${job.denials.length} denied`);
  if (job.retry) parts.push(job.retry);
  if (job.state === 'failed' || job.state === 'timed-out' || job.state === 'interrupted') {
    parts.push(job.error ?? job.reason ?? job.state);
  } else if (job.state === 'cancelled') {
    parts.push(job.reason ? `cancelled (${job.reason})` : 'cancelled');
  } else if (job.state === 'succeeded') {
    parts.push(job.result?.split('\n').find((line) => line.trim() !== '') ?? 'done');
  } else if (job.state === 'needs-input' && job.pending) {
    parts.push(pendingSummary(job.pending, job.worktree ?? ''));
  } else if (job.state === 'queued') {
    parts.push(job.worktree ? 'waiting for a slot' : 'waiting for its worktree');
  } else if (job.activity) {
    parts.push(job.activity);
  } else if (job.state === 'running') {
    // Nothing said yet: some agents take seconds before their first line.
    parts.push('starting');
  }
  return parts.join(' · ').replace(/\s+/g, ' ');
}

/** `+12 −3 4f` for a finished job's diffstat. */
export function diffCell(job: JobView): string {
  const stat = job.diffstat;
  if (!stat) return '';
  if (stat.files === 0) return 'no changes';
  return `+${stat.insertions} −${stat.deletions} ${stat.files}f`;
}

/** `$0.0123`, or '' before the agent reports a cost. */
export function costCell(cost: number | null): string {
  if (cost === null) return '';
  return cost >= 100 ? `$${cost.toFixed(0)}` : cost >= 10 ? `$${cost.toFixed(2)}` : `$${cost.toFixed(3)}`;
}

/** Pads or cuts `text` to exactly `width` columns (one column per code point; wide characters are rare here). */
export function fit(text: string, width: number, align: 'left' | 'right' = 'left'): string {
  const chars = Array.from(text);
  if (chars.length > width) return width <= 1 ? chars.slice(0, width).join('') : `${chars.slice(0, width - 1).join('')}…`;
  const pad = ' '.repeat(width - chars.length);
  return align === 'left' ? text + pad : pad + text;
}
