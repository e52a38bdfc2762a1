import { Box, Text } from 'ink';
import Spinner from 'ink-spinner';
import { costCell, fit } from '../core/grid-layout.js';
import { tilde } from '../core/table.js';
import type { RunItem } from '../core/ui-state.js';
import { useTui } from './context.js';
import { Line, windowStart } from './line.js';
import { useUi } from './store.js';

const STATE_COLOR: Record<RunItem['state'], string> = { running: 'cyan', succeeded: 'green', failed: 'red', cancelled: 'gray', interrupted: 'magenta' };

/** Running and earlier runs, the current repository's first: enter attaches. */
export function RunsPane({ height, width }: { height: number; width: number }) {
  const { store, home } = useTui();
  const runs = useUi(store, (state) => state.runs);
  if (runs.items === null) {
    return (
      <Text>
        <Spinner type="dots" /> Reading runs…
      </Text>
    );
  }
  if (runs.items.length === 0) return <Line width={width}>{runs.error ?? 'No runs yet: pick a prompt and worktrees to start one.'}</Line>;
  const rows = Math.max(1, height - 1);
  const start = windowStart(runs.cursor, runs.items.length, rows);
  return (
    <Box flexDirection="column">
      <Line width={width} bold>
        {`${fit('RUN', 21)} ${fit('STATE', 11)} ${fit('JOBS', 12)} ${fit('COST', 7, 'right')} ${fit('STARTED', 16)} REPOSITORY`}
      </Line>
      {runs.items.slice(start, start + rows).map((item, index) => {
        const selected = start + index === runs.cursor;
        const jobs = `${item.succeeded}/${item.jobs}${item.failed ? ` ✘${item.failed}` : ''}${item.need_you ? ` ◉${item.need_you}` : ''}`;
        return (
          <Box key={item.run} height={1} overflowY="hidden">
            <Text wrap="truncate-end" inverse={selected}>
              {fit(item.run, 21)} <Text color={STATE_COLOR[item.state]}>{fit(item.state, 11)}</Text> {fit(jobs, 12)} {fit(costCell(item.cost_usd), 7, 'right')} {fit(item.started_at.replace('T', ' ').slice(0, 16), 16)} {item.repository ? tilde(item.repository, home) : ''}
            </Text>
          </Box>
        );
      })}
    </Box>
  );
}
