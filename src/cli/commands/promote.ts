import type { Command } from 'commander';
import type { PromotionRecord } from '../../governance/index.js';
import { decisionView, renderTerminal } from '../../reports/index.js';
import { type CliIo, useColor } from '../cli-io.js';
import type { OutputFlags } from '../options.js';
import { withOutput } from '../options.js';
import { serverClient } from '../server-client.js';
import { dash, printJson, printList } from './output.js';

/**
 * `warden promote` and `warden promotions list|show|approve|reject`: the server points an alias at a
 * version when the policies bound to promote:<alias> allow it, after an approval where they ask one.
 */

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

export function registerPromotions(program: Command, io: CliIo): void {
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
      const record = await serverClient(flags).call('requestPromotion', {
        body: {
          model,
          version,
          alias: flags.to,
          ...(flags.expect === undefined
            ? {}
            : { expectedVersion: flags.expect === 'none' ? null : flags.expect }),
          ...(flags.comment === undefined ? {} : { comment: flags.comment }),
        },
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
    const answer = await serverClient(flags).call('listPromotions', {
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
    showPromotion(io, flags, await serverClient(flags).call('getPromotion', { params: { id } }));
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
      const record = await serverClient(flags).call(`${verb}Promotion`, {
        params: { id },
        body: { comment: flags.comment },
      });
      io.exitCode = showPromotion(io, flags, record);
    });
  }
}
