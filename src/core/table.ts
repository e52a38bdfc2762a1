/** A column of a plain-text table. */
export interface Column<Row> {
  header: string;
  value: (row: Row) => string;
  /** Shrinks first when the table is wider than the terminal. */
  flexible?: boolean;
}

/** Cuts `text` to `width` characters, ending with … when cut. */
export function truncate(text: string, width: number): string {
  const chars = [...text];
  if (chars.length <= width) return text;
  return width <= 1 ? chars.slice(0, width).join('') : `${chars.slice(0, width - 1).join('')}…`;
}

/**
 * Lays rows out in aligned columns separated by two spaces; when `width` is
 * given, flexible columns are cut so every line fits.
 */
export function formatTable<Row>(rows: readonly Row[], columns: readonly Column<Row>[], width?: number): string {
  const cells = rows.map((row) => columns.map((column) => column.value(row).replace(/[\r\n\t]+/g, ' ')));
  const widths = columns.map((column, index) =>
    Math.max([...column.header].length, ...cells.map((line) => [...(line[index] ?? '')].length)),
  );
  if (width !== undefined) {
    const total = (): number => widths.reduce((sum, w) => sum + w, 0) + 2 * (columns.length - 1);
    columns.forEach((column, index) => {
      const excess = total() - width;
      if (column.flexible && excess > 0) widths[index] = Math.max(8, (widths[index] ?? 0) - excess);
    });
  }
  const render = (line: string[]): string =>
    line
      .map((cell, index) => {
        const w = widths[index] ?? 0;
        const text = truncate(cell, w);
        return index === line.length - 1 ? text : text.padEnd(w + (text.length - [...text].length));
      })
      .join('  ')
      .trimEnd();
  return [render(columns.map((column) => column.header)), ...cells.map(render)].join('\n') + '\n';
}

/** A path with the home directory shown as `~`. */
export function tilde(path: string, home: string): string {
  return path === home || path.startsWith(`${home}/`) ? `~${path.slice(home.length)}` : path;
}
