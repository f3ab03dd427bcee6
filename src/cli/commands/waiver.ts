import type { Command } from 'commander';
import type { WaiverRecord } from '../../governance/index.js';
import type { CliIo } from '../cli-io.js';
import { durationOrTime, type OutputFlags, withOutput } from '../options.js';
import { serverClient } from '../server-client.js';
import { dash, fields, printJson, printList } from './output.js';

/** `warden waiver request|approve|reject|revoke|audit|show|list`: time-bound exceptions to a policy. */

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

export function registerWaivers(program: Command, io: CliIo): void {
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
      const record = await serverClient(flags).call('requestWaiver', {
        body: {
          model: flags.model,
          version: flags.version,
          policy: flags.policy,
          reason: flags.reason,
          ...(flags.validation ? { validation: flags.validation } : {}),
          ...durationOrTime(flags.expires, 'expires'),
          ...(flags.auditDue ? durationOrTime(flags.auditDue, 'auditDue') : {}),
        },
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
      const record = await serverClient(flags).call(`${verb}Waiver`, {
        params: { id },
        body: { comment: flags.comment },
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
    const record = await serverClient(flags).call('auditWaiver', {
      params: { id },
      body: { note: flags.note },
    });
    if (flags.json) return printJson(io, record);
    io.stdout.write(waiverView(record));
  });
  withOutput(waiver.command('show').description('one waiver').argument('<id>', 'wvr_…')).action(
    async (id: string, flags: OutputFlags) => {
      const record = await serverClient(flags).call('getWaiver', { params: { id } });
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
    const answer = await serverClient(flags).call('listWaivers', {
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
