import type { Kysely } from 'kysely';
import { readJson, writeJson } from './json-columns.js';
import type { SigningKeyRow, Tables } from './schema.js';

/** A public key that signs evidence, as an admin registered it. */
export interface SigningKeyRecord {
  name: string;
  keyId: string;
  publicKey: string;
  /** Null: any team. */
  teams: string[] | null;
  /** Null: any evidence kind. */
  evidenceKinds: string[] | null;
  registeredAt: string;
  registeredBy: string;
  revokedAt: string | null;
  revokedBy: string | null;
}

function toRecord(row: SigningKeyRow): SigningKeyRecord {
  return {
    name: row.name,
    keyId: row.key_id,
    publicKey: row.public_key,
    teams: readJson<string[] | null>(row.teams, null),
    evidenceKinds: readJson<string[] | null>(row.evidence_kinds, null),
    registeredAt: row.registered_at,
    registeredBy: row.registered_by,
    revokedAt: row.revoked_at,
    revokedBy: row.revoked_by,
  };
}

export const signingKeyRepository = {
  /** Registers a key; false when the name or the key is registered already. */
  async insert(
    db: Kysely<Tables>,
    key: Pick<SigningKeyRecord, 'name' | 'keyId' | 'publicKey' | 'teams' | 'evidenceKinds'>,
    actor: string,
    at: string,
  ): Promise<boolean> {
    const result = await db
      .insertInto('signing_keys')
      .values({
        name: key.name,
        key_id: key.keyId,
        public_key: key.publicKey,
        teams: key.teams === null ? null : writeJson(key.teams),
        evidence_kinds: key.evidenceKinds === null ? null : writeJson(key.evidenceKinds),
        registered_at: at,
        registered_by: actor,
        revoked_at: null,
        revoked_by: null,
      })
      .onConflict((oc) => oc.doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
  },

  async find(db: Kysely<Tables>, name: string): Promise<SigningKeyRecord | undefined> {
    const row = await db.selectFrom('signing_keys').selectAll().where('name', '=', name).executeTakeFirst();
    return row && toRecord(row);
  },

  async findByKeyId(db: Kysely<Tables>, keyId: string): Promise<SigningKeyRecord | undefined> {
    const row = await db
      .selectFrom('signing_keys')
      .selectAll()
      .where('key_id', '=', keyId)
      .executeTakeFirst();
    return row && toRecord(row);
  },

  /** Every key, revoked ones included, by name. */
  async list(db: Kysely<Tables>): Promise<SigningKeyRecord[]> {
    return (await db.selectFrom('signing_keys').selectAll().orderBy('name').execute()).map(toRecord);
  },

  /** Revokes a key; false when there is no such active key. */
  async revoke(db: Kysely<Tables>, name: string, actor: string, at: string): Promise<boolean> {
    const result = await db
      .updateTable('signing_keys')
      .set({ revoked_at: at, revoked_by: actor })
      .where('name', '=', name)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  },
};
