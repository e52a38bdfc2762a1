import { Box, Text } from 'ink';
import { footerHints, type Scope } from '../core/keymap.js';
import { formatElapsed, costCell } from '../core/grid-layout.js';
import { runTotals, type RunState } from '../core/run-state.js';
import type { UiState } from '../core/ui-state.js';
import { useTui } from './context.js';
import { Line } from './line.js';
import { useUi } from './store.js';
import { useTick } from './ticker.js';

/** The keys that work here, from the keymap. */
export function Footer({ scope, width }: { scope: Scope; width: number }) {
  return (
    <Line width={width} dimColor>
      {footerHints(scope)}
    </Line>
  );
}

function question(state: UiState): string | null {
  const overlay = state.overlay;
  if (!overlay) return null;
  switch (overlay.kind) {
    case 'confirm': {
      const { launch, worktrees, prompts } = state;
      const where = worktrees.newCount > 0 ? `${worktrees.newCount} new worktree${worktrees.newCount === 1 ? '' : 's'} from ${launch.base}` : `${worktrees.selected.length} worktree${worktrees.selected.length === 1 ? '' : 's'}`;
      const count = worktrees.newCount || worktrees.selected.length;
      return `Run ${prompts.picked ?? 'the prompt'} in ${where}: ${count} job${count === 1 ? '' : 's'}, agent ${launch.agent}, -j ${launch.jobs}? ${state.starting ? 'starting…' : 'enter/y start · esc back'}`;
    }
    case 'new-count':
      return `How many new worktrees from ${state.launch.base}? ${overlay.text}▏ (enter ok · esc back)`;
    case 'quit':
      return 'Jobs are still running: k keep them running in the background · c cancel them · esc stay';
    case 'cancel-job':
      return `Cancel job ${overlay.job}? y yes · n no`;
    case 'input': {
      const what = overlay.purpose === 'deny' ? `Why deny ${overlay.job}'s request (optional)` : overlay.purpose === 'send-all' ? 'Message for every running job' : `Message for ${overlay.job}`;
      return `${what}: ${overlay.text}▏ (enter ${overlay.purpose === 'deny' ? 'deny' : 'send'} · ctrl+e $EDITOR · esc cancel)`;
    }
    case 'help':
      return null;
  }
}

function totalsText(run: RunState, now: number): string {
  const totals = runTotals(run);
  const started = run.started_at ? Date.parse(run.started_at) : now;
  const end = run.finished_at ? Date.parse(run.finished_at) : now;
  const cost = costCell(totals.cost_usd) || '$0';
  return `${totals.running} running · ${totals.done}/${totals.total} done · ${totals.failed} failed · ${cost} · ${formatElapsed(end - started)}${run.state === 'running' ? '' : ` · run ${run.state}`}`;
}

/** The line above the footer: a question being asked, else the last message, else the run's totals. */
export function StatusLine({ width }: { width: number }) {
  const { store, ticker, ports } = useTui();
  const ask = useUi(store, question);
  const message = useUi(store, (state) => state.message);
  const run = useUi(store, (state) => (state.pane === 'jobs' || state.pane === 'log' || state.pane === 'diff' || state.pane === 'compare' ? state.run : null));
  // The elapsed total moves once a second; the shared ticker drives it while the run goes.
  useTick(ticker, run?.state === 'running');
  if (ask) return <Line width={width} color="yellow" bold>{ask}</Line>;
  if (message) return <Line width={width} color={message.tone === 'error' ? 'red' : 'green'}>{message.text}</Line>;
  if (run) return <Line width={width}>{totalsText(run, ports.now())}</Line>;
  return (
    <Box height={1}>
      <Text> </Text>
    </Box>
  );
}
