import { type Command, Option } from 'commander';
import { type Role, roles, WardenError } from '../../core/index.js';
import { Registry } from '../../registry/index.js';
import { openStore, type Store, type TokenRecord, tokenRepository } from '../../store/index.js';
import type { CliIo } from '../cli-io.js';
import { databaseUrl } from '../database-url.js';
import { collect, commaList, type OutputFlags, withOutput } from '../options.js';
import { serverClient } from '../server-client.js';
import { dash, printJson, printList } from './output.js';

/**
 * `warden token create|list|revoke`: API tokens, on the server with an admin token, or directly on
 * the database with --db (how the first tokens of a fresh database are made).
 */

interface TokenFlags extends OutputFlags {
  /** true: the database of WARDEN_DATABASE_URL (or the default); a string: that database. */
  db?: string | true;
}

interface TokenCreateFlags extends TokenFlags {
  name: string;
  role: Role;
  team: string[];
  expires?: string;
}

function withDatabase(command: Command): Command {
  return withOutput(command).option(
    '--db [url]',
    'work on the database directly instead of the server: sqlite:PATH or postgres://… (default WARDEN_DATABASE_URL, else the embedded SQLite file)',
  );
}

async function onDatabase<T>(flags: TokenFlags, work: (store: Store) => Promise<T>): Promise<T> {
  const store = await openStore(databaseUrl(flags.db === true ? undefined : flags.db));
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

/** The token request, checked here so --db gets the same rules as the server. */
function tokenRequest(flags: TokenCreateFlags): {
  name: string;
  role: Role;
  teams?: string[];
  expiresAt?: string;
} {
  const usage = (message: string) => new WardenError('WARDEN_ERR_USAGE_INVALID_OPTION', message);
  if (!/^[A-Za-z0-9][A-Za-z0-9@._-]{0,63}$/.test(flags.name)) {
    throw usage(
      `--name "${flags.name}": a token name is 1–64 letters, digits or @ . _ - (it is the actor recorded on every change)`,
    );
  }
  const teams = commaList(flags.team);
  if (flags.role === 'admin' && teams.length > 0) {
    throw usage('an admin token cannot be scoped to teams (admins manage tokens for everyone); drop --team');
  }
  let expiresAt: string | undefined;
  if (flags.expires !== undefined) {
    const at = Date.parse(flags.expires);
    if (Number.isNaN(at)) {
      throw usage(
        `--expires "${flags.expires}" is not a date and time; write ISO-8601, e.g. 2027-01-31T00:00:00Z`,
      );
    }
    if (at <= Date.now()) throw usage(`--expires ${flags.expires} is in the past; a token must expire later`);
    expiresAt = new Date(at).toISOString().replace(/\.000Z$/, 'Z');
  }
  return {
    name: flags.name,
    role: flags.role,
    ...(teams.length === 0 ? {} : { teams }),
    ...(expiresAt === undefined ? {} : { expiresAt }),
  };
}

function tokenScope(token: Pick<TokenRecord, 'role' | 'teams'>): string {
  return `${token.role}${token.teams === null ? '' : `, teams ${token.teams.join(', ')}`}`;
}

export function registerTokens(program: Command, io: CliIo): void {
  const token = program
    .command('token')
    .description('API tokens: on the server with an admin token, or directly on the database with --db');

  withDatabase(
    token
      .command('create')
      .description('create a token; its secret is printed once, alone on stdout')
      .requiredOption('--name <name>', 'who the token acts as (recorded on every change it makes)')
      .addOption(new Option('--role <role>', 'what it may do').choices(roles).makeOptionMandatory())
      .option(
        '--team <team>',
        'limit changes to this team’s models (repeatable, or comma-separated)',
        collect,
        [],
      )
      .option('--expires <time>', 'when it stops working (ISO-8601, e.g. 2027-01-31T00:00:00Z)'),
  ).action(async (flags: TokenCreateFlags) => {
    const request = tokenRequest(flags);
    const created: TokenRecord & { secret: string } =
      flags.db === undefined
        ? await serverClient(flags).call('createToken', { body: request })
        : await onDatabase(flags, async (store) => {
            const issued = await new Registry(store).issueToken(
              {
                name: request.name,
                role: request.role,
                teams: request.teams ?? null,
                expiresAt: request.expiresAt ?? null,
              },
              'warden token create --db',
            );
            return { ...issued.token, secret: issued.secret };
          });
    io.stderr.write(
      `warden: created token ${created.id} "${created.name}" (${tokenScope(created)}${created.expiresAt ? `, expires ${created.expiresAt}` : ''}); its secret is shown once${flags.json ? ' (the secret field)' : ', on stdout'}: keep it in a secret store and pass it as WARDEN_TOKEN\n`,
    );
    if (flags.json) return printJson(io, created);
    io.stdout.write(`${created.secret}\n`);
  });

  withDatabase(token.command('list').description('list tokens (never their secrets)')).action(
    async (flags: TokenFlags) => {
      const answer =
        flags.db === undefined
          ? await serverClient(flags).call('listTokens')
          : await onDatabase(flags, async (store) => ({ tokens: await tokenRepository.list(store.db) }));
      printList(
        io,
        flags,
        answer,
        answer.tokens,
        'no tokens; create one with warden token create --name NAME --role ROLE\n',
        ['id', 'name', 'role', 'teams', 'created', 'by', 'expires', 'last used', 'revoked'],
        (t) => [
          t.id,
          t.name,
          t.role,
          t.teams === null ? '*' : t.teams.join(','),
          t.createdAt,
          t.createdBy,
          dash(t.expiresAt),
          dash(t.lastUsedAt),
          dash(t.revokedAt),
        ],
      );
    },
  );

  withDatabase(
    token
      .command('revoke')
      .description('revoke a token; it stops working at once')
      .argument('[id]', 'the token id, tok_… (warden token list shows them)'),
  ).action(async (given: string | undefined, flags: TokenFlags) => {
    // `token revoke --db tok_…`: the bare --db took the id as its URL.
    let id = given;
    if (id === undefined && typeof flags.db === 'string' && /^tok_/.test(flags.db)) {
      id = flags.db;
      flags.db = true;
    }
    if (id === undefined) {
      throw new WardenError(
        'WARDEN_ERR_USAGE_INVALID_OPTION',
        'name the token to revoke: warden token revoke tok_…',
      );
    }
    const revoked =
      flags.db === undefined
        ? await serverClient(flags).call('revokeToken', { params: { id } })
        : await onDatabase(flags, (store) => new Registry(store).revokeToken(id, 'warden token revoke --db'));
    if (flags.json) return printJson(io, revoked);
    io.stdout.write(
      `token ${revoked.id} "${revoked.name}" is revoked (at ${dash(revoked.revokedAt)} by ${dash(revoked.revokedBy)})\n`,
    );
  });
}
