import { type Kysely, sql } from 'kysely';
import { generateToken, hashTokenSecret, type Role, WardenError } from '../core/index.js';
import { isoNow, readJson, writeJson } from './json-columns.js';
import type { Tables, TokenRow } from './schema.js';

/** An API token as listed: never the secret, only its id and what it may do. */
export interface TokenRecord {
  id: string;
  name: string;
  role: string;
  /** Teams the token may act for; null means every team. */
  teams: string[] | null;
  createdAt: string;
  createdBy: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
  revokedBy: string | null;
}

export interface NewToken {
  id: string;
  name: string;
  secretHash: string;
  role: string;
  teams: string[] | null;
  expiresAt: string | null;
}

function toRecord(row: TokenRow): TokenRecord {
  return {
    id: row.id,
    name: row.name,
    role: row.role,
    teams: readJson<string[] | null>(row.teams, null),
    createdAt: row.created_at,
    createdBy: row.created_by,
    expiresAt: row.expires_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
    revokedBy: row.revoked_by,
  };
}

/**
 * Whether two actor names (token names) are the same actor. Names are unique case-insensitively
 * among active tokens, and `Approver1` and `approver1` are one person for the four-eyes rule.
 */
export function sameActor(a: string, b: string | undefined | null): boolean {
  return b !== undefined && b !== null && a.toLowerCase() === b.toLowerCase();
}

/** API tokens, stored by the SHA-256 hash of their secret. */
export const tokenRepository = {
  async insert(db: Kysely<Tables>, token: NewToken, actor: string, at: string): Promise<void> {
    await db
      .insertInto('tokens')
      .values({
        id: token.id,
        name: token.name,
        secret_hash: token.secretHash,
        role: token.role,
        teams: token.teams === null ? null : writeJson(token.teams),
        created_at: at,
        created_by: actor,
        expires_at: token.expiresAt,
      })
      .execute();
  },

  async findByHash(db: Kysely<Tables>, secretHash: string): Promise<TokenRecord | undefined> {
    const row = await db
      .selectFrom('tokens')
      .selectAll()
      .where('secret_hash', '=', secretHash)
      .executeTakeFirst();
    return row === undefined ? undefined : toRecord(row);
  },

  async find(db: Kysely<Tables>, id: string): Promise<TokenRecord | undefined> {
    const row = await db.selectFrom('tokens').selectAll().where('id', '=', id).executeTakeFirst();
    return row === undefined ? undefined : toRecord(row);
  },

  async list(db: Kysely<Tables>): Promise<TokenRecord[]> {
    return (await db.selectFrom('tokens').selectAll().orderBy('created_at').orderBy('id').execute()).map(
      toRecord,
    );
  },

  async count(db: Kysely<Tables>): Promise<number> {
    const row = await db
      .selectFrom('tokens')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirst();
    return Number(row?.n ?? 0);
  },

  async revoke(db: Kysely<Tables>, id: string, actor: string, at: string): Promise<boolean> {
    const result = await db
      .updateTable('tokens')
      .set({ revoked_at: at, revoked_by: actor })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  },

  /** Records use at most once a minute per token, so reads do not all turn into writes. */
  async touch(db: Kysely<Tables>, id: string, at: string, notSince: string): Promise<void> {
    await db
      .updateTable('tokens')
      .set({ last_used_at: at })
      .where('id', '=', id)
      .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<', notSince)]))
      .execute();
  },
};

/** What a caller asks for when creating a token. */
export interface TokenRequest {
  name: string;
  role: Role;
  teams: string[] | null;
  expiresAt: string | null;
}

/**
 * Creates a token and returns its secret, which exists only in this return value: the database
 * keeps its SHA-256. Names identify who acts (they are the actor in every record), so two active
 * tokens may not share one, whatever its case (a unique index on lower(name) enforces it).
 */
export async function issueToken(
  db: Kysely<Tables>,
  request: TokenRequest,
  actor: string,
): Promise<{ token: TokenRecord; secret: string }> {
  const active = await db
    .selectFrom('tokens')
    .select('id')
    .select('name')
    .where(sql<string>`lower(name)`, '=', request.name.toLowerCase())
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  if (active !== undefined) {
    throw new WardenError(
      'WARDEN_ERR_REGISTRY_CONFLICT',
      `an active token is already named "${active.name}" (${active.id}); names are the same actor whatever their case, so pick another name, or revoke that one first`,
    );
  }
  const { id, secret } = generateToken();
  await tokenRepository.insert(db, { id, ...request, secretHash: hashTokenSecret(secret) }, actor, isoNow());
  const token = await tokenRepository.find(db, id);
  if (token === undefined) throw new WardenError('WARDEN_ERR_STORE_FAILURE', `token ${id} was not stored`);
  return { token, secret };
}
