import {
  type AuditSource,
  apiAuditSource,
  type Checkpoint,
  databaseAuditSource,
  openWitness,
  readTrustedKey,
  readWitnessed,
  trustedKeyFromPem,
  type VerificationReport,
  verifyAuditSource,
  type Witness,
} from '../audit/index.js';
import { apiRoutes, serverKeyFiles } from '../server/index.js';
import type { CliIo } from './cli-io.js';
import { printJson } from './commands/output.js';
import { databaseUrl } from './database-url.js';
import type { OutputFlags } from './options.js';
import { type ServerClient, serverClient } from './server-client.js';

/** Where `warden audit verify|export` (and the demo) read the log: --db, else the server. */
export interface AuditFlags extends OutputFlags {
  db?: string | true;
  publicKey: string[];
  auditKey?: string;
  /** `audit verify` only: the witnesses to check against. */
  witness?: string[];
}

/** The audit log of --db (a database read directly) or of the server (`server`, else --server). */
export async function openAuditSource(flags: AuditFlags, server?: ServerClient): Promise<AuditSource> {
  const given = await Promise.all(flags.publicKey.map(readTrustedKey));
  if (flags.db !== undefined) {
    const url = databaseUrl(flags.db === true ? undefined : flags.db);
    const keys = serverKeyFiles(url, { auditKey: flags.auditKey });
    // Reading the public half from where earlier releases kept the key is harmless; the server
    // refuses to sign with it there.
    return databaseAuditSource(url, given, keys.legacyAuditKeyPath ?? keys.auditKeyPath);
  }
  const client = server ?? serverClient(flags);
  return apiAuditSource(
    {
      entriesAfter: (after, limit) => client.call('listAudit', { query: { after, limit } }),
      checkpoints: async () => (await client.call('listCheckpoints')).checkpoints,
      publishedKey: async () =>
        trustedKeyFromPem(
          (await client.call('getAuditPublicKey')).publicKey,
          `${client.baseUrl}${apiRoutes.getAuditPublicKey.path}`,
        ),
    },
    given,
  );
}

async function readWitnesses(specs: readonly string[]): Promise<Checkpoint[]> {
  const witnesses: Witness[] = [];
  try {
    for (const spec of specs) witnesses.push(await openWitness(spec));
    return await readWitnessed(witnesses);
  } finally {
    await Promise.all(witnesses.map((witness) => witness.close()));
  }
}

function verificationText(report: VerificationReport, where: string): string {
  const checkpoints = `${report.checkpoints.matched} of ${report.checkpoints.total} signed checkpoint${report.checkpoints.total === 1 ? '' : 's'} matched${report.witnessed ? `; ${report.witnessed.total} witnessed checkpoint${report.witnessed.total === 1 ? '' : 's'} held` : ''}`;
  if (report.ok) {
    return `audit log verified (${where}): ${report.entries} entries, unbroken from entry 1${report.head ? ` to ${report.head.seq} (head ${report.head.hash.slice(0, 19)}…)` : ''}; ${checkpoints}\n`;
  }
  const problem = report.problem as NonNullable<VerificationReport['problem']>;
  return `AUDIT LOG BROKEN (${where}) at entry ${problem.seq} [${problem.kind}]: ${problem.message}\n${report.entries} entries verified before it; ${checkpoints}\n`;
}

/** Verifies the log from the server or a database and prints the verdict; 0 intact, 1 broken. */
export async function verifyAudit(flags: AuditFlags, io: CliIo, server?: ServerClient): Promise<number> {
  const witnessed = await readWitnesses(flags.witness ?? []);
  const source = await openAuditSource(flags, server);
  try {
    const report = await verifyAuditSource(source, witnessed);
    if (flags.json) printJson(io, report);
    else io.stdout.write(verificationText(report, flags.db !== undefined ? 'database' : 'server'));
    return report.ok ? 0 : 1;
  } finally {
    await source.close();
  }
}
