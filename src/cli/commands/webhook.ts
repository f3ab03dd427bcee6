import type { Command } from 'commander';
import type { WebhookEvent } from '../../governance/index.js';
import type { CliIo } from '../cli-io.js';
import { commaList, type OutputFlags, withOutput } from '../options.js';
import { serverClient } from '../server-client.js';
import { dash, printJson, printList } from './output.js';

/** `warden webhook add|list|remove|deliveries`: alerts to HTTP receivers. */

export function registerWebhooks(program: Command, io: CliIo): void {
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
      const answer = await serverClient(flags).call('createWebhook', {
        body: {
          name: flags.name,
          url: flags.url,
          // The server checks the event names and lists the known ones.
          events: commaList(flags.events) as WebhookEvent[],
          ...(flags.team ? { team: flags.team } : {}),
          ...(flags.model ? { model: flags.model } : {}),
          ...(flags.slack ? { format: 'slack' as const } : {}),
        },
      });
      if (flags.json) return printJson(io, answer);
      io.stderr.write(
        `warden: webhook ${answer.webhook.id} created; its signing secret is shown once, on stdout (verify the webhook-signature header with it)\n`,
      );
      io.stdout.write(`${answer.secret}\n`);
    },
  );
  withOutput(webhook.command('list').description('webhooks (never their secrets)')).action(
    async (flags: OutputFlags) => {
      const answer = await serverClient(flags).call('listWebhooks');
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
      const removed = await serverClient(flags).call('deleteWebhook', { params: { id } });
      if (flags.json) return printJson(io, removed);
      io.stdout.write(`removed webhook ${removed.id} (${removed.name})\n`);
    },
  );
  withOutput(
    webhook.command('deliveries').description('the delivery log of a webhook').argument('<id>', 'whk_…'),
  ).action(async (id: string, flags: OutputFlags) => {
    const answer = await serverClient(flags).call('listDeliveries', { params: { id } });
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
