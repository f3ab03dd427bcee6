import type { AuditLog } from '../audit/index.js';
import {
  envelopeSigner,
  type NamedPublicKey,
  namedPublicKey,
  type OpenedEnvelope,
  WardenError,
} from '../core/index.js';
import { isoNow, type SigningKeyRecord, type Store, signingKeyRepository } from '../store/index.js';
import type { RegisterSigningKeyBody } from './schemas.js';

/** A registered key that signed a submitted envelope. */
export interface VerifiedSignature {
  signer: string;
  keyId: string;
}

/**
 * The public keys that sign evidence (docs/security.md, "Signed evidence"): an admin registers each
 * with a name and a scope (teams, evidence kinds); evidence submitted in a DSSE envelope is
 * verified against them and keeps the name of the key that signed it.
 */
export class SigningKeys {
  /** Parsed public keys by key id: a registered key's bytes never change, so parse each once. */
  private readonly parsed = new Map<string, NamedPublicKey>();

  constructor(
    private readonly store: Store,
    private readonly audit: AuditLog,
  ) {}

  private publicKeyOf(record: SigningKeyRecord): NamedPublicKey {
    let key = this.parsed.get(record.keyId);
    if (key === undefined) {
      key = namedPublicKey(record.name, record.publicKey, `signing key "${record.name}"`);
      this.parsed.set(record.keyId, key);
    }
    return key;
  }

  async register(body: RegisterSigningKeyBody, actor: string): Promise<SigningKeyRecord> {
    const key = namedPublicKey(body.name, body.publicKey, 'publicKey');
    const publicKey = key.publicKey.export({ format: 'pem', type: 'spki' }).toString();
    const registered = await this.store.transaction(async (trx) => {
      const existing = await signingKeyRepository.findByKeyId(trx, key.keyId);
      if (existing !== undefined) {
        throw new WardenError(
          'WARDEN_ERR_REGISTRY_CONFLICT',
          `this public key is registered already, as "${existing.name}"${existing.revokedAt ? ' (revoked)' : ''}; a key has one name — create a new key pair for another signer`,
        );
      }
      const fields = {
        name: body.name,
        keyId: key.keyId,
        publicKey,
        teams: body.teams ?? null,
        evidenceKinds: body.evidenceKinds ?? null,
      };
      if (!(await signingKeyRepository.insert(trx, fields, actor, isoNow()))) return false;
      await this.audit.append(trx, {
        actor,
        action: 'signing-key.registered',
        subject: { type: 'signing-key', name: body.name },
        payload: { keyId: key.keyId, teams: fields.teams, evidenceKinds: fields.evidenceKinds },
      });
      return true;
    });
    if (!registered) {
      throw new WardenError(
        'WARDEN_ERR_REGISTRY_CONFLICT',
        `a signing key named "${body.name}" is registered already; pick another name (a revoked key keeps its name, so the evidence it signed stays attributable)`,
      );
    }
    return (await signingKeyRepository.find(this.store.db, body.name)) as SigningKeyRecord;
  }

  list(): Promise<SigningKeyRecord[]> {
    return signingKeyRepository.list(this.store.db);
  }

  async revoke(name: string, actor: string): Promise<SigningKeyRecord> {
    const revoked = await this.store.transaction(async (trx) => {
      if (!(await signingKeyRepository.revoke(trx, name, actor, isoNow()))) return false;
      await this.audit.append(trx, {
        actor,
        action: 'signing-key.revoked',
        subject: { type: 'signing-key', name },
        payload: {},
      });
      return true;
    });
    const key = await signingKeyRepository.find(this.store.db, name);
    if (key === undefined) {
      throw new WardenError(
        'WARDEN_ERR_REGISTRY_NOT_FOUND',
        `no signing key is named "${name}"; list them with warden key list`,
      );
    }
    if (!revoked) {
      throw new WardenError(
        'WARDEN_ERR_REGISTRY_CONFLICT',
        `signing key "${name}" was revoked already, at ${key.revokedAt}`,
      );
    }
    return key;
  }

  /**
   * Verifies a submitted envelope against the registered keys, and checks that the key that signed
   * it may sign this kind of evidence for a model of this team.
   */
  async verify(
    opened: OpenedEnvelope,
    model: { name: string; team: string | null },
  ): Promise<VerifiedSignature> {
    const keys = (await signingKeyRepository.list(this.store.db)).map((record) => ({
      record,
      ...this.publicKeyOf(record),
    }));
    const signer = envelopeSigner(opened.envelope, opened.payload, keys)?.record;
    if (signer === undefined) {
      const hint =
        opened.keyIds.length > 0
          ? ` (it names key id ${opened.keyIds.map((id) => `${id.slice(0, 12)}…`).join(', ')})`
          : '';
      throw new WardenError(
        'WARDEN_ERR_EVIDENCE_SIGNATURE_INVALID',
        `the ${opened.evidence.kind} envelope's signature does not verify with any registered signing key${hint}: either its key is not registered (an admin registers it with warden key register NAME --public-key FILE.pub) or the envelope was changed after it was signed`,
      );
    }
    const refuse = (why: string) =>
      new WardenError(
        'WARDEN_ERR_EVIDENCE_SIGNER_NOT_ALLOWED',
        `the evidence is signed by "${signer.name}", ${why}`,
      );
    if (signer.revokedAt !== null)
      throw refuse(`a key revoked at ${signer.revokedAt} by ${signer.revokedBy}; sign with a current key`);
    if (signer.evidenceKinds !== null && !signer.evidenceKinds.includes(opened.evidence.kind)) {
      throw refuse(
        `which may sign ${signer.evidenceKinds.join(', ')} evidence, not ${opened.evidence.kind}; sign with the key registered for ${opened.evidence.kind}`,
      );
    }
    if (signer.teams !== null && (model.team === null || !signer.teams.includes(model.team))) {
      throw refuse(
        `which may sign evidence for models of team ${signer.teams.join(', ')}, and model "${model.name}" is ${model.team === null ? 'of no team' : `of team ${model.team}`}`,
      );
    }
    return { signer: signer.name, keyId: signer.keyId };
  }
}
