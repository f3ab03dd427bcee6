import type { Command } from 'commander';
import { loadContract, runDataCheck } from '../../data/index.js';
import { contractView } from '../../governance/index.js';
import { dataCheckView } from '../../reports/index.js';
import type { CliIo } from '../cli-io.js';
import { addOpenLineageOptions, type OpenLineageFlags, startCheckLineage } from '../openlineage-options.js';
import { addFileOptions, addReportOptions, type CheckFileFlags, fileReadOptions } from '../options.js';
import { ProgressBar } from '../progress.js';
import { outgoingEvidence, signingKeyFrom } from '../signing.js';
import { reportCheck } from './check-options.js';
import { addSubmitOptions, type SubmitFlags, submitCheckEvidence, submitPlan } from './evidence.js';
import { addCheckPolicyOptions, type CheckPolicyFlags, decideCheckGate, policiesForCheck } from './gate.js';

interface CheckDataFlags extends CheckFileFlags, Partial<CheckPolicyFlags>, SubmitFlags, OpenLineageFlags {
  contract: string;
  table?: string;
  name?: string;
  piiScan: boolean;
}

export function registerCheckData(check: Command, io: CliIo): void {
  const command = check
    .command('data')
    .description('validate a dataset (CSV, Parquet, JSON Lines) against an ODCS v3.1.0 data contract')
    .argument('<file>', 'the dataset file')
    .requiredOption('-c, --contract <file>', 'the ODCS data contract (YAML)')
    .option(
      '--table <name>',
      'the contract schema object that describes the file (when the contract has several)',
    )
    .option('--name <name>', 'the dataset name in the evidence (default: the contract id)')
    .option('--no-pii-scan', 'do not scan string columns for raw personal data');
  addFileOptions(command);
  addCheckPolicyOptions(command);
  addSubmitOptions(command, 'MODEL@VERSION (the model version trained or scored on this data)');
  addOpenLineageOptions(command);
  addReportOptions(command, 'list passing checks too').action(async (file: string, flags: CheckDataFlags) => {
    io.exitCode = await checkData(file, flags, io);
  });
}

/** Runs the data gate and prints its report; returns the exit code (0 passed, 1 failed). */
export async function checkData(file: string, flags: CheckDataFlags, io: CliIo): Promise<number> {
  const policies = await policiesForCheck(flags);
  const signingKey = await signingKeyFrom(flags.signKey, io);
  const submit = submitPlan(flags, undefined);
  const contract = await loadContract(flags.contract);
  const lineage = await startCheckLineage(flags, io, {
    kind: 'data-check',
    subject: flags.name ?? contract.contract.id,
    files: [file],
    contract,
    ...(flags.table ? { table: flags.table } : {}),
  });
  const progress = new ProgressBar(io.stderr, `checking ${file}`);
  const evidence = await runDataCheck(file, contract, {
    ...(flags.table ? { table: flags.table } : {}),
    ...fileReadOptions(flags, io),
    ...(flags.name ? { subjectName: flags.name } : {}),
    scanPii: flags.piiScan,
    onProgress: (percent) => progress.update(percent),
  }).finally(() => progress.clear());
  const outgoing = outgoingEvidence(evidence, signingKey);
  const checked = await reportCheck(outgoing, dataCheckView(evidence), flags, io);
  const verdict = policies
    ? Math.max(
        checked,
        await decideCheckGate(
          policies,
          'data',
          outgoing,
          flags as CheckPolicyFlags,
          io,
          contractView(contract),
        ),
      )
    : checked;
  const exitCode = await submitCheckEvidence(submit, outgoing, verdict, io);
  await lineage.finish(evidence);
  return exitCode;
}
