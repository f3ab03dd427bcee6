import { type Command, Option } from 'commander';
import { csvEncodings, datasetFormats } from '../../core/index.js';
import { type DataCheckOptions, runDataCheck } from '../../data/index.js';
import { type CliIo, useColor } from '../cli-io.js';
import { dataCheckView } from '../render/data-check-view.js';
import { ProgressBar } from '../render/progress.js';
import { renderTerminal } from '../render/terminal.js';
import { writeReports } from '../report-outputs.js';

interface CheckDataFlags {
  contract: string;
  table?: string;
  format?: DataCheckOptions['format'];
  delimiter?: string;
  nullValue?: string[];
  encoding?: DataCheckOptions['encoding'];
  name?: string;
  piiScan: boolean;
  json?: string;
  junit?: string;
  markdown?: string;
  verbose?: boolean;
  quiet?: boolean;
}

export function registerCheckData(check: Command, io: CliIo): void {
  check
    .command('data')
    .description('validate a dataset (CSV, Parquet, JSON Lines) against an ODCS v3.1.0 data contract')
    .argument('<file>', 'the dataset file')
    .requiredOption('-c, --contract <file>', 'the ODCS data contract (YAML)')
    .option(
      '--table <name>',
      'the contract schema object that describes the file (when the contract has several)',
    )
    .addOption(
      new Option('--format <format>', 'the file format (default: from the name and contents)').choices(
        datasetFormats,
      ),
    )
    .option('--delimiter <char>', 'CSV field separator (default: detected from the first lines)')
    .option('--null-value <value...>', 'CSV values to read as NULL besides the empty field, e.g. NA')
    .addOption(
      new Option('--encoding <encoding>', 'CSV text encoding').choices(csvEncodings).default('utf-8'),
    )
    .option('--name <name>', 'the dataset name in the evidence (default: the contract id)')
    .option('--no-pii-scan', 'do not scan string columns for raw personal data')
    .option('--json <file>', 'write the evidence (JSON) to this file')
    .option('--junit <file>', 'write a JUnit XML report to this file')
    .option('--markdown <file>', 'write a Markdown report to this file')
    .option('-v, --verbose', 'list passing checks too')
    .option('-q, --quiet', 'print only the verdict line')
    .action(async (file: string, flags: CheckDataFlags) => {
      io.exitCode = await checkData(file, flags, io);
    });
}

/** Runs the data gate and prints its report; returns the exit code (0 passed, 1 failed). */
export async function checkData(file: string, flags: CheckDataFlags, io: CliIo): Promise<number> {
  if (flags.delimiter !== undefined && [...flags.delimiter].length !== 1) {
    io.usageError(
      `--delimiter takes one character, got ${JSON.stringify(flags.delimiter)} (for a tab, pass $'\\t')`,
    );
  }
  const progress = new ProgressBar(io.stderr, `checking ${file}`);
  const evidence = await runDataCheck(file, flags.contract, {
    ...(flags.table ? { table: flags.table } : {}),
    ...(flags.format ? { format: flags.format } : {}),
    ...(flags.delimiter ? { delimiter: flags.delimiter } : {}),
    ...(flags.nullValue ? { nullValues: flags.nullValue } : {}),
    ...(flags.encoding ? { encoding: flags.encoding } : {}),
    ...(flags.name ? { subjectName: flags.name } : {}),
    scanPii: flags.piiScan,
    onProgress: (percent) => progress.update(percent),
  }).finally(() => progress.clear());
  const view = dataCheckView(evidence);
  await writeReports(evidence, view, {
    ...(flags.json ? { json: flags.json } : {}),
    ...(flags.junit ? { junit: flags.junit } : {}),
    ...(flags.markdown ? { markdown: flags.markdown } : {}),
  });
  const text = renderTerminal(view, { color: useColor(io.stdout), verbose: flags.verbose ?? false });
  io.stdout.write(flags.quiet ? `${text.trimEnd().split('\n').at(-1) ?? ''}\n` : text);
  return evidence.passed ? 0 : 1;
}
