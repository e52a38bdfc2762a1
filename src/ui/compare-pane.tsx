import { Box, Text } from 'ink';
import Spinner from 'ink-spinner';
import { attemptsByTarget, compareRows } from '../core/attempts.js';
import { fit, STATE_STYLE } from '../core/grid-layout.js';
import type { JobView } from '../core/run-state.js';
import { useTui } from './context.js';
import { lineColor } from './diff-pane.js';
import { Line } from './line.js';
import { useUi } from './store.js';

const LABEL_WIDTH = 10;
const MIN_COLUMN = 14;

/** The attempts that fit side by side: as many as there is room for, A and B always among them. */
function shownAttempts(attempts: readonly JobView[], a: string, b: string, room: number): JobView[] {
  const fits = Math.max(2, Math.floor(room / (MIN_COLUMN + 1)));
  if (attempts.length <= fits) return [...attempts];
  const chosen = attempts.filter((job) => job.id === a || job.id === b);
  for (const job of attempts) if (chosen.length < fits && !chosen.includes(job)) chosen.push(job);
  return attempts.filter((job) => chosen.includes(job));
}

/** Best-of-N: a target's attempts side by side, then the diff from attempt A to attempt B, scrollable. */
export function ComparePane({ height, width }: { height: number; width: number }) {
  const { store } = useTui();
  const compare = useUi(store, (state) => state.compare);
  const run = useUi(store, (state) => state.run);
  const { target, a, b } = compare;
  if (!run || target === null || a === null || b === null) return <Line width={width}>Nothing to compare: press c on an attempt in the grid.</Line>;
  const attempts = shownAttempts(attemptsByTarget(run).get(target) ?? [], a, b, width - LABEL_WIDTH - 1);
  const column = Math.max(MIN_COLUMN, Math.floor((width - LABEL_WIDTH - 1) / Math.max(1, attempts.length)) - 1);
  const rows = compareRows(attempts);
  const side = (job: JobView): string => (job.id === a ? 'A ' : job.id === b ? 'B ' : '  ');
  const diffRows = Math.max(1, height - rows.length - 3);
  const lines = compare.lines ?? [];
  const start = Math.max(0, Math.min(compare.scroll, lines.length - diffRows));
  return (
    <Box flexDirection="column">
      <Line width={width} bold>
        {`${fit('', LABEL_WIDTH)} ${attempts.map((job) => fit(`${side(job)}${job.id}`, column)).join(' ')}`}
      </Line>
      {rows.map((row) => (
        <Box key={row.label} height={1} overflowY="hidden">
          <Text dimColor>{fit(row.label, LABEL_WIDTH)}</Text>
          {row.cells.map((text, index) => {
            const job = attempts[index] as JobView;
            return (
              <Text key={job.id} wrap="truncate-end" {...(row.label === 'state' ? { color: STATE_STYLE[job.state].color } : {})}>
                {` ${fit(text, column)}`}
              </Text>
            );
          })}
        </Box>
      ))}
      <Line width={width} dimColor>
        {compare.lines === null ? '' : `── diff A ${a} → B ${b} · lines ${lines.length === 0 ? 0 : start + 1}–${Math.min(lines.length, start + diffRows)} of ${lines.length}`}
      </Line>
      {compare.error ? <Line width={width} color="red">{`The diff from ${a} to ${b} cannot be shown: ${compare.error}`}</Line> : null}
      {compare.lines === null && !compare.error ? (
        <Text>
          <Spinner type="dots" /> Computing the diff from {a} to {b}…
        </Text>
      ) : null}
      {lines.slice(start, start + diffRows).map((line, index) => (
        <Line key={start + index} width={width} {...lineColor(line)}>
          {line}
        </Line>
      ))}
    </Box>
  );
}
