import { Box, useInput, useStdout } from 'ink';
import { useEffect } from 'react';
import { activeScope } from '../core/ui-state.js';
import { useTui } from './context.js';
import { Footer, StatusLine } from './footer.js';
import { HelpPanel } from './help-panel.js';
import { Header } from './header.js';
import { DiffPane } from './diff-pane.js';
import { ComparePane } from './compare-pane.js';
import { JobGrid } from './job-grid.js';
import { LogPane } from './log-pane.js';
import { PromptsPane } from './prompts-pane.js';
import { RunsPane } from './runs-pane.js';
import { useUi } from './store.js';
import { WorktreesPane } from './worktrees-pane.js';

/** Lines around the pane: header, status line and footer, plus one spare so the frame stays shorter than the terminal (a full-height frame makes Ink clear the screen on every render). */
const CHROME_LINES = 4;

/** Keeps the store's idea of the terminal size in step with the terminal. */
function useTerminalSize(): void {
  const { store } = useTui();
  const { stdout } = useStdout();
  useEffect(() => {
    const onResize = (): void => store.dispatch({ type: 'size', columns: stdout.columns || 80, rows: stdout.rows || 24 });
    stdout.on('resize', onResize);
    return () => void stdout.off('resize', onResize);
  }, [store, stdout]);
}

/** The TUI: header, the active pane, the status line and the footer. */
export function App() {
  const { store, controller } = useTui();
  const pane = useUi(store, (state) => state.pane);
  const help = useUi(store, (state) => state.overlay?.kind === 'help');
  const scope = useUi(store, activeScope);
  const { columns, rows } = useUi(store, (state) => state.size);
  useTerminalSize();
  useInput((input, key) => controller.press(input, key));
  const height = Math.max(1, rows - CHROME_LINES);
  const width = Math.max(20, columns);
  const body = help ? (
    <HelpPanel height={height} width={width} />
  ) : pane === 'prompts' ? (
    <PromptsPane height={height} width={width} />
  ) : pane === 'worktrees' ? (
    <WorktreesPane height={height} width={width} />
  ) : pane === 'jobs' ? (
    <JobGrid height={height} width={width} />
  ) : pane === 'log' ? (
    <LogPane height={height} width={width} />
  ) : pane === 'diff' ? (
    <DiffPane height={height} width={width} />
  ) : pane === 'compare' ? (
    <ComparePane height={height} width={width} />
  ) : (
    <RunsPane height={height} width={width} />
  );
  return (
    <Box flexDirection="column" width={width}>
      <Header width={width} />
      <Box flexDirection="column" height={height} overflowY="hidden">
        {body}
      </Box>
      <StatusLine width={width} />
      <Footer scope={scope} width={width} />
    </Box>
  );
}
