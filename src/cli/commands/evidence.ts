import type { Command } from 'commander';
import { type EvidenceDocument, isWardenError, WardenError } from '../../core/index.js';
import { readEvidenceFile } from '../../governance/index.js';
import type { EvidenceReceipt } from '../../registry/index.js';
import type { CliIo } from '../cli-io.js';
import { type OutputFlags, serverHelp, withOutput } from '../options.js';
import { type ServerClient, serverClient } from '../server-client.js';
import type { OutgoingEvidence } from '../signing.js';
import { resolveVersion, type VersionRef } from '../version-ref.js';
import { fields, printJson, printList } from './output.js';

/**
 * `warden evidence submit|list|show`, and `--submit` of the check commands: evidence attached to
 * model versions on the Warden server.
 */

function receiptLine(receipt: EvidenceReceipt): string {
  return receipt.stored
    ? 'new: stored and attached'
    : receipt.attached
      ? 'already stored (same content); now attached to this version too'
      : 'already stored and attached to this version; nothing changed';
}

function modelSubject(document: EvidenceDocument): VersionRef | undefined {
  const { subject } = document;
  if (subject.type !== 'model-version' || !/^[1-9][0-9]*$/.test(subject.version)) return undefined;
  return { model: subject.name, version: subject.version };
}

export function registerEvidence(program: Command, io: CliIo): void {
  const evidence = program.command('evidence').description('evidence attached to model versions');
  withOutput(
    evidence
      .command('submit')
      .description(
        'attach an evidence file (as a check wrote it with --json, signed or not) to a model version',
      )
      .argument('<file>', 'the evidence file')
      .option('--model <name>', 'the model (default: the evidence subject, for model evidence)')
      .option(
        '--version <version>',
        'the version number (default: the evidence subject, for model evidence)',
      ),
  ).action(async (file: string, flags: OutputFlags & { model?: string; version?: string }) => {
    const { document, envelope } = await readEvidenceFile(file);
    const subject = modelSubject(document);
    const model = flags.model ?? subject?.model;
    const version = flags.version ?? subject?.version;
    if (model === undefined || version === undefined) {
      throw new WardenError(
        'WARDEN_ERR_USAGE_INVALID_OPTION',
        `name the model version to attach ${file} to: --model NAME --version N`,
      );
    }
    const receipt = await serverClient(flags).call('submitEvidence', {
      params: { model, version },
      body: { ...(envelope?.envelope ?? document) },
    });
    if (flags.json) return printJson(io, receipt);
    io.stdout.write(
      `${file} → ${model} version ${version}\n${fields([
        ['id', receipt.id],
        ['kind', receipt.kind],
        ['signer', receipt.signer ?? 'unsigned'],
        ['stored', receiptLine(receipt)],
      ])}`,
    );
  });

  withOutput(
    evidence
      .command('list')
      .description('evidence attached to a version, newest first')
      .argument('<model>', 'the model name, or MODEL@VERSION / MODEL@ALIAS')
      .argument('[version]', 'the version number')
      .option('--kind <kind>', 'only this kind (data-check, model-evaluation, …)')
      .option('--latest', 'only the newest of each kind'),
  ).action(
    async (
      model: string,
      version: string | undefined,
      flags: OutputFlags & { kind?: string; latest?: boolean },
    ) => {
      const client = serverClient(flags);
      const target = await resolveVersion(client, model, version);
      const answer = await client.call('listEvidence', {
        params: target,
        query: { kind: flags.kind, latest: flags.latest ? 'true' : undefined },
      });
      printList(
        io,
        flags,
        answer,
        answer.evidence,
        `no evidence on ${target.model} version ${target.version}${flags.kind ? ` of kind ${flags.kind}` : ''}; attach some with warden evidence submit FILE\n`,
        ['id', 'kind', 'result', 'signer', 'produced', 'subject', 'attached by'],
        (e) => [
          e.id,
          e.kind,
          e.passed ? 'passed' : 'failed',
          e.signer?.name ?? 'unsigned',
          e.producedAt,
          e.subject.version === undefined ? e.subject.name : `${e.subject.name}@${e.subject.version}`,
          e.attachedBy,
        ],
      );
    },
  );

  withOutput(
    evidence
      .command('show')
      .description('one evidence document, as stored (save it to pass to warden gate --evidence)')
      .argument('<id>', 'the evidence id, sha256:<64 hex>'),
  ).action(async (id: string, flags: OutputFlags) => {
    printJson(io, await serverClient(flags).call('getEvidence', { params: { id } }));
  });
}

// ── check … --submit ─────────────────────────────────────────────────────────

export interface SubmitFlags {
  /** true: the check's own model version; a string: MODEL@VERSION. */
  submit?: string | true;
  server?: string;
}

export interface SubmitPlan {
  client: ServerClient;
  /** Where to; undefined means the evidence's own model-version subject. */
  target: VersionRef | undefined;
}

export function addSubmitOptions(command: Command, targetHelp: string): Command {
  return command
    .option(
      '--submit [model@version]',
      `after the check, attach its evidence on the Warden server to ${targetHelp}`,
    )
    .option('--server <url>', `with --submit: ${serverHelp}`);
}

/**
 * Checks --submit before the check runs, so a bad target or a missing token fails at once.
 * `ownVersion` is the check's own model version (check model), or undefined (check data).
 */
export function submitPlan(flags: SubmitFlags, ownVersion: string | undefined): SubmitPlan | undefined {
  if (flags.submit === undefined) return undefined;
  let target: SubmitPlan['target'];
  if (flags.submit === true) {
    if (ownVersion === undefined) {
      throw new WardenError(
        'WARDEN_ERR_USAGE_INVALID_OPTION',
        '--submit needs the model version to attach this evidence to: --submit MODEL@VERSION, e.g. --submit credit-risk@3',
      );
    }
    if (!/^[1-9][0-9]*$/.test(ownVersion)) {
      throw new WardenError(
        'WARDEN_ERR_USAGE_INVALID_OPTION',
        `--submit attaches the evidence to its model version, but --version is "${ownVersion}"; pass --version N (a registered version number), or --submit MODEL@VERSION`,
      );
    }
  } else {
    const match = /^(.+)@([1-9][0-9]*)$/.exec(flags.submit);
    if (match === null) {
      throw new WardenError(
        'WARDEN_ERR_USAGE_INVALID_OPTION',
        `--submit "${flags.submit}" must be MODEL@VERSION, e.g. credit-risk@3`,
      );
    }
    target = { model: match[1] as string, version: match[2] as string };
  }
  const client = serverClient(flags);
  client.requireToken();
  return { client, target };
}

/**
 * Attaches a check's evidence on the server and returns the exit code: the check's own, unless
 * the check passed and the upload failed (then the upload error's). The check's verdict is
 * printed already; an upload failure is printed after it, never instead of it.
 */
export async function submitCheckEvidence(
  plan: SubmitPlan | undefined,
  outgoing: OutgoingEvidence<{ subject: { type: string; name: string; version?: string } }>,
  checkExit: number,
  io: CliIo,
): Promise<number> {
  if (plan === undefined) return checkExit;
  const { subject } = outgoing.document;
  const target = plan.target ?? { model: subject.name, version: subject.version ?? '' };
  try {
    const receipt = await plan.client.call('submitEvidence', {
      params: target,
      body: (outgoing.envelope ?? outgoing.document) as unknown as Record<string, unknown>,
    });
    io.stderr.write(
      `warden: submitted evidence ${receipt.id} (${receipt.kind}, ${receipt.signer ? `signed by ${receipt.signer}` : 'unsigned'}) to ${target.model} version ${target.version}: ${receiptLine(receipt)}\n`,
    );
    return checkExit;
  } catch (error) {
    if (!isWardenError(error)) throw error;
    io.stderr.write(`warden: --submit failed: ${error.message}\n  [${error.code}]\n`);
    return checkExit === 0 ? error.exitCode : checkExit;
  }
}
