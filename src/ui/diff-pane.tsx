import { Box, Text } from 'ink';
import Spinner from 'ink-spinner';
import { useTui } from './context.js';
import { Line } from './line.js';
import { useUi } from './store.js';

export function lineColor(line: string): { color?: string; bold?: boolean; dimColor?: boolean } {
  if (line.startsWith('+++') || line.startsWith('---') || line.startsWith('diff ')) return { bold: true };
  if (line.startsWith('+')) return { color: 'green' };
  if (line.startsWith('-')) return { color: 'red' };
  if (line.startsWith('@@')) return { color: 'cyan' };
  return {};
}

/** What the focused job changed: its diffstat, then the diff against the HEAD it started from, scrollable. */
export function DiffPane({ height, width }: { height: number; width: number }) {
  const { store } = useTui();
  const diff = useUi(store, (state) => state.diff);
  if (diff.error) return <Line width={width} color="red">{`The diff of ${diff.job ?? 'the job'} cannot be shown: ${diff.error}`}</Line>;
  if (diff.lines === null) {
    return (
      <Text>
        <Spinner type="dots" /> Computing the diff of {diff.job ?? 'the job'}…
      </Text>
    );
  }
  const rows = Math.max(1, height - 1);
  const start = Math.max(0, Math.min(diff.scroll, diff.lines.length - rows));
  return (
    <Box flexDirection="column">
      <Line width={width} dimColor>{`${diff.job ?? ''} · lines ${diff.lines.length === 0 ? 0 : start + 1}–${Math.min(diff.lines.length, start + rows)} of ${diff.lines.length}`}</Line>
      {diff.lines.length === 0 ? <Line width={width}>No changes.</Line> : null}
      {diff.lines.slice(start, start + rows).map((line, index) => (
        <Line key={start + index} width={width} {...lineColor(line)}>
          {line}
        </Line>
      ))}
    </Box>
  );
}
