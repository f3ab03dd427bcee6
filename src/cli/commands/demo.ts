import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { packageRoot } from '../../core/index.js';
import { type CliIo, useColor } from '../cli-io.js';
import { injectCreditDefects } from '../demo/credit-risk-defects.js';
import { checkData } from './check-data.js';

interface DemoFlags {
  workdir: string;
}

export function registerDemo(program: Command, io: CliIo): void {
  program
    .command('demo')
    .description('run the example credit-risk pipeline through the gates (what `npm start` does)')
    .option('--workdir <dir>', 'where the demo writes its files and evidence', '.warden/demo')
    .action(async (flags: DemoFlags) => {
      io.exitCode = await runDemo(flags, io);
    });
}

async function runDemo(flags: DemoFlags, io: CliIo): Promise<number> {
  const color = useColor(io.stdout);
  const bold = (text: string) => (color ? `\u001b[1m${text}\u001b[0m` : text);
  const example = fileURLToPath(new URL('examples/credit-risk/', packageRoot));
  const shown = (path: string) => relative(process.cwd(), path) || '.';
  const dataset = shown(join(example, 'credit_data.csv'));
  const contract = shown(join(example, 'contract.yaml'));
  await mkdir(flags.workdir, { recursive: true });

  io.stdout.write(`${bold('Warden demo — the credit-risk training pipeline')}\n\n`);
  const dataGate = async (file: string, evidence: string) => {
    const json = join(flags.workdir, evidence);
    io.stdout.write(
      `  $ warden check data ${file} --contract ${contract} --null-value NA --json ${json}\n\n`,
    );
    return checkData(file, { contract, nullValue: ['NA'], piiScan: true, json }, io);
  };

  io.stdout.write(`${bold('Step 1/2')}  Data gate on the clean training set\n`);
  const clean = await dataGate(dataset, 'data-check-clean.json');

  const { csv, defects } = injectCreditDefects(await readFile(dataset, 'utf8'));
  const defective = join(flags.workdir, 'credit_data_defective.csv');
  await writeFile(defective, csv);
  io.stdout.write(`\n${bold('Step 2/2')}  Data gate on a copy with injected defects\n`);
  for (const defect of defects) {
    io.stdout.write(`  injected: ${defect.what} (${defect.rows} row${defect.rows === 1 ? '' : 's'})\n`);
  }
  const broken = await dataGate(defective, 'data-check-defective.json');

  const asExpected = clean === 0 && broken === 1;
  io.stdout.write(
    asExpected
      ? `\n${bold('Demo finished.')} The clean file passed the data gate (exit 0); the defective copy was stopped (exit 1), so a pipeline would not train on it. Evidence: ${flags.workdir}/*.json\n`
      : `\n${bold('Demo did not behave as expected')}: clean exit ${clean} (expected 0), defective exit ${broken} (expected 1).\n`,
  );
  return asExpected ? 0 : 1;
}
