import type { Kysely } from 'kysely';
import { AuditLog } from '../audit/index.js';
import {
  type CheckedEvidence,
  canonicalJson,
  checkEvidence,
  isDsseEnvelope,
  openEvidenceEnvelope,
  WardenError,
} from '../core/index.js';
import {
  type AliasRecord,
  type AttachedEvidence,
  evidenceRepository,
  isoNow,
  issueToken,
  type LineageRecord,
  lineageRepository,
  type ModelRecord,
  modelRepository,
  type NewLineage,
  promotionRepository,
  rolloutRepository,
  type Store,
  type StoredEvidence,
  type Tables,
  type TokenRecord,
  type TokenRequest,
  tokenRepository,
  type VersionRecord,
  versionRepository,
} from '../store/index.js';
import { type LineageNode, walkLineage } from './lineage-walk.js';
import { applyModelUpdate, type ModelUpdateOptions } from './model-update.js';
import type {
  CreateModelBody,
  CreateVersionBody,
  LineageBody,
  SetEndpointBody,
  UpdateModelBody,
} from './schemas.js';
import { SigningKeys } from './signing-keys.js';

export interface ModelDetail extends ModelRecord {
  aliases: AliasRecord[];
}

export interface EvidenceReceipt {
  id: string;
  kind: string;
  /** False when the same document (same id) was already stored: it is kept once. */
  stored: boolean;
  /** False when it was already attached to this version. */
  attached: boolean;
  /** The registered key that signed it; null when it was submitted unsigned. */
  signer: string | null;
}

export interface AliasChange {
  model: string;
  alias: string;
  version: string;
  /** The version the alias pointed at before, or null (MLflow's payloads omit this; ours do not). */
  previousVersion: string | null;
}

function notFound(what: string, fix: string): WardenError {
  return new WardenError('WARDEN_ERR_REGISTRY_NOT_FOUND', `${what} does not exist; ${fix}`);
}

function toLineage(body: LineageBody, fallbackRun: string | null): NewLineage {
  return {
    runId: body.runId ?? fallbackRun,
    sourceCommit: body.sourceCommit ?? null,
    datasets: (body.datasets ?? []).map((d) => ({ name: d.name, uri: d.uri ?? null, digest: d.digest })),
    environment: { lockfiles: body.environment?.lockfiles ?? {}, image: body.environment?.image ?? null },
    parameters: body.parameters ?? {},
    parentRuns: body.parentRuns ?? [],
  };
}

/**
 * The model registry: models, versions, aliases, tags, evidence and lineage. Inputs arrive
 * validated by the schemas in schemas.ts; this layer enforces what a schema cannot (the model
 * exists, the alias points at a real version, evidence is about this version and unaltered) and
 * makes changes that span rows in one transaction. Every change records its actor.
 */
export class Registry {
  readonly signingKeys: SigningKeys;

  constructor(
    private readonly store: Store,
    readonly audit: AuditLog = new AuditLog(store),
  ) {
    this.signingKeys = new SigningKeys(store, audit);
  }

  private get db(): Kysely<Tables> {
    return this.store.db;
  }

  async createModel(body: CreateModelBody, actor: string): Promise<ModelDetail> {
    const inserted = await this.store.transaction(async (trx) => {
      const fields = {
        name: body.name,
        description: body.description ?? '',
        owner: body.owner ?? null,
        team: body.team ?? null,
        labels: body.labels ?? {},
      };
      if (!(await modelRepository.insert(trx, fields, actor, isoNow()))) return false;
      await this.audit.append(trx, {
        actor,
        action: 'model.created',
        subject: { type: 'model', name: body.name },
        payload: fields,
      });
      return true;
    });
    if (!inserted) {
      throw new WardenError(
        'WARDEN_ERR_REGISTRY_CONFLICT',
        `model "${body.name}" already exists; register a new version of it, or pick another name`,
      );
    }
    return this.model(body.name);
  }

  async model(name: string): Promise<ModelDetail> {
    const model = await modelRepository.find(this.db, name);
    if (model === undefined)
      throw notFound(`model "${name}"`, 'list models with GET /api/v1/models (warden models list)');
    return { ...model, aliases: await versionRepository.aliases(this.db, name) };
  }

  async listModels(filter: {
    team?: string;
    labels?: Record<string, string>;
    after?: string;
    limit: number;
  }) {
    return modelRepository.list(this.db, filter);
  }

  /** Changes a model's fields; `options.check` may refuse the change (protected labels). */
  async updateModel(
    name: string,
    body: UpdateModelBody,
    actor: string,
    options: ModelUpdateOptions = {},
  ): Promise<ModelDetail> {
    await this.store.transaction((trx) =>
      applyModelUpdate(this.store, trx, this.audit, { name, update: body, actor }, options),
    );
    return this.model(name);
  }

  /** Registers the next version of a model (numbered 1, 2, …), with its lineage if given. */
  async createVersion(model: string, body: CreateVersionBody, actor: string): Promise<VersionRecord> {
    const number = await this.store.transaction(async (trx) => {
      const at = isoNow();
      const next = await modelRepository.nextVersion(trx, model);
      if (next === undefined) {
        throw notFound(
          `model "${model}"`,
          `create it first (POST /api/v1/models, warden models create ${model})`,
        );
      }
      const runId = body.runId ?? body.lineage?.runId ?? null;
      await versionRepository.insert(
        trx,
        model,
        next,
        {
          description: body.description ?? '',
          artifactUri: body.artifact.uri,
          artifactDigest: body.artifact.digest ?? null,
          runId,
          status: body.status ?? 'ready',
          endpoint: body.endpoint ?? null,
        },
        actor,
        at,
      );
      if (body.lineage !== undefined) {
        await lineageRepository.insert(
          trx,
          { model, version: next },
          toLineage(body.lineage, runId),
          actor,
          at,
        );
      }
      await this.audit.append(trx, {
        actor,
        action: 'version.created',
        subject: { type: 'model-version', name: model, version: String(next) },
        payload: {
          artifact: body.artifact,
          runId,
          status: body.status ?? 'ready',
          lineage: body.lineage !== undefined,
          ...(body.endpoint === undefined ? {} : { endpoint: body.endpoint }),
        },
      });
      return next;
    });
    return this.version(model, String(number));
  }

  /**
   * Points a version at the model server that serves it (null removes it). Gateways attached to the
   * control plane send the model's production traffic there, so moving the endpoint of a version
   * that holds an alias, or waits for one in a pending promotion (the approver is approving the
   * version as it is), is an approver's act (`approverCheck` refuses otherwise); audited with the
   * old and the new endpoint.
   */
  async setEndpoint(
    model: string,
    version: string,
    body: SetEndpointBody,
    actor: string,
    approverCheck: (held: {
      aliases: readonly string[];
      pending: readonly string[];
      rollout: string | null;
    }) => void,
  ): Promise<VersionRecord> {
    await this.store.transaction(async (trx) => {
      const current = await versionRepository.find(trx, model, Number(version));
      if (current === undefined) throw await this.missingVersion(trx, model, version);
      approverCheck({
        aliases: current.aliases,
        pending: await promotionRepository.pendingAliases(trx, model, Number(version)),
        rollout: await liveRolloutOf(trx, model, Number(version)),
      });
      if (canonicalJson(current.endpoint) === canonicalJson(body.endpoint)) return;
      await versionRepository.setEndpoint(trx, model, Number(version), body.endpoint);
      await this.audit.append(trx, {
        actor,
        action: 'version.endpoint-changed',
        subject: { type: 'model-version', name: model, version },
        payload: { changes: { endpoint: { old: current.endpoint, new: body.endpoint } } },
      });
    });
    return this.version(model, version);
  }

  async version(model: string, version: string): Promise<VersionRecord> {
    const found = await versionRepository.find(this.db, model, Number(version));
    if (found === undefined) throw await this.missingVersion(this.db, model, version);
    return found;
  }

  /** Inside a transaction, pass it: on SQLite the one connection is held by the transaction. */
  private async missingVersion(db: Kysely<Tables>, model: string, version: string): Promise<WardenError> {
    const owner = await modelRepository.find(db, model);
    if (owner === undefined) return notFound(`model "${model}"`, 'check the name with warden models list');
    const latest = owner.latestVersion;
    return notFound(
      `version ${version} of model "${model}"`,
      latest === 0 ? 'the model has no versions yet' : `its versions are 1 to ${latest}`,
    );
  }

  async listVersions(model: string, page: { before?: number; limit: number }) {
    await this.model(model);
    return versionRepository.list(this.db, model, page);
  }

  async versionByAlias(model: string, alias: string): Promise<VersionRecord> {
    const target = await versionRepository.findAlias(this.db, model, alias);
    if (target === undefined) {
      const known = (await this.model(model)).aliases.map((a) => a.alias);
      throw notFound(
        `alias "${alias}" of model "${model}"`,
        known.length === 0 ? 'the model has no aliases yet' : `its aliases are ${known.join(', ')}`,
      );
    }
    return this.version(model, target.version);
  }

  /** Removes an alias (a model leaves production, say); the version it pointed at is returned. */
  async deleteAlias(model: string, alias: string, actor: string): Promise<AliasChange> {
    return this.store.transaction(async (trx) => {
      const previous = await versionRepository.findAlias(trx, model, alias);
      if (previous === undefined || !(await versionRepository.deleteAlias(trx, model, alias))) {
        throw notFound(`alias "${alias}" of model "${model}"`, 'nothing to delete');
      }
      await this.audit.append(trx, {
        actor,
        action: 'alias.deleted',
        subject: { type: 'model', name: model },
        payload: { alias, previousVersion: previous.version },
      });
      return { model, alias, version: previous.version, previousVersion: previous.version };
    });
  }

  async setTag(
    model: string,
    version: string,
    key: string,
    value: string,
    actor: string,
  ): Promise<VersionRecord> {
    await this.store.transaction(async (trx) => {
      if (!(await versionRepository.exists(trx, model, Number(version))))
        throw await this.missingVersion(trx, model, version);
      const gateTag = (await versionRepository.gateTags(trx, model, Number(version))).find(
        (t) => t.key === key,
      );
      if (gateTag !== undefined) {
        throw new WardenError(
          'WARDEN_ERR_REGISTRY_CONFLICT',
          `tag "${key}" on version ${version} of "${model}" was set when ${gateTag.policy}/${gateTag.validation} failed; it cannot be overwritten — an approver removes it (warden versions untag), or a waiver covers it`,
        );
      }
      await versionRepository.setTag(trx, model, Number(version), { key, value }, actor, isoNow());
      await this.audit.append(trx, {
        actor,
        action: 'tag.set',
        subject: { type: 'model-version', name: model, version },
        payload: { key, value },
      });
    });
    return this.version(model, version);
  }

  /** Removes a tag; removing one a failing gate set is how an approver clears its block. */
  async deleteTag(model: string, version: string, key: string, actor: string): Promise<VersionRecord> {
    const deleted = await this.store.transaction(async (trx) => {
      const gateTag = (await versionRepository.gateTags(trx, model, Number(version))).find(
        (t) => t.key === key,
      );
      if (!(await versionRepository.deleteTag(trx, model, Number(version), key))) return false;
      await this.audit.append(trx, {
        actor,
        action: 'tag.deleted',
        subject: { type: 'model-version', name: model, version },
        payload: gateTag === undefined ? { key } : { key, gateTag },
      });
      return true;
    });
    if (!deleted) {
      await this.version(model, version);
      throw notFound(`tag "${key}" on version ${version} of model "${model}"`, 'nothing to delete');
    }
    return this.version(model, version);
  }

  /**
   * Stores an evidence document (once per id) and attaches it to a version. The id must be the
   * digest of the content, and a document about a model version must be about this one. A document
   * in a DSSE envelope is kept with the registered key that signed it, which must be allowed to
   * sign this kind of evidence for this model's team.
   */
  async submitEvidence(
    model: string,
    version: string,
    submitted: unknown,
    actor: string,
  ): Promise<EvidenceReceipt> {
    const opened = isDsseEnvelope(submitted)
      ? openEvidenceEnvelope(submitted, 'the evidence envelope')
      : undefined;
    const evidence = storedEvidence(
      opened ?? checkEvidence(submitted, 'the evidence document'),
      model,
      version,
    );
    if (opened !== undefined) {
      const owner = await modelRepository.find(this.db, model);
      if (owner === undefined) throw notFound(`model "${model}"`, 'create it first');
      const signature = await this.signingKeys.verify(opened, { name: model, team: owner.team });
      evidence.signature = { ...signature, envelope: JSON.stringify(opened.envelope) };
    }
    return this.store.transaction(async (trx) => {
      if (!(await versionRepository.exists(trx, model, Number(version))))
        throw await this.missingVersion(trx, model, version);
      const at = isoNow();
      const stored = await evidenceRepository.store(trx, evidence, at);
      const attached = await evidenceRepository.attach(
        trx,
        { model, version: Number(version) },
        evidence,
        actor,
        at,
      );
      if (attached) {
        await this.audit.append(trx, {
          actor,
          action: 'evidence.attached',
          subject: { type: 'model-version', name: model, version },
          payload: {
            id: evidence.id,
            kind: evidence.kind,
            passed: evidence.passed,
            signer: evidence.signature?.signer ?? null,
          },
        });
      }
      return {
        id: evidence.id,
        kind: evidence.kind,
        stored,
        attached,
        signer: evidence.signature?.signer ?? null,
      };
    });
  }

  async listEvidence(
    model: string,
    version: string,
    options: { kind?: string; latest?: boolean },
  ): Promise<AttachedEvidence[]> {
    await this.version(model, version);
    const target = { model, version: Number(version) };
    if (options.latest) {
      const latest = await evidenceRepository.latestPerKind(this.db, target);
      return options.kind === undefined ? latest : latest.filter((e) => e.kind === options.kind);
    }
    return evidenceRepository.listForVersion(this.db, target, options.kind);
  }

  /** The stored document, exactly as its digest was computed over. */
  async evidenceEnvelope(id: string): Promise<string> {
    const envelope = await evidenceRepository.envelope(this.db, id);
    if (envelope === undefined)
      throw notFound(`evidence ${id}`, 'submit it first with warden evidence submit');
    if (envelope === null) {
      throw notFound(
        `a signed envelope of evidence ${id}`,
        'it was submitted unsigned; sign it with warden check … --sign-key and submit it again',
      );
    }
    return envelope;
  }

  async evidenceDocument(id: string): Promise<string> {
    const document = await evidenceRepository.document(this.db, id);
    if (document === undefined)
      throw notFound(`evidence ${id}`, 'submit it first with warden evidence submit');
    return document;
  }

  async recordLineage(
    model: string,
    version: string,
    body: LineageBody,
    actor: string,
  ): Promise<LineageRecord> {
    const inserted = await this.store.transaction(async (trx) => {
      const found = await versionRepository.find(trx, model, Number(version));
      if (found === undefined) throw await this.missingVersion(trx, model, version);
      const lineage = toLineage(body, found.runId);
      if (
        !(await lineageRepository.insert(trx, { model, version: Number(version) }, lineage, actor, isoNow()))
      )
        return false;
      await this.audit.append(trx, {
        actor,
        action: 'lineage.recorded',
        subject: { type: 'model-version', name: model, version },
        payload: { ...lineage },
      });
      return true;
    });
    if (!inserted) {
      throw new WardenError(
        'WARDEN_ERR_REGISTRY_CONFLICT',
        `version ${version} of model "${model}" already has lineage; lineage is recorded once, when the version is made — register a new version for a new run`,
      );
    }
    const recorded = await lineageRepository.find(this.db, { model, version: Number(version) });
    if (recorded === undefined) throw notFound(`lineage of ${model} ${version}`, 'record it again');
    return recorded;
  }

  /** Creates an API token (its secret is returned once and stored only hashed), logged. */
  async issueToken(request: TokenRequest, actor: string): Promise<{ token: TokenRecord; secret: string }> {
    return this.store.transaction(async (trx) => {
      const issued = await issueToken(trx, request, actor);
      await this.audit.append(trx, {
        actor,
        action: 'token.created',
        subject: { type: 'token', id: issued.token.id },
        payload: {
          name: issued.token.name,
          role: issued.token.role,
          teams: issued.token.teams,
          expiresAt: issued.token.expiresAt,
        },
      });
      return issued;
    });
  }

  /** Revokes a token (once; revoking a revoked token changes nothing), logged. */
  async revokeToken(id: string, actor: string): Promise<TokenRecord> {
    const token = await tokenRepository.find(this.db, id);
    if (token === undefined) throw notFound(`token ${id}`, 'list tokens with warden token list');
    if (token.revokedAt === null) {
      await this.store.transaction(async (trx) => {
        if (!(await tokenRepository.revoke(trx, id, actor, isoNow()))) return;
        await this.audit.append(trx, {
          actor,
          action: 'token.revoked',
          subject: { type: 'token', id },
          payload: { name: token.name, role: token.role },
        });
      });
    }
    return (await tokenRepository.find(this.db, id)) ?? token;
  }

  /** Walks from a version back to its sources: datasets and their checks, parent runs' versions. */
  async lineage(model: string, version: string): Promise<LineageNode> {
    const root = await this.version(model, version);
    return walkLineage(this.db, root);
  }
}

/** What the store keeps of a checked evidence document, which must be about this version if about one. */
function storedEvidence(
  { evidence: checked, canonical }: CheckedEvidence,
  model: string,
  version: string,
): StoredEvidence {
  const { subject } = checked;
  const doc = checked as unknown as Record<string, unknown>;
  if (subject.type === 'model-version' && (subject.name !== model || String(subject.version) !== version)) {
    throw new WardenError(
      'WARDEN_ERR_EVIDENCE_INVALID',
      `the evidence document is about model "${subject.name}" version ${String(subject.version)}, not "${model}" version ${version}; submit it to the version it is about`,
    );
  }
  const inputs = Array.isArray(doc['inputs']) ? (doc['inputs'] as { digest?: unknown }[]) : [];
  return {
    id: checked.id,
    kind: checked.kind,
    subject: {
      type: subject.type,
      name: subject.name,
      ...('version' in subject && typeof subject.version === 'string' ? { version: subject.version } : {}),
    },
    producedAt: checked.producedAt,
    passed: checked.passed,
    document: canonical,
    inputDigests: inputs.map((i) => i.digest).filter((d): d is string => typeof d === 'string'),
  };
}

/** The live rollout a version takes part in (as canary or stable), if any. */
async function liveRolloutOf(db: Kysely<Tables>, model: string, version: number): Promise<string | null> {
  const live = await rolloutRepository.live(db, model);
  return live !== undefined && (live.version === version || live.stable_version === version) ? live.id : null;
}
