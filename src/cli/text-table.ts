/**
 * Rows under column headers, each column as wide as its widest cell, for the `list` commands
 * (with --json they print the JSON instead). No rows: `empty`, so an empty list says so.
 */
export function textTable(headers: string[], rows: string[][], empty: string): string {
  if (!rows.length) return empty;
  const widths = headers.map((header, column) =>
    Math.max(header.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n');
}
