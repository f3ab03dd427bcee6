import { createHash } from 'node:crypto';
import { existsSync, lstatSync, readlinkSync, realpathSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { WardenError } from '../core/index.js';
import { parseDatabaseUrl } from '../store/index.js';

/** The two key files a server holds: one signs audit checkpoints, one encrypts webhook secrets. */
export interface ServerKeyFiles {
  auditKeyPath: string;
  webhookKeyPath: string;
  /**
   * Set when no key was named, none is at the default place, but one is where earlier releases
   * kept it (beside the SQLite file, or .warden/): the server refuses to start until it is moved.
   */
  legacyAuditKeyPath?: string;
}

export const auditKeyFileName = 'audit-signing.key';
export const webhookKeyFileName = 'webhook-secrets.key';

/** `$XDG_CONFIG_HOME/warden`, else `~/.config/warden` (a relative XDG_CONFIG_HOME is ignored, as the spec says). */
export function wardenConfigDirectory(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env['XDG_CONFIG_HOME'];
  const base = xdg && isAbsolute(xdg) ? xdg : join(env['HOME'] || homedir(), '.config');
  return join(base, 'warden');
}

/**
 * The default key directory of one database: `<config>/warden/keys/<name>-<12 hex>`, where the
 * hex digits are from the SHA-256 of the database's identity (an SQLite file's real path; a
 * PostgreSQL host, port, database and schema, never the password). So each database a user runs
 * has keys of its own, and `warden audit verify --db` finds them from the same URL.
 */
export function defaultKeyDirectory(url: string, env: NodeJS.ProcessEnv = process.env): string {
  const location = parseDatabaseUrl(url);
  let identity: string;
  let name: string;
  if (location.dialect === 'sqlite') {
    identity = location.path === ':memory:' ? 'sqlite::memory:' : `sqlite:${realPathOf(location.path)}`;
    name = location.path === ':memory:' ? 'memory' : basename(location.path);
  } else {
    const parsed = new URL(location.connectionString);
    const database = decodeURIComponent(parsed.pathname.replace(/^\//, '')) || 'postgres';
    identity = `postgres://${decodeURIComponent(parsed.username)}@${parsed.hostname}:${parsed.port || '5432'}/${database}?schema=${location.schema ?? 'public'}`;
    name = location.schema === undefined ? database : `${database}.${location.schema}`;
  }
  const digest = createHash('sha256').update(identity).digest('hex').slice(0, 12);
  const safeName = name.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 40);
  return join(wardenConfigDirectory(env), 'keys', `${safeName}-${digest}`);
}

/** Where earlier releases kept the audit key by default: beside an SQLite file, else in .warden/. */
export function legacyAuditKeyPath(url: string): string {
  const location = parseDatabaseUrl(url);
  if (location.dialect === 'sqlite' && location.path !== ':memory:') {
    return join(dirname(location.path), auditKeyFileName);
  }
  return join('.warden', auditKeyFileName);
}

/**
 * The key files for the database at `url`: the audit key from --audit-key, else WARDEN_AUDIT_KEY,
 * else the database's default key directory; the webhook key from --webhook-key, else
 * WARDEN_WEBHOOK_KEY, else beside the audit key.
 */
export function serverKeyFiles(
  url: string,
  given: { auditKey?: string | undefined; webhookKey?: string | undefined },
  env: NodeJS.ProcessEnv = process.env,
): ServerKeyFiles {
  const named = given.auditKey ?? (env['WARDEN_AUDIT_KEY'] || undefined);
  const auditKeyPath = named ?? join(defaultKeyDirectory(url, env), auditKeyFileName);
  const webhookKeyPath =
    given.webhookKey ?? (env['WARDEN_WEBHOOK_KEY'] || join(dirname(auditKeyPath), webhookKeyFileName));
  const legacy = legacyAuditKeyPath(url);
  const moved = named === undefined && !existsSync(auditKeyPath) && existsSync(legacy);
  return { auditKeyPath, webhookKeyPath, ...(moved ? { legacyAuditKeyPath: legacy } : {}) };
}

/** Refuses to go on with an audit key left where earlier releases kept it (see `serverKeyFiles`). */
export function refuseLegacyAuditKey(files: ServerKeyFiles): void {
  if (files.legacyAuditKeyPath === undefined) return;
  throw new WardenError(
    'WARDEN_ERR_SERVER_KEY_LOCATION',
    `the audit signing key is at ${files.legacyAuditKeyPath}, where earlier releases kept it, and not at its default place ${files.auditKeyPath}; move it there (mkdir -p -m 700 ${dirname(files.auditKeyPath)} && mv ${files.legacyAuditKeyPath} ${files.auditKeyPath}), or name it with --audit-key`,
    { where: files.legacyAuditKeyPath },
  );
}

/**
 * Whoever can read the audit key can re-sign the log, so it must not travel with the database: a
 * key file whose real path is inside the directory of the database's files is refused unless
 * `allowColocated` (PostgreSQL has no such directory).
 */
export function refuseColocatedKeys(
  databaseDirectory: string | undefined,
  keys: readonly { path: string; flag: string }[],
  allowColocated: boolean,
): void {
  if (databaseDirectory === undefined || allowColocated) return;
  const directory = realPathOf(databaseDirectory);
  for (const key of keys) {
    const path = realPathOf(key.path);
    const inside = relative(directory, path);
    if (inside !== '' && !inside.startsWith('..') && !isAbsolute(inside)) {
      throw new WardenError(
        'WARDEN_ERR_SERVER_KEY_LOCATION',
        `the key file ${key.path} (${key.flag}) is inside ${databaseDirectory}, the database's directory: whoever copies the database would take the key with it; keep it elsewhere (${key.flag} FILE, or leave it to the default under ${wardenConfigDirectory()}), or pass --allow-colocated-key`,
        { where: key.path },
      );
    }
  }
}

/** `refuseColocatedKeys` for a server's two key files. */
export function refuseColocatedServerKeys(
  databaseDirectory: string | undefined,
  files: Pick<ServerKeyFiles, 'auditKeyPath' | 'webhookKeyPath'>,
  allowColocated: boolean,
): void {
  refuseColocatedKeys(
    databaseDirectory,
    [
      { path: files.auditKeyPath, flag: '--audit-key' },
      { path: files.webhookKeyPath, flag: '--webhook-key' },
    ],
    allowColocated,
  );
}

/**
 * The real path of `path`, which need not exist yet: symbolic links are followed, dangling ones
 * too (a key written through one lands where it points), and what does not exist is kept as named.
 */
function realPathOf(path: string, hops = 0): string {
  const absolute = resolve(path);
  try {
    return realpathSync(absolute);
  } catch {
    if (hops < 40 && lstatSync(absolute, { throwIfNoEntry: false })?.isSymbolicLink()) {
      return realPathOf(resolve(dirname(absolute), readlinkSync(absolute)), hops + 1);
    }
    const parent = dirname(absolute);
    return parent === absolute ? absolute : join(realPathOf(parent, hops), basename(absolute));
  }
}
