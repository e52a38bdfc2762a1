import { Box, Text } from 'ink';
import { basename } from 'node:path';
import { needYou } from '../core/run-state.js';
import { useTui } from './context.js';
import { useUi } from './store.js';

const TITLES = { prompts: 'Prompts', worktrees: 'Worktrees', jobs: 'Jobs', log: 'Log', diff: 'Diff', compare: 'Compare', runs: 'Runs' } as const;

/** The top line: par, the pane, the prompt picked and the run on screen. */
export function Header({ width }: { width: number }) {
  const { store } = useTui();
  const pane = useUi(store, (state) => state.pane);
  const picked = useUi(store, (state) => state.prompts.picked);
  const run = useUi(store, (state) => state.run?.run ?? null);
  const runState = useUi(store, (state) => state.run?.state ?? null);
  const repo = useUi(store, (state) => state.worktrees.items?.[0]?.repo ?? null);
  const waiting = useUi(store, (state) => (state.run ? needYou(state.run) : 0));
  const usage = useUi(store, (state) => state.run?.usage ?? null);
  const warning = usage && usage.status !== 'allowed' ? `usage ${usage.status === 'rejected' ? 'limit reached' : 'close to its limit'}${usage.resets_at ? `, resets ${usage.resets_at.slice(11, 16)} UTC` : ''}` : null;
  const parts = [repo ? basename(repo) : null, picked ? `prompt ${picked}` : null, run ? `run ${run}${runState && runState !== 'running' ? ` (${runState})` : ''}` : null].filter(Boolean);
  return (
    <Box width={width} height={1} overflowY="hidden">
      <Text wrap="truncate-end">
        <Text bold color="cyan">
          par
        </Text>
        <Text bold> {TITLES[pane]}</Text>
        {waiting > 0 ? (
          <Text bold color="magentaBright">
            {`  ◉ ${waiting} need you`}
          </Text>
        ) : null}
        {warning ? <Text color="yellow">{`  ⚠ ${warning}`}</Text> : null}
        <Text dimColor>{parts.length > 0 ? `  ${parts.join(' · ')}` : ''}</Text>
      </Text>
    </Box>
  );
}
