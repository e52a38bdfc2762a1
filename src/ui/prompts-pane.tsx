import { Box, Text } from 'ink';
import Spinner from 'ink-spinner';
import { visiblePrompts } from '../core/ui-state.js';
import { useTui } from './context.js';
import { Line, windowStart } from './line.js';
import { useUi } from './store.js';

/** The library: pick the prompt to run; `/` filters, `a` adds one. */
export function PromptsPane({ height, width }: { height: number; width: number }) {
  const { store } = useTui();
  const prompts = useUi(store, (state) => state.prompts);
  const items = useUi(store, visiblePrompts);
  if (prompts.items === null) {
    return (
      <Text>
        <Spinner type="dots" /> Reading the prompt library…
      </Text>
    );
  }
  const filterLine = prompts.filtering || prompts.filter !== '' ? 1 : 0;
  if (prompts.items.length === 0) {
    return (
      <Box flexDirection="column">
        <Line width={width}>{prompts.error ? `The prompt library cannot be read: ${prompts.error}` : 'The prompt library is empty.'}</Line>
        <Line width={width}>Press a to write a prompt in $EDITOR, or add one from a shell: par add --name fix-lint --file fix-lint.md</Line>
      </Box>
    );
  }
  const rows = Math.max(1, height - filterLine);
  const start = windowStart(prompts.cursor, items.length, rows);
  const nameWidth = Math.min(28, Math.max(8, ...items.map((item) => item.name.length)) + 2);
  return (
    <Box flexDirection="column">
      {filterLine ? (
        <Line width={width} color="yellow">
          {`/${prompts.filter}${prompts.filtering ? '▏' : ''}  ${items.length} of ${prompts.items.length}`}
        </Line>
      ) : null}
      {items.length === 0 ? <Line width={width} dimColor>No prompt matches; esc clears the filter.</Line> : null}
      {items.slice(start, start + rows).map((item, index) => {
        const selected = start + index === prompts.cursor;
        return (
          <Line key={item.name} width={width} inverse={selected}>
            {`${selected ? '›' : ' '} ${item.name.padEnd(nameWidth)}${item.template ? '⟨t⟩ ' : ''}${item.description}`}
          </Line>
        );
      })}
    </Box>
  );
}
