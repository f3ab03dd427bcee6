import type { Command } from 'commander';
import type { CliIo } from '../cli-io.js';
import { defaultServerUrl } from '../server-client.js';

/** What the commands that talk to a server print, and the flags they share. */

export interface OutputFlags {
  server?: string;
  json?: boolean;
}

export const serverHelp = `the Warden server (WARDEN_SERVER; default ${defaultServerUrl}); the token is WARDEN_TOKEN`;

/** --server and --json, which every command here takes. */
export function withOutput(command: Command): Command {
  return command
    .option('--server <url>', serverHelp)
    .option('--json', 'print the JSON answer instead of a table (for scripts)');
}

export function printJson(io: CliIo, value: unknown): void {
  io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** A list answer: raw JSON with --json, a note when empty, else a table of one row per item. */
export function printList<T>(
  io: CliIo,
  flags: OutputFlags,
  answer: unknown,
  items: readonly T[],
  whenEmpty: string,
  headings: string[],
  row: (item: T) => string[],
): void {
  if (flags.json) printJson(io, answer);
  else io.stdout.write(items.length === 0 ? whenEmpty : table(headings, items.map(row)));
}

function pad(text: string, width: number): string {
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

export const dash = (value: string | null | undefined) =>
  value === null || value === undefined || value === '' ? '-' : value;
