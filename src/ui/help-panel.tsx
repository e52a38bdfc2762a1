import { Box } from 'ink';
import { bindingsFor, keyLabel, type Scope } from '../core/keymap.js';
import { Line } from './line.js';

const SECTIONS: [string, Scope][] = [
  ['Prompts', 'prompts'],
  ['Prompt filter', 'prompts-filter'],
  ['Worktrees', 'worktrees'],
  ['Jobs', 'jobs'],
  ['Log', 'log'],
  ['Diff', 'diff'],
  ['Compare attempts', 'compare'],
  ['Runs', 'runs'],
  ['Quitting with jobs running', 'quit'],
];

/** Packs `items` after `title` into lines no wider than `width`, continuation lines indented. */
function pack(title: string, items: string[], width: number): string[] {
  const lines: string[] = [];
  let line = title;
  for (const item of items) {
    if (line.length + item.length + 3 > width && line.trim() !== '' && line !== title) {
      lines.push(line);
      line = '   ';
    }
    line += line.trim() === '' || line === title ? ` ${item}` : ` · ${item}`;
  }
  lines.push(line);
  return lines;
}

/** Every key, by pane, from the keymap (`?`). */
export function HelpPanel({ height, width }: { height: number; width: number }) {
  const lines: string[] = [];
  for (const [title, scope] of SECTIONS) {
    const keys = bindingsFor(scope)
      .filter((binding) => binding.scope === scope)
      .map((binding) => `${binding.keys.map(keyLabel).join('/')} ${binding.label}`);
    lines.push(...pack(`${title}:`, keys, width));
  }
  lines.push(...pack('Everywhere:', ['tab next pane', '? this help', 'q quit (asks when jobs run)', 'Ctrl+C as q'], width));
  return (
    <Box flexDirection="column">
      {lines.slice(0, height).map((line, index) => (
        <Line key={index} width={width}>
          {line}
        </Line>
      ))}
    </Box>
  );
}
