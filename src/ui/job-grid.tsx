import { Box, Text } from 'ink';
import { memo, useMemo } from 'react';
import { activityCell, costCell, diffCell, fit, gridColumns, jobElapsed, SPINNER_FRAMES, STATE_STYLE, type GridColumn } from '../core/grid-layout.js';
import type { JobView } from '../core/run-state.js';
import { forecastOverlaps, overlapMark, type JobOverlaps } from '../core/forecast.js';
import { visibleJobs } from '../core/ui-state.js';
import { attemptGlyphs } from '../core/attempts.js';
import { useTui } from './context.js';
import { Line, windowStart } from './line.js';
import { useUi } from './store.js';
import { useTick } from './ticker.js';

/** What a row shows besides the job: the conflict forecast's mark and, for an attempt at a target, the glyph tying it to its siblings. */
interface RowMarks {
  mark: string;
  tree: string;
}

function cell(job: JobView, column: GridColumn, now: number, { mark, tree }: RowMarks): string {
  switch (column.key) {
    case 'state':
      return '';
    case 'job':
      return tree ? `${tree} ${job.id}` : job.id;
    case 'branch':
      return job.branch ?? '';
    case 'elapsed':
      return jobElapsed(job, now);
    case 'activity':
      return activityCell(job, mark);
    case 'turns':
      return job.turns > 0 ? String(job.turns) : '';
    case 'cost':
      return costCell(job.cost_usd);
    case 'diff':
      return diffCell(job);
  }
}

/** One job, one line. Memoized: an event about another job does not redraw it. */
const JobRow = memo(function JobRow({ job, columns, selected, mark, tree }: { job: JobView; columns: GridColumn[]; selected: boolean } & RowMarks) {
  const { ticker, ports } = useTui();
  const style = STATE_STYLE[job.state];
  // Rows whose time goes on (running, waiting on a person or a reset) redraw with the shared ticker.
  const frame = useTick(ticker, style.spins || job.state === 'retrying' || job.state === 'needs-input' || job.state === 'paused');
  const glyph = style.spins ? (SPINNER_FRAMES[frame % SPINNER_FRAMES.length] ?? style.glyph) : style.glyph;
  const [first, ...rest] = columns;
  const now = ports.now();
  // A text node per cell: Ink measures each node's text every frame, and a text with one character past ASCII
  // (the spinner, an ellipsis, a minus sign) takes string-width's slow path over all of it — cheap for one cell,
  // not for a whole row of sixteen rows ten times a second.
  return (
    <Box height={1} overflowY="hidden">
      <Text color={style.color} inverse={selected}>
        {fit(`${glyph} ${job.state}`, first?.width ?? 19)}
      </Text>
      {rest.map((column) => (
        <Text key={column.key} wrap="truncate-end" inverse={selected}>
          {` ${fit(cell(job, column, now, { mark, tree }), column.width, column.align)}`}
        </Text>
      ))}
    </Box>
  );
});

/** The live grid of the run on screen: one row per job, only the rows that fit drawn. */
export function JobGrid({ height, width }: { height: number; width: number }) {
  const { store } = useTui();
  const run = useUi(store, (state) => state.run);
  const ids = useUi(store, visibleJobs);
  const selected = useUi(store, (state) => state.jobs.selected);
  const filter = useUi(store, (state) => (state.jobs.filtering || state.jobs.filter !== '' ? state.jobs : null));
  // The same array while the width holds, so memoized rows skip.
  const columns = useMemo(() => gridColumns(width - 1), [width]);
  // Jobs that changed the same files (the conflict forecast): `⚔ t2` before the activity.
  const overlaps = useMemo(() => (run ? forecastOverlaps(run.order.map((id) => run.byId[id] as JobView), 1) : new Map<string, JobOverlaps>()), [run]);
  // A target's attempts (best-of-N) tied together: ┌ ├ └ before their ids.
  const trees = useMemo(() => (run ? attemptGlyphs(ids, run.byId) : new Map<string, string>()), [ids, run]);
  if (!run) return <Line width={width}>No run yet: pick a prompt and worktrees, or attach to one from Runs (tab).</Line>;
  const filterLine = filter ? 1 : 0;
  const rows = Math.max(1, height - 1 - filterLine);
  const cursor = Math.max(0, ids.indexOf(selected ?? ''));
  const start = windowStart(cursor, ids.length, rows);
  return (
    <Box flexDirection="column">
      {filter ? <Line width={width} color="yellow">{`/${filter.filter}${filter.filtering ? '▏' : ''}  ${ids.length} of ${run.order.length}`}</Line> : null}
      <Line width={width} bold>
        {columns.map((column) => fit(column.title, column.width, column.align)).join(' ')}
      </Line>
      {run.order.length === 0 ? <Line width={width} dimColor>Starting the run…</Line> : null}
      {ids.slice(start, start + rows).map((id) => {
        const job = run.byId[id];
        return job ? <JobRow key={id} job={job} columns={columns} selected={id === selected} mark={overlapMark(overlaps.get(id))} tree={trees.get(id) ?? ''} /> : null;
      })}
    </Box>
  );
}
