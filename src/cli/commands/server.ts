import type { Command } from 'commander';
import { openWitness, type Witness } from '../../audit/index.js';
import { Registry } from '../../registry/index.js';
import {
  defaultBodyLimit,
  refuseColocatedServerKeys,
  refuseLegacyAuditKey,
  serverKeyFiles,
  startServer,
} from '../../server/index.js';
import { defaultDatabaseUrl, openStore, type Store, tokenRepository } from '../../store/index.js';
import type { CliIo } from '../cli-io.js';
import { databaseUrl } from '../database-url.js';
import { collect, parseIntegerInRange } from '../options.js';

interface ServerFlags {
  port?: string;
  host?: string;
  db?: string;
  init?: boolean;
  bodyLimit?: string;
  logLevel?: string;
  auditKey?: string;
  webhookKey?: string;
  allowColocatedKey?: boolean;
  auditWitness: string[];
  allowPrivateWebhooks?: boolean;
}

export function registerServer(program: Command, io: CliIo): void {
  program
    .command('server')
    .description('run the control plane: the HTTP API under /api/v1 on SQLite or PostgreSQL')
    .option('--port <port>', 'port to listen on (WARDEN_PORT; default 8080, 0 picks a free one)')
    .option('--host <host>', 'address to listen on (WARDEN_HOST; default 127.0.0.1)')
    .option(
      '--db <url>',
      `database: sqlite:PATH or postgres://… (WARDEN_DATABASE_URL; default ${defaultDatabaseUrl})`,
    )
    .option('--init', 'if the database has no tokens, create an admin token and print it once')
    .option(
      '--audit-key <file>',
      'the Ed25519 key that signs audit checkpoints, created if missing (WARDEN_AUDIT_KEY; default audit-signing.key in a directory of its own for the database under $XDG_CONFIG_HOME/warden/keys/, else ~/.config/warden/keys/); replicas share one',
    )
    .option(
      '--webhook-key <file>',
      'the 32-byte key that encrypts webhook secrets, created if missing (WARDEN_WEBHOOK_KEY; default webhook-secrets.key beside the audit key); replicas share one',
    )
    .option(
      '--allow-colocated-key',
      "start even when a key file is inside the SQLite database's directory (refused by default: whoever copies the database would take the key that can re-sign its log)",
    )
    .option(
      '--audit-witness <witness>',
      'publish every signed checkpoint outside the database too: file:PATH (JSON Lines) or nats://HOST:PORT/SUBJECT (JetStream); repeatable',
      collect,
      [],
    )
    .option(
      '--allow-private-webhooks',
      'let webhooks target loopback, private, link-local and cloud-metadata addresses (refused by default; for local receivers and tests)',
    )
    .option('--body-limit <bytes>', `largest request body accepted (default ${defaultBodyLimit})`)
    .option(
      '--log-level <level>',
      'fatal, error, warn, info, debug or silent (WARDEN_LOG_LEVEL; default info)',
    )
    .action(async (flags: ServerFlags) => {
      io.exitCode = await serve(flags, io);
    });

  const db = program.command('db').description('manage the registry database');
  db.command('migrate')
    .description('apply pending migrations (the server also does on start) and list what it applied')
    .option('--db <url>', `database URL (WARDEN_DATABASE_URL; default ${defaultDatabaseUrl})`)
    .action(async (flags: { db?: string }) => {
      const store = await openStore(databaseUrl(flags.db), { migrate: false });
      try {
        const applied = await store.migrate();
        io.stdout.write(
          applied.length === 0
            ? `${store.location}: up to date\n`
            : `${store.location}: applied ${applied.join(', ')}\n`,
        );
      } finally {
        await store.close();
      }
    });
}

async function serve(flags: ServerFlags, io: CliIo): Promise<number> {
  const env = process.env;
  const port = parseIntegerInRange('--port', flags.port ?? env['WARDEN_PORT'] ?? '8080', 0, 65535);
  const host = flags.host ?? env['WARDEN_HOST'] ?? '127.0.0.1';
  const bodyLimit = parseIntegerInRange(
    '--body-limit',
    flags.bodyLimit ?? String(defaultBodyLimit),
    1024,
    1024 ** 3,
  );
  const logLevel = flags.logLevel ?? env['WARDEN_LOG_LEVEL'] ?? 'info';
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(logLevel)) {
    io.usageError(`--log-level must be fatal, error, warn, info, debug, trace or silent, not "${logLevel}"`);
  }
  const url = databaseUrl(flags.db);
  const keys = serverKeyFiles(url, { auditKey: flags.auditKey, webhookKey: flags.webhookKey });
  refuseLegacyAuditKey(keys);
  const witnesses: Witness[] = [];
  for (const spec of flags.auditWitness) witnesses.push(await openWitness(spec));
  const store = await openStore(url);
  try {
    // Before --init, so that a refused start leaves no admin token behind.
    refuseColocatedServerKeys(store.directory, keys, flags.allowColocatedKey === true);
    if (flags.init) await initialAdmin(store, io);
  } catch (error) {
    await store.close();
    throw error;
  }
  const server = await startServer({
    store,
    host,
    port,
    bodyLimit,
    logLevel,
    auditKeyPath: keys.auditKeyPath,
    webhookKeyPath: keys.webhookKeyPath,
    allowColocatedKey: flags.allowColocatedKey === true,
    governance: { witnesses },
    allowPrivateWebhooks: flags.allowPrivateWebhooks === true,
  }).catch(async (error: unknown) => {
    await store.close();
    throw error;
  });
  io.stderr.write(
    `warden server: listening on ${server.url} (database ${store.location}); Ctrl-C stops it\nwarden server: audit key ${keys.auditKeyPath}, webhook key ${keys.webhookKeyPath}\n`,
  );
  await new Promise<void>((stopped) => {
    const stop = (signal: string) => {
      io.stderr.write(`warden server: ${signal}: finishing in-flight requests, then closing the database\n`);
      process.once(signal, () => process.exit(130));
      server.close().then(stopped, stopped);
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
  return 0;
}

/** `--init`: the first admin token, printed alone on its line to stdout; never a second one. */
async function initialAdmin(store: Store, io: CliIo): Promise<void> {
  if ((await tokenRepository.count(store.db)) > 0) {
    io.stderr.write(
      'warden server: --init: the database has tokens already; none created (warden token create makes more)\n',
    );
    return;
  }
  const { token, secret } = await new Registry(store).issueToken(
    { name: 'admin', role: 'admin', teams: null, expiresAt: null },
    'warden server --init',
  );
  io.stderr.write(
    `warden server: created admin token ${token.id}; it is shown once, below — keep it in a secret store:\n`,
  );
  io.stdout.write(`${secret}\n`);
}
