import { chmod, readFile, writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { createEvidenceKeyPair, type EvidenceKind, fileReadError, WardenError } from '../../core/index.js';
import type { CliIo } from '../cli-io.js';
import { commaList, type OutputFlags, withOutput } from '../options.js';
import { serverClient } from '../server-client.js';
import { dash, fields, printJson, printList } from './output.js';

/**
 * `warden key create|register|list|revoke`: the Ed25519 keys that sign evidence. A pipeline keeps the
 * private key; an admin registers the public key on the server with a name and a scope.
 */

interface RegisterFlags extends OutputFlags {
  publicKey: string;
  teams?: string;
  kinds?: string;
}

export function registerKeys(program: Command, io: CliIo): void {
  const key = program
    .command('key')
    .description('keys that sign evidence (in-toto statements in DSSE envelopes)');

  key
    .command('create')
    .description('write a new Ed25519 key pair: FILE (private, mode 0600) and FILE.pub (public, to register)')
    .requiredOption('--out <file>', 'where to write the private key; the public key goes to FILE.pub')
    .action(async (flags: { out: string }) => {
      const keyId = await createKeyFiles(flags.out);
      io.stdout.write(
        `${fields([
          [
            'private key',
            `${flags.out} (mode 0600: sign with warden check … --sign-key ${flags.out}; never share it)`,
          ],
          ['public key', `${flags.out}.pub`],
          ['key id', keyId],
        ])}next: an admin registers the public key, e.g.\n  warden key register NAME --public-key ${flags.out}.pub --teams TEAM --kinds data-check,model-evaluation\n`,
      );
    });

  withOutput(
    key
      .command('register')
      .description(
        'register a public key on the server (admin): evidence it signs is then accepted and named',
      )
      .argument(
        '<name>',
        'the signer name that TrustPolicy documents and decisions use, e.g. credit-pipeline-ci',
      )
      .requiredOption('--public-key <file>', 'the public key (FILE.pub from warden key create)')
      .option('--teams <teams>', 'only for models of these teams, comma-separated (default: any team)')
      .option('--kinds <kinds>', 'only these evidence kinds, comma-separated (default: any kind)'),
  ).action(async (name: string, flags: RegisterFlags) => {
    let publicKey: string;
    try {
      publicKey = await readFile(flags.publicKey, 'utf8');
    } catch (error) {
      throw fileReadError(flags.publicKey, error, 'public key');
    }
    const teams = commaList(flags.teams);
    const kinds = commaList(flags.kinds);
    const registered = await serverClient(flags).call('registerSigningKey', {
      body: {
        name,
        publicKey,
        ...(teams.length > 0 ? { teams } : {}),
        ...(kinds.length > 0 ? { evidenceKinds: kinds as EvidenceKind[] } : {}),
      },
    });
    if (flags.json) return printJson(io, registered);
    io.stdout.write(
      `registered signing key ${registered.name}\n${fields([
        ['key id', registered.keyId],
        ['teams', registered.teams?.join(', ') ?? 'any'],
        ['evidence kinds', registered.evidenceKinds?.join(', ') ?? 'any'],
      ])}`,
    );
  });

  withOutput(key.command('list').description('registered signing keys, revoked ones too')).action(
    async (flags: OutputFlags) => {
      const answer = await serverClient(flags).call('listSigningKeys');
      printList(
        io,
        flags,
        answer,
        answer.keys,
        'no signing keys are registered; an admin adds one with warden key register NAME --public-key FILE.pub\n',
        ['name', 'key id', 'teams', 'evidence kinds', 'registered', 'revoked'],
        (k) => [
          k.name,
          `${k.keyId.slice(0, 16)}…`,
          k.teams?.join(',') ?? 'any',
          k.evidenceKinds?.join(',') ?? 'any',
          `${k.registeredAt} by ${k.registeredBy}`,
          k.revokedAt === null ? dash(null) : `${k.revokedAt} by ${k.revokedBy}`,
        ],
      );
    },
  );

  withOutput(
    key
      .command('revoke')
      .description('revoke a signing key (admin): evidence it signs is refused from now on')
      .argument('<name>', 'the signer name'),
  ).action(async (name: string, flags: OutputFlags) => {
    const revoked = await serverClient(flags).call('revokeSigningKey', { params: { name } });
    if (flags.json) return printJson(io, revoked);
    io.stdout.write(`revoked signing key ${revoked.name} at ${revoked.revokedAt}\n`);
  });
}

/** Writes a new key pair: `out` (private, 0600) and `out.pub`; never overwrites. Returns the key id. */
export async function createKeyFiles(out: string): Promise<string> {
  const pair = createEvidenceKeyPair();
  const write = async (file: string, text: string, mode: number) => {
    try {
      await writeFile(file, text, { mode, flag: 'wx' });
      await chmod(file, mode);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
        throw new WardenError(
          'WARDEN_ERR_USAGE_INVALID_OPTION',
          `${file} exists already; warden key create never overwrites a key (move it away, or pick another --out)`,
          { where: file },
        );
      }
      throw new WardenError(
        'WARDEN_ERR_OUTPUT_UNWRITABLE',
        `${file}: cannot write the key (${(error as NodeJS.ErrnoException).code ?? String(error)}); check the directory exists and is writable`,
        { where: file, cause: error },
      );
    }
  };
  await write(out, pair.privateKeyPem, 0o600);
  await write(`${out}.pub`, pair.publicKeyPem, 0o644);
  return pair.keyId;
}
