import type { Command } from 'commander';
import type { LabelChangeRecord } from '../../governance/index.js';
import type { CliIo } from '../cli-io.js';
import { collect, commaList, type OutputFlags, parsePairs, withOutput } from '../options.js';
import { serverClient } from '../server-client.js';
import { dash, fields, pairsText, printJson, printList } from './output.js';

/**
 * `warden models label-change request|approve|reject|show|list`: changing a model's protected
 * labels or team is an approver's act; a contributor asks for it and another approver decides.
 */

interface RequestFlags extends OutputFlags {
  label: string[];
  removeLabel: string[];
  /** A team name, false for --no-team, undefined to leave the team alone. */
  team?: string | false;
  reason: string;
}

/** `riskTier: high → low`, one per changed key, and the team move. */
function changeLines(record: LabelChangeRecord): string {
  const { old: before, new: after } = record.labels;
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  const lines = keys
    .filter((key) => before[key] !== after[key])
    .map((key) => `${key}: ${before[key] ?? '(none)'} → ${after[key] ?? '(removed)'}`);
  if (record.team !== null)
    lines.push(`team: ${record.team.old ?? '(none)'} → ${record.team.new ?? '(none)'}`);
  return lines.join('; ');
}

function labelChangeView(record: LabelChangeRecord): string {
  return fields([
    ['label change', record.id],
    ['model', record.model],
    ['state', record.status],
    ['changes', changeLines(record)],
    ['labels then', pairsText(record.labels.old)],
    ['labels asked', pairsText(record.labels.new)],
    ['reason', record.reason],
    ['requested', `${record.requestedAt} by ${record.requestedBy}`],
    [
      'reviewed',
      record.reviewedBy ? `${record.reviewedAt} by ${record.reviewedBy}: ${dash(record.reviewComment)}` : '-',
    ],
  ]);
}

export function registerLabelChanges(models: Command, io: CliIo): void {
  const labelChange = models
    .command('label-change')
    .description(
      'change protected labels (riskTier, domain, team, …) or the team of a model, with four-eyes approval',
    );
  withOutput(
    labelChange
      .command('request')
      .description('ask for a label or team change (contributor); an approver other than you decides')
      .argument('<model>', 'the model')
      .option('--label <key=value>', 'set a label (repeatable, or comma-separated)', collect, [])
      .option('--remove-label <key>', 'remove a label (repeatable, or comma-separated)', collect, [])
      .option('--team <team>', 'move the model to this team')
      .option('--no-team', 'leave the model without a team')
      .requiredOption('--reason <text>', 'why the labels should change (recorded in the audit log)'),
  ).action(async (model: string, flags: RequestFlags) => {
    const labels: Record<string, string | null> = parsePairs('--label', flags.label);
    for (const key of commaList(flags.removeLabel)) labels[key] = null;
    const record = await serverClient(flags).call('requestLabelChange', {
      params: { model },
      body: {
        reason: flags.reason,
        ...(Object.keys(labels).length === 0 ? {} : { labels }),
        ...(flags.team === undefined ? {} : { team: flags.team === false ? null : flags.team }),
      },
    });
    if (flags.json) return printJson(io, record);
    io.stdout.write(
      `${labelChangeView(record)}\nan approver other than you decides it: warden models label-change approve ${record.id} --comment …\n`,
    );
  });
  for (const verb of ['approve', 'reject'] as const) {
    withOutput(
      labelChange
        .command(verb)
        .description(
          `${verb} a label change (approver; not your own request)${verb === 'approve' ? ': applied at once, refused if the labels changed since' : ''}`,
        )
        .argument('<id>', 'lch_…')
        .requiredOption('--comment <text>', 'why (recorded in the audit log)'),
    ).action(async (id: string, flags: OutputFlags & { comment: string }) => {
      const record = await serverClient(flags).call(`${verb}LabelChange`, {
        params: { id },
        body: { comment: flags.comment },
      });
      if (flags.json) return printJson(io, record);
      io.stdout.write(labelChangeView(record));
    });
  }
  withOutput(labelChange.command('show').description('one label change').argument('<id>', 'lch_…')).action(
    async (id: string, flags: OutputFlags) => {
      const record = await serverClient(flags).call('getLabelChange', { params: { id } });
      if (flags.json) return printJson(io, record);
      io.stdout.write(labelChangeView(record));
    },
  );
  withOutput(
    labelChange
      .command('list')
      .description('label-change requests, newest first')
      .option('--model <name>', 'only this model')
      .option('--status <status>', 'pending, approved or rejected'),
  ).action(async (flags: OutputFlags & { model?: string; status?: string }) => {
    const answer = await serverClient(flags).call('listLabelChanges', {
      query: { model: flags.model, status: flags.status },
    });
    printList(
      io,
      flags,
      answer,
      answer.labelChanges,
      'no label changes\n',
      ['id', 'model', 'state', 'changes', 'requested by', 'reviewed by'],
      (r) => [r.id, r.model, r.status, changeLines(r), r.requestedBy, dash(r.reviewedBy)],
    );
  });
}
