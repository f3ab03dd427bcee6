import { readFile, writeFile } from 'node:fs/promises';
import { relative } from 'node:path';
import type { Command } from 'commander';
import { parse as parseYaml } from 'yaml';
import {
  type AuditEntry,
  type Checkpoint,
  checkpointFromRow,
  entryFromRow,
  type TrustedKey,
  trustedKeyFromPem,
  type VerifiableEntry,
  type VerificationReport,
  verifiableFromEntry,
  verifiableFromRow,
  verifyAuditLog,
} from '../../audit/index.js';
import { fileReadError, WardenError } from '../../core/index.js';
import type {
  AppliedPolicySet,
  DeliveryRecord,
  PromotionRecord,
  WaiverRecord,
  WebhookRecord,
} from '../../governance/index.js';
import { readPolicyFiles } from '../../policy/index.js';
import { decisionView, renderTerminal } from '../../reports/index.js';
import { auditRepository, openStore } from '../../store/index.js';
import { type CliIo, useColor } from '../cli-io.js';
import { type ServerClient, segment, serverClient } from '../server-client.js';
import { dash, fields, type OutputFlags, printJson, printList, withOutput } from './output.js';
import { auditKeyPathFor, databaseUrl } from './server.js';

/**
 * Governance on the server: applying the policy set, promotions and their approvals, waivers,
 * webhooks, and the audit log (verified here, on this machine, never by trusting the server's word).
 */
export function registerGovernance(program: Command, policy: Command, io: CliIo): void {
  withOutput(
    policy
      .command('apply')
      .description('upload a policy set to the server (admin); it becomes the active, numbered version')
      .argument('<dir>', 'the policy set directory (or one YAML file)')
      .option('--revision <rev>', 'what to call this revision (a git commit, a release)'),
  ).action(async (dir: string, flags: OutputFlags & { revision?: string }) => {
    const files = (await readPolicyFiles(dir)).map((file) => ({
      ...file,
      path: relative(process.cwd(), file.path),
    }));
    const applied = await serverClient(flags).request<AppliedPolicySet>('PUT', '/api/v1/policy-set', {
      body: { files, ...(flags.revision ? { revision: flags.revision } : {}) },
    });
    if (flags.json) return printJson(io, applied);
    io.stdout.write(
      `applied policy set version ${applied.version} (revision ${applied.revision}, ${applied.digest.slice(0, 19)}…): ${applied.policies.length} policies, ${applied.bindings.length} bindings\n`,
    );
  });

  registerPromotions(program, io);
  registerWaivers(program, io);
  registerAudit(program, io);
  registerWebhooks(program, io);
  registerMonitors(program, io);
}

// ── promotions ───────────────────────────────────────────────────────────────

function promotionLine(p: PromotionRecord): string {
  const moved = p.previousVersion === null ? '' : ` (was version ${p.previousVersion})`;
  switch (p.status) {
    case 'completed':
      return `${p.model} version ${p.version} is now ${p.alias}${moved}${p.reviewedBy ? `, approved by ${p.reviewedBy}` : ''}`;
    case 'denied':
      return `${p.model} version ${p.version} was NOT promoted to ${p.alias}: the policies deny it`;
    case 'pending':
      return `${p.model} version ${p.version} → ${p.alias} waits for an approver (${p.approvalRequiredBy.join(', ')}): warden promotions approve ${p.id} --comment …`;
    default:
      return `promotion ${p.id} was rejected by ${p.reviewedBy}: ${p.reviewComment ?? ''}`;
  }
}

function showPromotion(io: CliIo, flags: OutputFlags & { verbose?: boolean }, p: PromotionRecord): number {
  if (flags.json) {
    printJson(io, p);
  } else {
    io.stdout.write(
      renderTerminal(decisionView(p.decision, 'the server’s active policy set'), {
        color: useColor(io.stdout),
        verbose: flags.verbose ?? false,
      }),
    );
    io.stdout.write(`\n${p.id}: ${promotionLine(p)}\n`);
  }
  return p.status === 'denied' || p.status === 'rejected' ? 1 : 0;
}

function registerPromotions(program: Command, io: CliIo): void {
  withOutput(
    program
      .command('promote')
      .description(
        'ask the server to point an alias at a version; the policies bound to promote:<alias> decide',
      )
      .argument('<model>', 'the model')
      .argument('<version>', 'the version to promote')
      .requiredOption('--to <alias>', 'the alias, e.g. production or staging')
      .option(
        '--expect <version>',
        'fail unless the alias now points at this version ("none": unset) — for safe concurrent pipelines',
      )
      .option('--comment <text>', 'why (kept with the request)')
      .option('-v, --verbose', 'list passing validations too'),
  ).action(
    async (
      model: string,
      version: string,
      flags: OutputFlags & { to: string; expect?: string; comment?: string; verbose?: boolean },
    ) => {
      const record = await serverClient(flags).post<PromotionRecord>('/api/v1/promotions', {
        model,
        version,
        alias: flags.to,
        ...(flags.expect === undefined
          ? {}
          : { expectedVersion: flags.expect === 'none' ? null : flags.expect }),
        ...(flags.comment === undefined ? {} : { comment: flags.comment }),
      });
      io.exitCode = showPromotion(io, flags, record);
    },
  );

  const promotions = program.command('promotions').description('promotion requests and their approvals');
  withOutput(
    promotions
      .command('list')
      .description('promotion requests, newest first')
      .option('--model <name>', 'only this model')
      .option('--status <status>', 'completed, denied, pending or rejected (pending: the approval queue)'),
  ).action(async (flags: OutputFlags & { model?: string; status?: string }) => {
    const answer = await serverClient(flags).get<{ promotions: PromotionRecord[] }>('/api/v1/promotions', {
      query: { model: flags.model, status: flags.status },
    });
    printList(
      io,
      flags,
      answer,
      answer.promotions,
      'no promotion requests\n',
      ['id', 'model', 'version', 'alias', 'status', 'requested by', 'at', 'reviewed by'],
      (p) => [p.id, p.model, p.version, p.alias, p.status, p.requestedBy, p.requestedAt, dash(p.reviewedBy)],
    );
  });
  withOutput(
    promotions
      .command('show')
      .description('one promotion with its decision')
      .argument('<id>', 'prm_…')
      .option('-v, --verbose', 'list passing validations too'),
  ).action(async (id: string, flags: OutputFlags & { verbose?: boolean }) => {
    showPromotion(
      io,
      flags,
      await serverClient(flags).get<PromotionRecord>(`/api/v1/promotions/${segment(id)}`),
    );
  });
  for (const verb of ['approve', 'reject'] as const) {
    withOutput(
      promotions
        .command(verb)
        .description(
          `${verb} a pending promotion (approver; not your own request, nor a version you registered)`,
        )
        .argument('<id>', 'prm_…')
        .requiredOption('--comment <text>', 'why (recorded in the audit log)'),
    ).action(async (id: string, flags: OutputFlags & { comment: string }) => {
      const record = await serverClient(flags).post<PromotionRecord>(
        `/api/v1/promotions/${segment(id)}/${verb}`,
        { comment: flags.comment },
      );
      io.exitCode = showPromotion(io, flags, record);
    });
  }
}

// ── waivers ──────────────────────────────────────────────────────────────────

function waiverState(w: WaiverRecord): string {
  if (w.status !== 'approved') return w.status;
  return w.expired ? 'expired' : 'active';
}

function waiverView(w: WaiverRecord): string {
  return fields([
    ['waiver', w.id],
    [
      'for',
      `${w.model} version ${w.version}: ${w.policy}${w.validation ? `/${w.validation}` : ' (every validation)'}`,
    ],
    ['state', waiverState(w)],
    ['reason', w.reason],
    ['requested', `${w.requestedAt} by ${w.requestedBy}`],
    ['decided', w.decidedBy ? `${w.decidedAt} by ${w.decidedBy}: ${dash(w.decisionComment)}` : '-'],
    ['expires', w.expiresAt],
    ['audit due', `${w.auditDueAt}${w.auditOverdue ? ' (OVERDUE)' : ''}`],
    ['audited', w.auditedBy ? `${w.auditedAt} by ${w.auditedBy}: ${dash(w.auditNote)}` : '-'],
    ['serving as', w.servingAs.join(', ') || '-'],
  ]);
}

function registerWaivers(program: Command, io: CliIo): void {
  const waiver = program
    .command('waiver')
    .description('time-bound exceptions to a policy, with four-eyes approval');
  withOutput(
    waiver
      .command('request')
      .description(
        'request a waiver (contributor): a failing validation counts as waived while it is approved and unexpired',
      )
      .requiredOption('--model <name>', 'the model')
      .requiredOption('--version <version>', 'the version')
      .requiredOption('--policy <name>', 'the policy to waive')
      .option('--validation <name>', 'only this validation of the policy')
      .requiredOption('--reason <text>', 'why the exception is acceptable and what compensates for it')
      .requiredOption('--expires <when>', 'a duration (14d, 12h, 2w; at most 90d) or an ISO-8601 time')
      .option('--audit-due <when>', 'when the post-deployment audit is due (default: the expiry)'),
  ).action(
    async (
      flags: OutputFlags & {
        model: string;
        version: string;
        policy: string;
        validation?: string;
        reason: string;
        expires: string;
        auditDue?: string;
      },
    ) => {
      const when = (value: string, field: string) =>
        /^\d+[mhdw]$/.test(value) ? { [`${field}In`]: value } : { [`${field}At`]: value };
      const record = await serverClient(flags).post<WaiverRecord>('/api/v1/waivers', {
        model: flags.model,
        version: flags.version,
        policy: flags.policy,
        reason: flags.reason,
        ...(flags.validation ? { validation: flags.validation } : {}),
        ...when(flags.expires, 'expires'),
        ...(flags.auditDue ? when(flags.auditDue, 'auditDue') : {}),
      });
      if (flags.json) return printJson(io, record);
      io.stdout.write(
        `${waiverView(record)}\nan approver other than you decides it: warden waiver approve ${record.id} --comment …\n`,
      );
    },
  );
  for (const verb of ['approve', 'reject', 'revoke'] as const) {
    withOutput(
      waiver
        .command(verb)
        .description(
          `${verb} a waiver (approver${verb === 'revoke' ? '' : '; not your own request, nor for a version you registered'})`,
        )
        .argument('<id>', 'wvr_…')
        .requiredOption('--comment <text>', 'why (recorded in the audit log)'),
    ).action(async (id: string, flags: OutputFlags & { comment: string }) => {
      const record = await serverClient(flags).post<WaiverRecord>(`/api/v1/waivers/${segment(id)}/${verb}`, {
        comment: flags.comment,
      });
      if (flags.json) return printJson(io, record);
      io.stdout.write(waiverView(record));
    });
  }
  withOutput(
    waiver
      .command('audit')
      .description(
        'record the post-deployment audit of an approved waiver as done (approver, not the requester)',
      )
      .argument('<id>', 'wvr_…')
      .requiredOption('--note <text>', 'what the audit found'),
  ).action(async (id: string, flags: OutputFlags & { note: string }) => {
    const record = await serverClient(flags).post<WaiverRecord>(`/api/v1/waivers/${segment(id)}/audit`, {
      note: flags.note,
    });
    if (flags.json) return printJson(io, record);
    io.stdout.write(waiverView(record));
  });
  withOutput(waiver.command('show').description('one waiver').argument('<id>', 'wvr_…')).action(
    async (id: string, flags: OutputFlags) => {
      const record = await serverClient(flags).get<WaiverRecord>(`/api/v1/waivers/${segment(id)}`);
      if (flags.json) return printJson(io, record);
      io.stdout.write(waiverView(record));
    },
  );
  withOutput(
    waiver
      .command('list')
      .description('waivers, newest first')
      .option('--model <name>', 'only this model')
      .option('--status <status>', 'requested, approved, rejected or revoked')
      .option(
        '--overdue',
        'only expired waivers and overdue audits on serving versions (exits 1 when there are any)',
      ),
  ).action(async (flags: OutputFlags & { model?: string; status?: string; overdue?: boolean }) => {
    const answer = await serverClient(flags).get<{ waivers: WaiverRecord[] }>('/api/v1/waivers', {
      query: { model: flags.model, status: flags.status, overdue: flags.overdue ? 'true' : undefined },
    });
    printList(
      io,
      flags,
      answer,
      answer.waivers,
      flags.overdue ? 'nothing overdue\n' : 'no waivers\n',
      ['id', 'model', 'version', 'policy', 'state', 'expires', 'audit due', 'serving', 'requested by'],
      (w) => [
        w.id,
        w.model,
        w.version,
        `${w.policy}${w.validation ? `/${w.validation}` : ''}`,
        waiverState(w),
        w.expiresAt,
        `${w.auditDueAt}${w.auditOverdue ? ' OVERDUE' : ''}`,
        w.servingAs.join(',') || '-',
        w.requestedBy,
      ],
    );
    if (flags.overdue && answer.waivers.length > 0) io.exitCode = 1;
  });
}

// ── audit ────────────────────────────────────────────────────────────────────

export interface AuditFlags extends OutputFlags {
  db?: string | true;
  publicKey: string[];
  auditKey?: string;
}

const pageSize = 10_000;

/** The log's entries and checkpoints, read from the server's API or straight from a database. */
interface AuditSource {
  pages(): AsyncIterable<VerifiableEntry[]>;
  entries(): AsyncIterable<AuditEntry[]>;
  checkpoints(): Promise<Checkpoint[]>;
  trustedKeys(): Promise<TrustedKey[]>;
  close(): Promise<void>;
}

async function readKey(path: string): Promise<TrustedKey> {
  let pem: string;
  try {
    pem = await readFile(path, 'utf8');
  } catch (error) {
    throw fileReadError(path, error, 'key');
  }
  return trustedKeyFromPem(pem, path);
}

async function auditSource(flags: AuditFlags, server?: ServerClient): Promise<AuditSource> {
  const given = await Promise.all(flags.publicKey.map(readKey));
  if (flags.db !== undefined) {
    const url = databaseUrl(flags.db === true ? undefined : flags.db);
    const store = await openStore(url, { migrate: false });
    const rows = async function* () {
      for (let after = 0; ; ) {
        const page = await auditRepository.page(store.db, after, pageSize);
        if (page.length === 0) return;
        yield page;
        after = page.at(-1)?.seq ?? after;
      }
    };
    return {
      async *pages() {
        for await (const page of rows()) yield page.map(verifiableFromRow);
      },
      async *entries() {
        for await (const page of rows()) yield page.map(entryFromRow);
      },
      checkpoints: async () => (await auditRepository.checkpoints(store.db)).map(checkpointFromRow),
      trustedKeys: async () =>
        given.length > 0 ? given : [await readKey(flags.auditKey ?? auditKeyPathFor(url))],
      close: () => store.close(),
    };
  }
  const client = server ?? serverClient(flags);
  const entries = async function* () {
    for (let after = 0; ; ) {
      const answer = await client.get<{ entries: AuditEntry[]; nextAfter?: number }>('/api/v1/audit', {
        query: { after, limit: pageSize },
      });
      if (answer.entries.length > 0) yield answer.entries;
      if (answer.nextAfter === undefined) return;
      after = answer.nextAfter;
    }
  };
  return {
    async *pages() {
      for await (const page of entries()) yield page.map(verifiableFromEntry);
    },
    entries,
    checkpoints: async () =>
      (await client.get<{ checkpoints: Checkpoint[] }>('/api/v1/audit/checkpoints')).checkpoints,
    trustedKeys: async () => {
      if (given.length > 0) return given;
      const published = await client.get<{ publicKey: string }>('/api/v1/audit/public-key');
      return [trustedKeyFromPem(published.publicKey, `${client.baseUrl}/api/v1/audit/public-key`)];
    },
    close: async () => undefined,
  };
}

function verificationText(report: VerificationReport, where: string): string {
  const checkpoints = `${report.checkpoints.matched} of ${report.checkpoints.total} signed checkpoint${report.checkpoints.total === 1 ? '' : 's'} matched`;
  if (report.ok) {
    return `audit log verified (${where}): ${report.entries} entries, unbroken from entry 1${report.head ? ` to ${report.head.seq} (head ${report.head.hash.slice(0, 19)}…)` : ''}; ${checkpoints}\n`;
  }
  const problem = report.problem as NonNullable<VerificationReport['problem']>;
  return `AUDIT LOG BROKEN (${where}) at entry ${problem.seq} [${problem.kind}]: ${problem.message}\n${report.entries} entries verified before it; ${checkpoints}\n`;
}

/** Verifies the log from the server or a database and prints the verdict; 0 intact, 1 broken. */
export async function verifyAudit(flags: AuditFlags, io: CliIo, server?: ServerClient): Promise<number> {
  const source = await auditSource(flags, server);
  try {
    const report = await verifyAuditLog(
      source.pages(),
      await source.checkpoints(),
      await source.trustedKeys(),
    );
    if (flags.json) printJson(io, report);
    else io.stdout.write(verificationText(report, flags.db !== undefined ? 'database' : 'server'));
    return report.ok ? 0 : 1;
  } finally {
    await source.close();
  }
}

function registerAudit(program: Command, io: CliIo): void {
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
        (value: string, previous: string[]) => [...previous, value],
        [],
      )
      .option(
        '--audit-key <file>',
        'with --db: the server’s key file (default: audit-signing.key beside the SQLite file, else .warden/)',
      );
  sourceOptions(
    audit
      .command('verify')
      .description(
        'recompute the hash chain from entry 1 and check every signed checkpoint; exits 1 at the first broken entry',
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
    const source = await auditSource(flags);
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
    const answer = await serverClient(flags).post<{ checkpoint: Checkpoint | null }>(
      '/api/v1/audit/checkpoints',
      undefined,
    );
    if (flags.json) return printJson(io, answer);
    io.stdout.write(
      answer.checkpoint
        ? `signed checkpoint at entry ${answer.checkpoint.seq} (${answer.checkpoint.keyId})\n`
        : 'the head is already signed\n',
    );
  });
}

// ── webhooks ─────────────────────────────────────────────────────────────────

function registerWebhooks(program: Command, io: CliIo): void {
  const webhook = program
    .command('webhook')
    .description('alerts to HTTP receivers (admin): signed JSON, or Slack-compatible text');
  withOutput(
    webhook
      .command('add')
      .description('send events to a URL; prints the signing secret once')
      .requiredOption('--name <name>', 'a name for people')
      .requiredOption('--url <url>', 'where to POST')
      .requiredOption(
        '--events <list>',
        'comma-separated events (gate.denied, version.tagged, waiver.requested, …) or *',
      )
      .option('--team <team>', 'only events about this team’s models')
      .option('--model <name>', 'only events about this model')
      .option('--slack', 'send Slack-compatible {"text": …} bodies'),
  ).action(
    async (
      flags: OutputFlags & {
        name: string;
        url: string;
        events: string;
        team?: string;
        model?: string;
        slack?: boolean;
      },
    ) => {
      const answer = await serverClient(flags).post<{ webhook: WebhookRecord; secret: string }>(
        '/api/v1/webhooks',
        {
          name: flags.name,
          url: flags.url,
          events: flags.events
            .split(',')
            .map((e) => e.trim())
            .filter(Boolean),
          ...(flags.team ? { team: flags.team } : {}),
          ...(flags.model ? { model: flags.model } : {}),
          ...(flags.slack ? { format: 'slack' } : {}),
        },
      );
      if (flags.json) return printJson(io, answer);
      io.stderr.write(
        `warden: webhook ${answer.webhook.id} created; its signing secret is shown once, on stdout (verify the webhook-signature header with it)\n`,
      );
      io.stdout.write(`${answer.secret}\n`);
    },
  );
  withOutput(webhook.command('list').description('webhooks (never their secrets)')).action(
    async (flags: OutputFlags) => {
      const answer = await serverClient(flags).get<{ webhooks: WebhookRecord[] }>('/api/v1/webhooks');
      printList(
        io,
        flags,
        answer,
        answer.webhooks,
        'no webhooks\n',
        ['id', 'name', 'events', 'team', 'model', 'format'],
        (w) => [w.id, w.name, w.events.join(','), dash(w.team), dash(w.model), w.format],
      );
    },
  );
  withOutput(webhook.command('remove').description('remove a webhook').argument('<id>', 'whk_…')).action(
    async (id: string, flags: OutputFlags) => {
      const removed = await serverClient(flags).delete<WebhookRecord>(`/api/v1/webhooks/${segment(id)}`);
      if (flags.json) return printJson(io, removed);
      io.stdout.write(`removed webhook ${removed.id} (${removed.name})\n`);
    },
  );
  withOutput(
    webhook.command('deliveries').description('the delivery log of a webhook').argument('<id>', 'whk_…'),
  ).action(async (id: string, flags: OutputFlags) => {
    const answer = await serverClient(flags).get<{ deliveries: DeliveryRecord[] }>(
      `/api/v1/webhooks/${segment(id)}/deliveries`,
    );
    printList(
      io,
      flags,
      answer,
      answer.deliveries,
      'no deliveries yet\n',
      ['id', 'event', 'status', 'attempts', 'last status', 'last error', 'created', 'delivered'],
      (d) => [
        d.id,
        d.event,
        d.status,
        String(d.attempts),
        d.lastStatus === null ? '-' : String(d.lastStatus),
        dash(d.lastError),
        d.createdAt,
        dash(d.deliveredAt),
      ],
    );
  });
}

// ── monitors ─────────────────────────────────────────────────────────────────

function registerMonitors(program: Command, io: CliIo): void {
  const monitors = program
    .command('monitors')
    .description('the post-deployment monitors a model declares (policies read them)');
  withOutput(
    monitors
      .command('set')
      .description('declare a model’s monitors from a YAML or JSON list')
      .argument('<model>', 'the model')
      .argument('<file>', 'the monitors file'),
  ).action(async (model: string, file: string, flags: OutputFlags) => {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      throw fileReadError(file, error, 'monitors');
    }
    let list: unknown;
    try {
      list = parseYaml(text);
    } catch (error) {
      throw new WardenError(
        'WARDEN_ERR_USAGE_INVALID_OPTION',
        `${file}: not valid YAML or JSON (${(error as Error).message.split('\n')[0]})`,
      );
    }
    if (!Array.isArray(list)) {
      throw new WardenError(
        'WARDEN_ERR_USAGE_INVALID_OPTION',
        `${file}: holds no list; write one monitor per item (name, signals, owner)`,
      );
    }
    const answer = await serverClient(flags).request<{ monitors: unknown[] }>(
      'PUT',
      `/api/v1/models/${segment(model)}/monitors`,
      { body: { monitors: list } },
    );
    if (flags.json) return printJson(io, answer);
    io.stdout.write(
      `${model}: ${answer.monitors.length} monitor${answer.monitors.length === 1 ? '' : 's'} declared\n`,
    );
  });
}
