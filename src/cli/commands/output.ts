import { table } from '../../reports/index.js';
import type { CliIo } from '../cli-io.js';
import type { OutputFlags } from '../options.js';

export { dash, fields, table } from '../../reports/index.js';

/** What the commands that talk to a server print: JSON answers, tables and `name  value` lines. */

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

/** A record of labels or tags as `a=1,b` (a tag without a value is its key alone); `-` when empty. */
export function pairsText(record: Record<string, string>): string {
  const entries = Object.entries(record);
  return entries.length === 0
    ? '-'
    : entries.map(([key, value]) => (value === '' ? key : `${key}=${value}`)).join(',');
}

/** The hint a list command prints (to stderr) when the server has another page. */
export function morePages(io: CliIo, what: string, token: string | undefined): void {
  if (token !== undefined) io.stderr.write(`(more ${what}: pass --page-token ${token})\n`);
}
