import { Box, Text } from 'ink';
import Spinner from 'ink-spinner';
import { tilde } from '../core/table.js';
import type { WorktreeItem } from '../core/ui-state.js';
import { useTui } from './context.js';
import { Line, windowStart } from './line.js';
import { useUi } from './store.js';

function row(item: WorktreeItem, checked: boolean, home: string): string {
  const mark = item.valid ? (checked ? '[x]' : '[ ]') : ' ✗ ';
  const branch = item.branch ?? '(detached)';
  const notes = [item.main ? 'main' : '', item.dirty ? '● dirty' : '', item.valid ? '' : (item.reason ?? 'invalid')].filter(Boolean).join('  ');
  return `${mark} ${tilde(item.path, home)}  ${branch}${notes ? `  ${notes}` : ''}`;
}

/** The discovered worktrees, in discovery order: space selects, `a` all, `n` new ones, enter runs. */
export function WorktreesPane({ height, width }: { height: number; width: number }) {
  const { store, home } = useTui();
  const worktrees = useUi(store, (state) => state.worktrees);
  const picked = useUi(store, (state) => state.prompts.picked);
  if (worktrees.items === null) {
    return (
      <Text>
        <Spinner type="dots" /> Looking for worktrees…
      </Text>
    );
  }
  const intro = picked ? `Where to run ${picked}: space selects, a all, n new worktrees, enter runs.` : 'Pick a prompt first (tab to Prompts); then select worktrees here.';
  const selection = worktrees.newCount > 0 ? `${worktrees.newCount} new worktrees` : `${worktrees.selected.length} selected`;
  if (worktrees.items.length === 0) {
    return (
      <Box flexDirection="column">
        <Line width={width}>{worktrees.error ?? 'No worktrees found here.'}</Line>
        <Line width={width}>Start par inside a git repository, or tell it where to look: par config set worktrees.search_paths '["~/code"]'</Line>
        <Line width={width}>Press n to run in new worktrees made from the base branch.</Line>
      </Box>
    );
  }
  const warnings = worktrees.warnings.length > 0 ? 1 : 0;
  const rows = Math.max(1, height - 1 - warnings);
  const start = windowStart(worktrees.cursor, worktrees.items.length, rows);
  const selected = new Set(worktrees.selected);
  return (
    <Box flexDirection="column">
      <Line width={width} dimColor>{`${intro}  (${selection})`}</Line>
      {worktrees.items.slice(start, start + rows).map((item, index) => {
        const atCursor = start + index === worktrees.cursor;
        return (
          <Line key={item.path} width={width} inverse={atCursor} {...(item.valid ? (selected.has(item.path) ? { color: 'green' } : {}) : { dimColor: true })}>
            {row(item, selected.has(item.path), home)}
          </Line>
        );
      })}
      {warnings ? <Line width={width} color="yellow">{`⚠ ${worktrees.warnings[0]}${worktrees.warnings.length > 1 ? ` (+${worktrees.warnings.length - 1} more)` : ''}`}</Line> : null}
    </Box>
  );
}
