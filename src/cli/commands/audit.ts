import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { type AuditFlags, openAuditSource, verifyAudit } from '../audit-verification.js';
import type { CliIo } from '../cli-io.js';
import { collect, type OutputFlags, withOutput } from '../options.js';
import { serverClient } from '../server-client.js';
import { printJson } from './output.js';

/**
 * `warden audit verify|export|checkpoint`: the hash-chained audit log, verified here, on this
 * machine, never by trusting the server's word.
 */

export function registerAudit(program: Command, io: CliIo): void {
  const audit = program.command('audit').description('the hash-chained audit log: verify it, export it');
  const sourceOptions = (command: Command) =>
    withOutput(command)
      .option(
        '--db [url]',
        'read the database directly instead of the server (default WARDEN_DATABASE_URL, else the embedded SQLite file)',
      )
      .option(
        '--public-key <file>',
        'a trusted public key (PEM) for the checkpoints; repeatable (default: the server’s published key, or with --db the server’s key file)',
        collect,
        [],
      )
      .option(
        '--audit-key <file>',
        'with --db: the server’s key file (WARDEN_AUDIT_KEY; default: the one warden server uses for that database, under $XDG_CONFIG_HOME/warden/keys/ or ~/.config/warden/keys/)',
      );
  sourceOptions(
    audit
      .command('verify')
      .description(
        'recompute the hash chain from entry 1 and check every signed checkpoint; exits 1 at the first broken entry',
      )
      .option(
        '--witness <witness>',
        'also check the checkpoints a witness holds (file:PATH or nats://HOST:PORT/SUBJECT, as given to the server with --audit-witness): catches a log cut or re-signed; repeatable',
        collect,
        [],
      ),
  ).action(async (flags: AuditFlags) => {
    io.exitCode = await verifyAudit(flags, io);
  });
  sourceOptions(
    audit
      .command('export')
      .description('write the audit log as JSON Lines, one entry per line, in order')
      .option('--out <file>', 'write here instead of stdout'),
  ).action(async (flags: AuditFlags & { out?: string }) => {
    const source = await openAuditSource(flags);
    try {
      const lines: string[] = [];
      for await (const page of source.entries()) for (const entry of page) lines.push(JSON.stringify(entry));
      const text = lines.length === 0 ? '' : `${lines.join('\n')}\n`;
      if (flags.out) {
        await writeFile(flags.out, text);
        io.stderr.write(`warden: wrote ${lines.length} audit entries to ${flags.out}\n`);
      } else {
        io.stdout.write(text);
      }
    } finally {
      await source.close();
    }
  });
  withOutput(
    audit.command('checkpoint').description('have the server sign the current head of the log now (admin)'),
  ).action(async (flags: OutputFlags) => {
    const answer = await serverClient(flags).call('createCheckpoint');
    if (flags.json) return printJson(io, answer);
    io.stdout.write(
      answer.checkpoint
        ? `signed checkpoint at entry ${answer.checkpoint.seq} (${answer.checkpoint.keyId})\n`
        : 'the head is already signed\n',
    );
  });
}
