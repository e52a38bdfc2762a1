import { Box, Text } from 'ink';
import type { ReactNode } from 'react';

/** Text styles a line may take. */
export interface LineStyle {
  color?: string;
  dimColor?: boolean;
  bold?: boolean;
  inverse?: boolean;
}

/** One line cut to the width: every row of the TUI is exactly one line, whatever it holds. */
export function Line({ children, width, ...style }: LineStyle & { children: ReactNode; width: number }) {
  return (
    <Box width={width} height={1} overflowY="hidden" flexShrink={0}>
      <Text wrap="truncate-end" {...style}>
        {children === '' ? ' ' : children}
      </Text>
    </Box>
  );
}

/** The first visible row of a list `height` rows tall, so the cursor stays on screen (kept near the middle). */
export function windowStart(cursor: number, count: number, height: number): number {
  if (count <= height) return 0;
  return Math.max(0, Math.min(cursor - Math.floor(height / 2), count - height));
}
