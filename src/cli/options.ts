import { type Command, Option } from 'commander';
import {
  type CsvEncoding,
  csvEncodings,
  type DatasetFormat,
  datasetFormats,
  WardenError,
} from '../core/index.js';
import type { CliIo } from './cli-io.js';
import { defaultServerUrl } from './server-client.js';

/**
 * The option parsers the commands share: the server and output options, repeatable values,
 * key=value pairs and numbers. A value that cannot be used is a usage error (exit 2) naming the flag.
 */

export function usage(message: string): WardenError {
  return new WardenError('WARDEN_ERR_USAGE_INVALID_OPTION', message);
}

// ── server and output ────────────────────────────────────────────────────────

export interface OutputFlags {
  server?: string;
  json?: boolean;
}

export const serverHelp = `the Warden server (WARDEN_SERVER; default ${defaultServerUrl}); the token is WARDEN_TOKEN`;

/** --server and --json, which every command that talks to a server takes. */
export function withOutput(command: Command): Command {
  return command
    .option('--server <url>', serverHelp)
    .option('--json', 'print the JSON answer instead of a table (for scripts)');
}

// ── check commands: reading the file, writing the reports ─────────────────────

/** The options every check command shares: how to read the file, and where the reports go. */
export interface CheckFileFlags {
  format?: DatasetFormat;
  delimiter?: string;
  nullValue?: string[];
  encoding?: CsvEncoding;
  json?: string;
  junit?: string;
  markdown?: string;
  verbose?: boolean;
  quiet?: boolean;
  signKey?: string;
}

export function addFileOptions(command: Command): Command {
  return command
    .addOption(
      new Option('--format <format>', 'the file format (default: from the name and contents)').choices(
        datasetFormats,
      ),
    )
    .option('--delimiter <char>', 'CSV field separator (default: detected from the first lines)')
    .option('--null-value <value...>', 'CSV values to read as NULL besides the empty field, e.g. NA')
    .addOption(
      new Option('--encoding <encoding>', 'CSV text encoding').choices(csvEncodings).default('utf-8'),
    );
}

/** --json, --junit and --markdown: the record itself (`jsonHolds`, e.g. "the decision") and CI reports. */
export function addReportFileOptions(command: Command, jsonHolds: string): Command {
  return command
    .option('--json <file>', `write ${jsonHolds} (JSON) to this file`)
    .option('--junit <file>', 'write a JUnit XML report to this file')
    .option('--markdown <file>', 'write a Markdown report to this file');
}

/** The report options of a check command: the evidence and CI reports, --verbose and --quiet. */
export function addReportOptions(command: Command, verboseHelp: string): Command {
  return addSignKeyOption(addReportFileOptions(command, 'the evidence'), '--json')
    .option('-v, --verbose', verboseHelp)
    .option('-q, --quiet', 'print only the verdict line');
}

/** --sign-key: the key that signs the evidence written to `evidenceFlag`. */
export function addSignKeyOption(command: Command, evidenceFlag: string): Command {
  return command.option(
    '--sign-key <file>',
    `sign the evidence with this Ed25519 key (warden key create): ${evidenceFlag} then holds an in-toto statement in a DSSE envelope (default: $WARDEN_SIGNING_KEY)`,
  );
}

/** The dataset-reading options as the engine takes them; a delimiter must be one character. */
export function fileReadOptions(
  flags: CheckFileFlags,
  io: CliIo,
): { format?: DatasetFormat; delimiter?: string; nullValues?: string[]; encoding?: CsvEncoding } {
  if (flags.delimiter !== undefined && [...flags.delimiter].length !== 1) {
    io.usageError(
      `--delimiter takes one character, got ${JSON.stringify(flags.delimiter)} (for a tab, pass $'\\t')`,
    );
  }
  return {
    ...(flags.format ? { format: flags.format } : {}),
    ...(flags.delimiter ? { delimiter: flags.delimiter } : {}),
    ...(flags.nullValue ? { nullValues: flags.nullValue } : {}),
    ...(flags.encoding ? { encoding: flags.encoding } : {}),
  };
}

// ── values ───────────────────────────────────────────────────────────────────

/**
 * A repeatable option's values in the order given: `.option('--x <v>', help, collect, [])`, or
 * without the default when "not given" must stay undefined.
 */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** `a,b, c` as ['a', 'b', 'c'] (empty items dropped); several values are joined first. */
export function commaList(values: string | readonly string[] | undefined): string[] {
  const given = values === undefined ? [] : typeof values === 'string' ? [values] : values;
  return given
    .flatMap((value) => value.split(','))
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

/**
 * `a=1,b=2` (or several such values of a repeatable flag) as a record; every entry must have a key
 * and a value. The one parser of key=value flags: --labels, --label, --subject.
 */
export function parsePairs(
  flag: string,
  values: string | readonly string[] | undefined,
): Record<string, string> {
  const pairs: Record<string, string> = {};
  const given = values === undefined ? [] : typeof values === 'string' ? [values] : values;
  for (const text of given) {
    if (text.trim() === '') continue;
    for (const entry of text.split(',')) {
      const match = /^\s*([^=\s]+)\s*=\s*(.*?)\s*$/.exec(entry);
      if (!match || match[2] === '') {
        throw usage(
          `${flag} "${entry.trim()}": write key=value pairs separated by commas, e.g. ${flag} domain=credit,riskTier=high`,
        );
      }
      pairs[match[1] as string] = match[2] as string;
    }
  }
  return pairs;
}

/** A comma-separated list of column names (each once), or undefined when the option is absent. */
export function parseColumnList(flag: string, value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const names = commaList(value);
  if (names.length === 0) throw usage(`${flag} takes column names, comma-separated, e.g. ${flag} Age,Income`);
  return [...new Set(names)];
}

/** A whole number ≥ 1, or undefined when the option is absent. */
export function parsePositiveInteger(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (value.trim() === '' || !Number.isInteger(parsed) || parsed < 1) {
    throw usage(`${flag} takes a whole number ≥ 1, got ${JSON.stringify(value)}`);
  }
  return parsed;
}

/** A whole number from `min` to `max`, e.g. --port or --limit. */
export function parseIntegerInRange(flag: string, value: string, min: number, max: number): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < min || parsed > max) {
    throw usage(`${flag} must be a whole number from ${min} to ${max}, not "${value}"`);
  }
  return parsed;
}

/** A number (an integer when `integer`), or undefined when the flag was not given. */
export function parseNumber(flag: string, value: string | undefined, integer: boolean): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (value.trim() === '' || !Number.isFinite(parsed) || (integer && !Number.isInteger(parsed))) {
    throw usage(`${flag} takes ${integer ? 'an integer' : 'a number'}, got ${JSON.stringify(value)}`);
  }
  return parsed;
}

/** --limit of a list command: 1 to 1000, or undefined for the server's default. */
export function parseLimit(value: string | undefined): number | undefined {
  return value === undefined ? undefined : parseIntegerInRange('--limit', value, 1, 1000);
}

/** `14d`, `12h`, `2w` (a duration) as `{<field>In}`, anything else as a time `{<field>At}`. */
export function durationOrTime(value: string, field: string): Record<string, string> {
  return /^\d+[mhdw]$/.test(value) ? { [`${field}In`]: value } : { [`${field}At`]: value };
}
