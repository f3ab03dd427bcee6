import type { Kysely } from 'kysely';
import { WardenError } from '../core/index.js';
import {
  type DecisionResult,
  evidenceKey,
  evidenceSigner,
  type GateInput,
  gateInput,
  type PolicySet,
  type Waiver,
} from '../policy/index.js';
import {
  evidenceRepository,
  modelRepository,
  monitorRepository,
  type Tables,
  versionRepository,
  waiverRepository,
} from '../store/index.js';

export interface AssembledGate {
  input: GateInput;
  evidenceIds: string[];
  /** One blocking result per tag a failing gate left on the version (promotion gates only). */
  preconditions: DecisionResult[];
  createdBy: string;
}

/**
 * Builds what a server-side gate decides on, for one model version: the subject (the model's labels
 * and owner, the version's tags), the latest evidence of each kind attached to it with its signer
 * as the policy set trusts it, the model's declared monitors, and its approved waivers. `db` may
 * be a transaction.
 */
export async function assembleGate(
  db: Kysely<Tables>,
  target: { model: string; version: number; gate: string },
  now: Date,
  policySet: PolicySet,
): Promise<AssembledGate> {
  const [model, version] = await Promise.all([
    modelRepository.find(db, target.model),
    versionRepository.find(db, target.model, target.version),
  ]);
  if (model === undefined || version === undefined) {
    throw new WardenError(
      'WARDEN_ERR_REGISTRY_NOT_FOUND',
      model === undefined
        ? `model "${target.model}" does not exist; check the name with warden models list`
        : `version ${target.version} of model "${target.model}" does not exist; its versions are 1 to ${model.latestVersion}`,
    );
  }
  const [latest, monitors, waivers, gateTags] = await Promise.all([
    evidenceRepository.latestPerKind(db, { model: target.model, version: target.version }),
    monitorRepository.listForModel(db, target.model),
    waiverRepository.approvedFor(db, target.model, target.version),
    versionRepository.gateTags(db, target.model, target.version),
  ]);
  const evidence: GateInput['evidence'] = {};
  for (const attached of latest) {
    const text = await evidenceRepository.document(db, attached.id);
    if (text === undefined) continue;
    evidence[evidenceKey(attached.kind)] = {
      ...(JSON.parse(text) as object),
      signer: evidenceSigner(policySet, attached.kind, attached.signer),
    };
  }
  const input = gateInput({
    gate: target.gate,
    subject: {
      type: 'model-version',
      name: target.model,
      version: String(target.version),
      labels: model.labels,
      ...(model.owner === null ? {} : { owner: model.owner }),
      tags: Object.keys(version.tags),
      ...(version.artifact.digest === null ? {} : { artifactDigest: version.artifact.digest }),
    },
    evidence,
    monitors,
    now: now.toISOString(),
    waivers: waivers.map(
      (w): Waiver => ({
        id: w.id,
        policy: w.policy,
        ...(w.validation === null ? {} : { validation: w.validation }),
        expiresAt: w.expires_at,
      }),
    ),
  });
  const preconditions = target.gate.startsWith('promote:')
    ? gateTags.map(
        (tag): DecisionResult => ({
          policy: tag.policy,
          binding: 'warden:gate-tag',
          validation: tag.validation,
          action: 'deny',
          outcome: 'fail',
          severity: 'high',
          message: `the version is tagged "${tag.key}" since ${tag.policy}/${tag.validation} failed (decision ${tag.decisionId.slice(0, 19)}…); a tagged version is promoted only with an approved waiver for that validation`,
          controls: [],
          blocking: true,
        }),
      )
    : [];
  return { input, evidenceIds: latest.map((e) => e.id), preconditions, createdBy: version.createdBy };
}
