/** Plain-text layout shared by the renderers and the CLI: padded cells, tables, `name  value` lines. */

export function pad(text: string, width: number): string {
  return text.length >= width ? text : text + ' '.repeat(width - text.length);
}

/** Aligned columns with a heading row, two spaces apart. */
export function table(headings: string[], rows: string[][]): string {
  const widths = headings.map((heading, index) =>
    Math.max(heading.length, ...rows.map((row) => row[index]?.length ?? 0)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, index) => pad(cell, widths[index] ?? 0))
      .join('  ')
      .trimEnd();
  return `${[headings, ...rows].map(line).join('\n')}\n`;
}

/** `name  value` lines, the names aligned. */
export function fields(pairs: [string, string][], indent = ''): string {
  const width = Math.max(...pairs.map(([name]) => name.length));
  return pairs.map(([name, value]) => `${indent}${pad(name, width)}  ${value}`.trimEnd()).join('\n') + '\n';
}

/** `-` for a value that is not there. */
export const dash = (value: string | null | undefined) =>
  value === null || value === undefined || value === '' ? '-' : value;
