import type { AuditLog } from '../audit/index.js';
import { WardenError } from '../core/index.js';
import {
  type CompiledPolicySet,
  compilePolicySet,
  type PolicyFile,
  policySetFromFiles,
} from '../policy/index.js';
import { type PolicySetRow, policySetRepository, type Store } from '../store/index.js';

/** The server's record of an applied policy set. */
export interface AppliedPolicySet {
  version: number;
  digest: string;
  revision: string;
  appliedAt: string;
  appliedBy: string;
  policies: string[];
  bindings: string[];
}

/** A policy of the active set as a reader reviews it: what it checks, under which controls, bound where. */
export interface PolicyOverview {
  name: string;
  description: string | null;
  controls: string[];
  requiredEvidence: string[];
  validations: { name: string; severity: string; message: string | null; tagsOnFailure: string[] }[];
  bindings: {
    name: string;
    gates: string[];
    action: string;
    subjects: Record<string, unknown>;
    params: Record<string, unknown>;
    requireApproval: boolean;
  }[];
}

export interface ActivePolicySet {
  version: number;
  compiled: CompiledPolicySet;
}

const describe = (version: number, compiled: CompiledPolicySet, appliedAt: string, appliedBy: string) => ({
  version,
  digest: compiled.set.digest,
  revision: compiled.set.revision,
  appliedAt,
  appliedBy,
  policies: compiled.set.policies.map((p) => p.document.metadata.name),
  bindings: compiled.set.bindings.map((b) => b.document.metadata.name),
});

function overviewOf(compiled: CompiledPolicySet): PolicyOverview[] {
  return compiled.set.policies.map(({ document }) => ({
    name: document.metadata.name,
    description: document.metadata.description ?? null,
    controls: document.metadata.controls ?? [],
    requiredEvidence: document.spec.requiredEvidence ?? [],
    validations: document.spec.validations.map((validation) => ({
      name: validation.name,
      severity: validation.severity,
      message: validation.message ?? null,
      tagsOnFailure: validation.tagsOnFailure ?? [],
    })),
    bindings: compiled.set.bindings
      .filter((binding) => binding.document.spec.policyName === document.metadata.name)
      .map(({ document: binding }) => ({
        name: binding.metadata.name,
        gates: binding.spec.gates,
        action: binding.spec.action,
        subjects: binding.spec.subjects,
        params: binding.spec.params,
        requireApproval: binding.spec.requireApproval ?? false,
      })),
  }));
}

/**
 * The policy set the server decides with. Every `warden policy apply` stores a new numbered
 * version (the files as given), logged with who applied it; the highest version is active. Each
 * replica compiles the active version once and notices a newer one on its next decision.
 */
export class PolicySets {
  private cached: ActivePolicySet | undefined;

  constructor(
    private readonly store: Store,
    private readonly audit: AuditLog,
    private readonly clock: () => Date,
  ) {}

  async apply(files: PolicyFile[], revision: string | undefined, actor: string): Promise<AppliedPolicySet> {
    const compiled = compilePolicySet(
      policySetFromFiles('the uploaded policy set', files, revision === undefined ? {} : { revision }),
    );
    const appliedAt = this.clock().toISOString();
    const version = await this.store.transaction(async (trx) => {
      await this.store.exclusive(trx, 'policy-sets');
      const next = ((await policySetRepository.latestVersion(trx)) ?? 0) + 1;
      await policySetRepository.insert(trx, {
        version: next,
        digest: compiled.set.digest,
        revision: compiled.set.revision,
        files: JSON.stringify(files),
        applied_at: appliedAt,
        applied_by: actor,
      });
      const applied = describe(next, compiled, appliedAt, actor);
      await this.audit.append(trx, {
        actor,
        action: 'policy-set.applied',
        subject: { type: 'policy-set', version: next },
        payload: { ...applied, files: files.map((f) => f.path) },
      });
      return next;
    });
    this.cached = { version, compiled };
    return describe(version, compiled, appliedAt, actor);
  }

  /** The active set, compiled; WARDEN_ERR_GOVERNANCE_NO_POLICY_SET when none was applied. */
  async active(): Promise<ActivePolicySet> {
    const active = await this.activeIfAny();
    if (active === undefined) {
      throw new WardenError(
        'WARDEN_ERR_GOVERNANCE_NO_POLICY_SET',
        'no policy set has been applied to this server, so nothing can be decided; an admin applies one with warden policy apply DIR',
      );
    }
    return active;
  }

  /** The active set, compiled, or undefined when none was applied yet. */
  async activeIfAny(): Promise<ActivePolicySet | undefined> {
    const latest = await policySetRepository.latestVersion(this.store.db);
    if (latest === undefined) return undefined;
    if (this.cached?.version === latest) return this.cached;
    const row = await this.storedSet(latest);
    const compiled = compilePolicySet(
      policySetFromFiles(`policy set version ${row.version}`, JSON.parse(row.files) as PolicyFile[], {
        revision: row.revision,
      }),
    );
    this.cached = { version: row.version, compiled };
    return this.cached;
  }

  /** The active set with each policy's validations, controls and bindings (`GET /api/v1/policy-set`). */
  async describeActive(): Promise<AppliedPolicySet & { overview: PolicyOverview[] }> {
    const { version, compiled } = await this.active();
    const row = await this.storedSet(version);
    return { ...describe(version, compiled, row.applied_at, row.applied_by), overview: overviewOf(compiled) };
  }

  private async storedSet(version: number): Promise<PolicySetRow> {
    const row = await policySetRepository.find(this.store.db, version);
    if (row === undefined) {
      throw new WardenError('WARDEN_ERR_STORE_FAILURE', `policy set version ${version} is not stored`);
    }
    return row;
  }
}
