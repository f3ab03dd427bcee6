import type { Command } from 'commander';
import { WardenError } from '../../core/index.js';
import { readEvidenceFile, verifiedSigner } from '../../governance/index.js';
import { reproducibilityView } from '../../reports/index.js';
import { captureFromEvidence, defaultTolerance, runReproCheck } from '../../repro/index.js';
import type { CliIo } from '../cli-io.js';
import {
  addReportOptions,
  type CheckFileFlags,
  collect,
  parseNumber,
  parsePositiveInteger,
} from '../options.js';
import { addRunHookOptions, type RunHookFlags, runHooksFrom } from '../run-hooks.js';
import { outgoingEvidence, signingKeyFrom, trustedKeysFrom } from '../signing.js';
import { reportCheck } from './check-options.js';
import { addSubmitOptions, type SubmitFlags, submitCheckEvidence, submitPlan } from './evidence.js';
import { addEvidenceFileOption, type EvidenceFileFlags, evidenceFileFlags } from './repro-options.js';

interface CheckReproFlags extends CheckFileFlags, SubmitFlags, EvidenceFileFlags, RunHookFlags {
  compare: string[];
  tolerance: string;
  runs?: string;
  keep?: boolean;
  model?: string;
  version?: string;
  trustedKey?: string[];
}

/** --compare predictions=FILE (repeatable): the predictions files, in order. */
function predictionsFiles(values: readonly string[], io: CliIo): string[] {
  return values.map((value) => {
    const match = /^predictions=(.+)$/.exec(value);
    if (match === null)
      io.usageError(
        `--compare ${value}: write predictions=FILE, e.g. --compare predictions=holdout-predictions.csv`,
      );
    return match[1] as string;
  });
}

export function registerCheckRepro(check: Command, io: CliIo): void {
  const command = check
    .command('repro')
    .description('re-run a captured training run in a clean checkout of its commit and compare the outputs')
    .argument('<evidence>', 'the capture evidence (warden capture --evidence FILE)')
    .option(
      '--compare <predictions=file>',
      'compare this predictions file within --tolerance instead of bit for bit (repeatable)',
      collect,
      [],
    )
    .option(
      '--tolerance <x>',
      'the largest absolute difference allowed between predictions',
      String(defaultTolerance),
    )
    .option(
      '--runs <n>',
      're-run this many times (default: 1, and 2 when the outputs differ, to tell non-determinism)',
    )
    .option('--keep', 'keep the temporary checkouts (for a look at what differs)')
    .option(
      '--trusted-key <name=file>',
      "re-run only a capture signed by one of these signers' public keys (repeatable); the command it recorded is run",
      collect,
    )
    .option('--model <name>', 'the model name in the evidence (default: the capture’s)')
    .option(
      '--version <version>',
      'the model version in the evidence (default: the capture’s), e.g. the version registered since the capture',
    );
  addEvidenceFileOption(command);
  addSubmitOptions(command, 'MODEL@VERSION (default: the capture subject)');
  addRunHookOptions(command);
  addReportOptions(command, 'list the outputs that matched too').action(
    async (file: string, flags: CheckReproFlags) => {
      const report = evidenceFileFlags(flags, io);
      const compare = predictionsFiles(flags.compare, io);
      const tolerance = parseNumber('--tolerance', flags.tolerance, false) as number;
      if (tolerance < 0) io.usageError(`--tolerance takes a number ≥ 0, got ${flags.tolerance}`);
      const runs = parsePositiveInteger('--runs', flags.runs);
      const signingKey = await signingKeyFrom(flags.signKey, io);
      const read = await readEvidenceFile(file);
      const capture = captureFromEvidence(read.document, file);
      const command = capture.run.command.join(' ');
      if (flags.trustedKey !== undefined) {
        const signer = verifiedSigner(read, await trustedKeysFrom(flags.trustedKey));
        if (signer === null) {
          throw new WardenError(
            'WARDEN_ERR_REPRO_UNTRUSTED_CAPTURE',
            `${file}: ${read.envelope === undefined ? 'the capture is not signed' : 'the capture is signed by none of the --trusted-key signers'}, so its command (${command}) is not run; re-run a capture your pipeline signed (warden capture --sign-key KEY), or pass that pipeline's public key`,
            { where: file },
          );
        }
        io.stderr.write(
          `re-running ${command} (captured at ${capture.source.commit.slice(0, 12)}, signed by ${signer.name})\n`,
        );
      } else {
        io.stderr.write(
          `re-running ${command} (captured at ${capture.source.commit.slice(0, 12)}); the capture's signature is not checked: pass --trusted-key NAME=FILE.pub to re-run only what your pipeline signed\n`,
        );
      }
      const subject = {
        type: 'model-version' as const,
        name: flags.model ?? capture.subject.name,
        version:
          flags.version ??
          (capture.subject.type === 'model-version' ? capture.subject.version : 'unversioned'),
      };
      const submit = submitPlan(flags, subject.version);
      const hooks = await runHooksFrom(flags, io);
      const evidence = await runReproCheck(
        capture,
        {
          cwd: process.cwd(),
          source: file,
          subject,
          compare,
          tolerance,
          ...(runs === undefined ? {} : { runs }),
          keep: flags.keep ?? false,
          streams: { stdout: io.stderr, stderr: io.stderr },
          warn: (message) => io.stderr.write(`warning: ${message}\n`),
        },
        hooks,
      );
      const outgoing = outgoingEvidence(evidence, signingKey);
      const checked = await reportCheck(outgoing, reproducibilityView(evidence), report, io);
      io.exitCode = await submitCheckEvidence(submit, outgoing, checked, io);
      await hooks.settle();
    },
  );
}
