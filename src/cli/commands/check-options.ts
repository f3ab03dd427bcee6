import { type Command, Option } from 'commander';
import { type CsvEncoding, csvEncodings, type DatasetFormat, datasetFormats } from '../../core/index.js';
import { type ReportView, renderTerminal } from '../../reports/index.js';
import { type CliIo, useColor } from '../cli-io.js';
import { writeReports } from '../report-outputs.js';

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

export function addReportOptions(command: Command, verboseHelp: string): Command {
  return command
    .option('--json <file>', 'write the evidence (JSON) to this file')
    .option('--junit <file>', 'write a JUnit XML report to this file')
    .option('--markdown <file>', 'write a Markdown report to this file')
    .option('-v, --verbose', verboseHelp)
    .option('-q, --quiet', 'print only the verdict line');
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

/** Writes the evidence and reports, prints the terminal report and returns the exit code. */
export async function reportCheck(
  evidence: { passed: boolean; producedAt: string },
  view: ReportView,
  flags: CheckFileFlags,
  io: CliIo,
): Promise<number> {
  await writeReports(evidence, view, {
    ...(flags.json ? { json: flags.json } : {}),
    ...(flags.junit ? { junit: flags.junit } : {}),
    ...(flags.markdown ? { markdown: flags.markdown } : {}),
  });
  const text = renderTerminal(view, { color: useColor(io.stdout), verbose: flags.verbose ?? false });
  io.stdout.write(flags.quiet ? `${text.trimEnd().split('\n').at(-1) ?? ''}\n` : text);
  return evidence.passed ? 0 : 1;
}
