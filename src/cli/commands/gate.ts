import { type Command, Option } from 'commander';
import { type EvidenceDocument, openEvidenceEnvelope } from '../../core/index.js';
import {
  gateInputFromFiles,
  gateSubject,
  readSavedGateInput,
  savedGateInput,
  signersOf,
} from '../../governance/index.js';
import {
  type CompiledPolicySet,
  type ContractView,
  compilePolicySet,
  type Decision,
  decide,
  gateInput,
  latestEvidenceByKind,
  loadPolicySet,
} from '../../policy/index.js';
import { decisionView, renderTerminal } from '../../reports/index.js';
import { type CliIo, useColor } from '../cli-io.js';
import { type GateInputFlags, gateInputFiles, subjectDetails } from '../gate-inputs.js';
import { addReportFileOptions, collect } from '../options.js';
import { writeReportFile, writeReports } from '../report-outputs.js';
import { type OutgoingEvidence, trustedKeysFrom } from '../signing.js';

export interface PolicyFlags {
  policies: string;
  revision?: string;
  actor?: string;
  trustedKey?: string[];
}

export interface GateFlags extends GateInputFlags, PolicyFlags {
  evidence?: string[];
  input?: string;
  saveInput?: string;
  json?: string;
  junit?: string;
  markdown?: string;
  verbose?: boolean;
}

/** The options that say which policies decide and what the decision records. */
export function addPolicyOptions(command: Command, required: boolean): Command {
  const policies = new Option(
    '--policies <dir>',
    'the policy set: a directory of Policy and PolicyBinding YAML',
  );
  return command
    .addOption(required ? policies.makeOptionMandatory() : policies)
    .option(
      '--labels <pairs>',
      "the subject's labels for binding selectors, e.g. domain=credit,riskTier=high",
    )
    .option('--revision <rev>', 'the policy set revision to record (e.g. a git commit; default: its digest)')
    .option(
      '--actor <name>',
      'who asks for the decision (recorded in it)',
      process.env['WARDEN_ACTOR'] ?? 'local',
    )
    .option(
      '--trusted-key <name=file>',
      "a signer's public key, to verify signed evidence on files besides the keys the policy set's TrustPolicy pins (repeatable)",
      collect,
    );
}

export function registerGate(program: Command, io: CliIo): void {
  const command = program
    .command('gate')
    .description(
      'decide a gate with the policy set: evaluate every bound policy on the evidence, print the decision',
    )
    .argument('<gate>', 'data, model, deploy, runtime or promote:<alias>')
    .option(
      '--evidence <files...>',
      'evidence files the checks wrote with --json (the latest of each kind is used)',
    )
    .option(
      '--subject <pairs>',
      'the subject: model=NAME,version=V | dataset=NAME | deployment=NAME (default: from the evidence)',
    )
    .option('--owner <owner>', "the subject's owner")
    .option('--artifact-digest <digest>', "a model version's artifact digest (sha256:<hex>)")
    .option('--tags <tags>', "the subject's tags, comma-separated (e.g. biased)")
    .option('--contract <file>', 'the data contract (ODCS YAML) behind the subject')
    .option('--monitors <file>', 'declared post-deployment monitors (YAML or JSON list)')
    .option('--now <time>', 'the decision time policies see as now (ISO-8601; default: the clock)')
    .option(
      '--input <file>',
      'decide on a saved gate input (from --save-input) instead of files: an exact replay',
    )
    .option('--save-input <file>', 'write the assembled gate input, to replay this decision later');
  addReportFileOptions(command, 'the decision').option('-v, --verbose', 'list passing validations too');
  addPolicyOptions(command, true).action(async (gate: string, flags: GateFlags) => {
    io.exitCode = await decideGate(gate, flags, io);
  });
}

/** Decides a gate from files (or a saved input), prints the decision; 0 allowed, 1 denied. */
export async function decideGate(gate: string, flags: GateFlags, io: CliIo): Promise<number> {
  const compiled = compilePolicySet(await loadPolicySet(flags.policies, optionalRevision(flags)));
  const trust = { set: compiled.set, keys: await trustedKeysFrom(flags.trustedKey) };
  const { input, evidenceIds, notes } = flags.input
    ? await readSavedGateInput(flags.input)
    : await gateInputFromFiles({ ...gateInputFiles(gate, flags.evidence ?? [], flags), trust });
  for (const note of notes ?? []) io.stderr.write(`note: ${note}\n`);
  if (flags.input && input.gate !== gate) {
    io.usageError(
      `${flags.input} was saved for gate ${input.gate}, not ${gate}; run warden gate ${input.gate} --input ${flags.input}`,
    );
  }
  if (flags.saveInput) await writeReportFile(flags.saveInput, savedGateInput(input, evidenceIds));
  const decision = decide(compiled, input, { evidenceIds, actor: flags.actor ?? 'local' });
  return reportDecision(decision, flags, io);
}

/** What a check command needs to decide its gate at once (`--policies DIR`). */
export interface CheckPolicyFlags extends PolicyFlags {
  labels?: string;
  decision?: string;
  json?: string;
}

export function addCheckPolicyOptions(command: Command): Command {
  return addPolicyOptions(command, false).option(
    '--decision <file>',
    'with --policies: write the gate decision (JSON) to this file',
  );
}

/** Loads and compiles the policy set before a check runs, so a bad policy fails fast. */
export async function policiesForCheck(
  flags: Partial<CheckPolicyFlags>,
): Promise<CompiledPolicySet | undefined> {
  if (!flags.policies) return undefined;
  return compilePolicySet(await loadPolicySet(flags.policies, optionalRevision(flags as PolicyFlags)));
}

/**
 * Decides the check's own gate on the evidence it just produced, and prints the decision. `contract`
 * is the data contract the check already loaded, as policies see it.
 */
export async function decideCheckGate(
  compiled: CompiledPolicySet,
  gate: 'data' | 'model',
  outgoing: OutgoingEvidence<EvidenceDocument>,
  flags: CheckPolicyFlags,
  io: CliIo,
  contract?: ContractView,
): Promise<number> {
  const evidence = outgoing.document;
  const file = flags.json ?? 'the evidence';
  const { documents } = signersOf(
    [
      {
        file,
        document: evidence,
        ...(outgoing.envelope ? { envelope: openEvidenceEnvelope(outgoing.envelope, file) } : {}),
      },
    ],
    { set: compiled.set, keys: await trustedKeysFrom(flags.trustedKey) },
  );
  const { evidence: byKind, ids } = latestEvidenceByKind(documents);
  const input = gateInput({
    gate,
    subject: gateSubject(
      undefined,
      [evidence],
      subjectDetails({ ...(flags.labels ? { labels: flags.labels } : {}) }),
    ),
    evidence: byKind,
    ...(contract ? { contract } : {}),
    now: evidence.producedAt,
  });
  io.stdout.write('\n');
  const decision = decide(compiled, input, { evidenceIds: ids, actor: flags.actor ?? 'local' });
  return reportDecision(decision, { ...flags, ...(flags.decision ? { json: flags.decision } : {}) }, io);
}

export function optionalRevision(flags: PolicyFlags): { revision?: string } {
  return flags.revision ? { revision: flags.revision } : {};
}

/** Prints the decision (and writes its files); 0 when allowed, 1 when denied. */
export async function reportDecision(
  decision: Decision,
  flags: PolicyFlags & {
    json?: string;
    junit?: string;
    markdown?: string;
    verbose?: boolean;
    quiet?: boolean;
  },
  io: CliIo,
): Promise<number> {
  const view = decisionView(decision, flags.policies);
  await writeReports({ ...decision, producedAt: decision.decidedAt }, view, {
    ...(flags.junit ? { junit: flags.junit } : {}),
    ...(flags.markdown ? { markdown: flags.markdown } : {}),
  });
  if (flags.json) await writeReportFile(flags.json, `${JSON.stringify(decision, null, 2)}\n`);
  io.stdout.write(renderTerminal(view, { color: useColor(io.stdout), verbose: flags.verbose ?? false }));
  return decision.allowed ? 0 : 1;
}
