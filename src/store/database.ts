import { closeSync, mkdirSync, openSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import {
  CompiledQuery,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  Kysely,
  PostgresDialect,
  SqliteDialect,
  type SqliteDialectConfig,
  SqliteDriver,
  sql,
  type Transaction,
} from 'kysely';
import pg from 'pg';
import { WardenError } from '../core/index.js';
import { migrateToLatest } from './migrations.js';
import type { Tables } from './schema.js';
import { type ErrorClassifier, postgresErrors, sqliteErrors, storeFault } from './store-errors.js';

/** What shared code may ask of a database, instead of asking which dialect it is. */
export interface StoreCapabilities {
  /** Several server processes may use the database at once (replicas behind a load balancer). */
  readonly sharedByReplicas: boolean;
  /** Concurrent transactions run in parallel (true) or one at a time on one connection (false). */
  readonly parallelTransactions: boolean;
}

export interface Store {
  readonly db: Kysely<Tables>;
  /** Where the data lives, with any password masked: safe to print and log. */
  readonly location: string;
  /**
   * The directory that holds the database's files (an SQLite file's directory), or undefined when
   * the data does not live in local files (PostgreSQL, an in-memory SQLite database).
   */
  readonly directory: string | undefined;
  readonly capabilities: StoreCapabilities;
  readonly errors: ErrorClassifier;
  /**
   * A raw database error from a query run outside `transaction` as a coded WardenError (database
   * unreachable, constraint broken by a concurrent writer); undefined for anything else.
   */
  fault(error: unknown): WardenError | undefined;
  /**
   * Makes the rest of a transaction exclusive for `name` across every process that shares the
   * database: a second transaction asking for the same name waits until the first ends. SQLite
   * transactions already start with the write lock (BEGIN IMMEDIATE); PostgreSQL takes a
   * transaction-scoped advisory lock.
   */
  exclusive(trx: Transaction<Tables>, name: string): Promise<void>;
  /** Runs `work` in one transaction; store faults come out as coded WardenErrors. */
  transaction<T>(work: (trx: Transaction<Tables>) => Promise<T>): Promise<T>;
  /** Applies pending migrations; returns the names of those it applied. */
  migrate(): Promise<string[]>;
  /** Throws WARDEN_ERR_STORE_UNAVAILABLE unless the database answers a trivial query. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface OpenStoreOptions {
  /** Apply pending migrations (the server does on start); default true. */
  migrate?: boolean;
  /** PostgreSQL pool size; default 10. */
  poolSize?: number;
}

export const defaultDatabaseUrl = 'sqlite:.warden/warden.db';

type Location =
  | { dialect: 'sqlite'; path: string }
  | { dialect: 'postgres'; connectionString: string; schema: string | undefined; shown: string };

/**
 * Opens the registry database named by a URL — `sqlite:PATH` (`sqlite::memory:` for a throwaway
 * one) or `postgres://user@host:port/db[?schema=NAME]` — and migrates it unless told not to. A
 * database that cannot be reached is WARDEN_ERR_STORE_UNAVAILABLE (exit 3).
 *
 * @example
 * const store = await openStore('sqlite:.warden/warden.db');
 */
export async function openStore(url: string, options: OpenStoreOptions = {}): Promise<Store> {
  const location = parseDatabaseUrl(url);
  const store = location.dialect === 'sqlite' ? openSqlite(location.path) : openPostgres(location, options);
  try {
    await store.ping();
    if (options.migrate !== false) await store.migrate();
    return store;
  } catch (error) {
    await store.close().catch(() => undefined);
    throw storeFault(error, store.errors, store.location);
  }
}

export function parseDatabaseUrl(url: string): Location {
  const trimmed = url.trim();
  if (trimmed.startsWith('sqlite:')) {
    const path = trimmed.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    if (path === '') throw invalidUrl(url, 'the path after sqlite: is empty');
    return { dialect: 'sqlite', path };
  }
  if (/^postgres(ql)?:\/\//.test(trimmed)) {
    let parsed: URL;
    try {
      parsed = new URL(trimmed);
    } catch {
      throw invalidUrl(url, 'it is not a valid URL');
    }
    const schema = parsed.searchParams.get('schema') ?? undefined;
    if (schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
      throw invalidUrl(url, `schema "${schema}" must be lowercase letters, digits and _`);
    }
    parsed.searchParams.delete('schema');
    const shown = new URL(parsed.href);
    if (shown.password) shown.password = '***';
    return { dialect: 'postgres', connectionString: parsed.href, schema, shown: shown.href };
  }
  throw invalidUrl(url, 'it names no known database');
}

function invalidUrl(url: string, why: string): WardenError {
  const shown = url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
  return new WardenError(
    'WARDEN_ERR_STORE_INVALID_URL',
    `database URL "${shown}" cannot be used: ${why}; use sqlite:PATH (for example ${defaultDatabaseUrl}) or postgres://USER@HOST:PORT/DB`,
  );
}

function openSqlite(path: string): Store {
  const memory = path === ':memory:';
  const file = memory ? path : resolve(path);
  const shown = `sqlite:${path}`;
  const dialect = new ImmediateSqliteDialect({
    database: async () => {
      if (!memory) {
        mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
        if (statSync(file, { throwIfNoEntry: false })?.isDirectory()) {
          throw new WardenError(
            'WARDEN_ERR_STORE_UNAVAILABLE',
            `${file} is a directory, not a database file; pass --db sqlite:${path.replace(/\/?$/, '/warden.db')}`,
          );
        }
        createPrivateFile(file);
      }
      const database = new Database(file);
      database.pragma('journal_mode = WAL');
      database.pragma('synchronous = NORMAL');
      database.pragma('foreign_keys = ON');
      database.pragma('busy_timeout = 5000');
      return database;
    },
  });
  return makeStore(dialect, shown, sqliteErrors, {
    directory: memory ? undefined : dirname(file),
    capabilities: { sharedByReplicas: false, parallelTransactions: false },
    prepareMigration: async () => undefined,
    exclusive: async () => undefined,
  });
}

/**
 * Creates the database file readable by its owner only (0600) before SQLite opens it: tokens are
 * hashed, but the file holds the whole registry and audit log. SQLite gives the -wal and -shm
 * files the main file's permissions. An existing file is left as its owner set it.
 */
function createPrivateFile(file: string): void {
  try {
    closeSync(openSync(file, 'wx', 0o600));
  } catch (error) {
    if ((error as { code?: string }).code !== 'EEXIST') throw error;
  }
}

/**
 * SQLite with `BEGIN IMMEDIATE`: a transaction takes the write lock when it starts, so two
 * connections that read then write wait for each other (busy_timeout) instead of one failing
 * with SQLITE_BUSY when it tries to upgrade its read lock.
 */
class ImmediateSqliteDialect extends SqliteDialect {
  constructor(private readonly settings: SqliteDialectConfig) {
    super(settings);
  }

  override createDriver(): Driver {
    return new (class extends SqliteDriver {
      override async beginTransaction(connection: DatabaseConnection): Promise<void> {
        await connection.executeQuery(CompiledQuery.raw('begin immediate'));
      }
    })(this.settings);
  }
}

function openPostgres(
  location: Extract<Location, { dialect: 'postgres' }>,
  options: OpenStoreOptions,
): Store {
  const pool = new pg.Pool({
    connectionString: location.connectionString,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
  });
  // An idle client whose server went away emits 'error' on the pool; without a listener Node would
  // crash. The next query gets a fresh connection (or a clean 503 while the database is down).
  pool.on('error', () => undefined);
  const schema = location.schema;
  const dialect = new PostgresDialect({
    pool,
    ...(schema === undefined
      ? {}
      : {
          onCreateConnection: async (connection) => {
            // The schema name was checked against [a-z_][a-z0-9_]* when the URL was parsed.
            await connection.executeQuery(CompiledQuery.raw(`set search_path to "${schema}"`));
          },
        }),
  });
  return makeStore(dialect, location.shown, postgresErrors, {
    directory: undefined,
    capabilities: { sharedByReplicas: true, parallelTransactions: true },
    migrationSchema: schema ?? 'public',
    prepareMigration: async (db) => {
      if (schema !== undefined) await sql`create schema if not exists ${sql.id(schema)}`.execute(db);
    },
    exclusive: async (trx, name) => {
      // Advisory locks are per database, so the schema is part of the key: two Wardens in two
      // schemas of one database do not wait for each other.
      await sql`select pg_advisory_xact_lock(hashtextextended(${`warden:${schema ?? 'public'}:${name}`}, 0))`.execute(
        trx,
      );
    },
  });
}

interface DialectTraits {
  directory: string | undefined;
  capabilities: StoreCapabilities;
  /** Where the migration bookkeeping tables live (PostgreSQL schemas); undefined on SQLite. */
  migrationSchema?: string;
  prepareMigration(db: Kysely<Tables>): Promise<void>;
  exclusive(trx: Transaction<Tables>, name: string): Promise<void>;
}

function makeStore(
  dialect: Dialect,
  location: string,
  errors: ErrorClassifier,
  traits: DialectTraits,
): Store {
  const db = new Kysely<Tables>({ dialect });
  return {
    db,
    location,
    directory: traits.directory,
    capabilities: traits.capabilities,
    errors,
    exclusive: traits.exclusive,
    fault(error) {
      return errors.classify(error) === 'other' ? undefined : storeFault(error, errors, location);
    },
    async migrate() {
      try {
        await traits.prepareMigration(db);
        return await migrateToLatest(db as unknown as Kysely<unknown>, traits.migrationSchema);
      } catch (error) {
        throw storeFault(error, errors, location);
      }
    },
    async transaction(work) {
      try {
        return await db.transaction().execute(work);
      } catch (error) {
        throw storeFault(error, errors, location);
      }
    },
    async ping() {
      try {
        await sql`select 1`.execute(db);
      } catch (error) {
        throw storeFault(error, errors, location);
      }
    },
    close: () => db.destroy(),
  };
}
