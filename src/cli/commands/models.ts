import type { Command } from 'commander';
import type { ModelDetail } from '../../registry/index.js';
import type { CliIo } from '../cli-io.js';
import { collect, type OutputFlags, parseLimit, parsePairs, withOutput } from '../options.js';
import { serverClient } from '../server-client.js';
import { registerLabelChanges } from './label-changes.js';
import { dash, fields, morePages, pairsText, printJson, printList, table } from './output.js';

/** `warden models create|list|show|label-change`: registered models on the Warden server. */

interface ModelCreateFlags extends OutputFlags {
  description?: string;
  owner?: string;
  team?: string;
  label: string[];
}

interface ModelListFlags extends OutputFlags {
  team?: string;
  label: string[];
  limit?: string;
  pageToken?: string;
}

function modelView(model: ModelDetail): string {
  const text = fields([
    ['name', model.name],
    ['description', dash(model.description)],
    ['owner', dash(model.owner)],
    ['team', dash(model.team)],
    ['labels', pairsText(model.labels)],
    ['versions', model.latestVersion === 0 ? 'none yet' : `1 to ${model.latestVersion}`],
    ['created', `${model.createdAt} by ${model.createdBy}`],
    ['updated', `${model.updatedAt} by ${model.updatedBy}`],
  ]);
  const aliases =
    model.aliases.length === 0
      ? 'aliases: none\n'
      : `\naliases\n${table(
          ['alias', 'version', 'set at', 'set by'],
          model.aliases.map((a) => [a.alias, a.version, a.setAt, a.setBy]),
        )}`;
  return `${text}${aliases}`;
}

export function registerModels(program: Command, io: CliIo): void {
  const models = program.command('models').description('registered models (on the Warden server)');
  withOutput(
    models
      .command('create')
      .description('register a model')
      .argument('<name>', 'the model name, e.g. credit-risk')
      .option('--description <text>', 'what the model does')
      .option('--owner <owner>', 'who answers for it')
      .option('--team <team>', 'the team it belongs to (team-scoped tokens change only their teams’ models)')
      .option(
        '--label <key=value>',
        'a label, e.g. domain=credit (repeatable, or comma-separated)',
        collect,
        [],
      ),
  ).action(async (name: string, flags: ModelCreateFlags) => {
    const labels = parsePairs('--label', flags.label);
    const body = {
      name,
      ...(flags.description === undefined ? {} : { description: flags.description }),
      ...(flags.owner === undefined ? {} : { owner: flags.owner }),
      ...(flags.team === undefined ? {} : { team: flags.team }),
      ...(Object.keys(labels).length === 0 ? {} : { labels }),
    };
    const model = await serverClient(flags).call('createModel', { body });
    if (flags.json) return printJson(io, model);
    io.stdout.write(`created model ${model.name}\n${modelView(model)}`);
  });

  withOutput(
    models
      .command('list')
      .description('list models in name order')
      .option('--team <team>', 'only this team’s models')
      .option(
        '--label <key=value>',
        'only models with this label (repeatable, or comma-separated)',
        collect,
        [],
      )
      .option('--limit <n>', 'at most this many (1–1000; default 100)')
      .option('--page-token <token>', 'continue after the page that printed this token'),
  ).action(async (flags: ModelListFlags) => {
    const labels = parsePairs('--label', flags.label);
    const limit = parseLimit(flags.limit);
    const answer = await serverClient(flags).call('listModels', {
      query: {
        team: flags.team,
        label: Object.entries(labels).map(([key, value]) => `${key}:${value}`),
        limit,
        pageToken: flags.pageToken,
      },
    });
    printList(
      io,
      flags,
      answer,
      answer.models,
      'no models match; register one with warden models create NAME\n',
      ['name', 'team', 'owner', 'versions', 'labels', 'updated'],
      (m) => [m.name, dash(m.team), dash(m.owner), String(m.latestVersion), pairsText(m.labels), m.updatedAt],
    );
    morePages(io, 'models', answer.nextPageToken);
  });

  withOutput(
    models.command('show').description('one model with its aliases').argument('<name>', 'the model name'),
  ).action(async (name: string, flags: OutputFlags) => {
    const model = await serverClient(flags).call('getModel', { params: { model: name } });
    if (flags.json) return printJson(io, model);
    io.stdout.write(modelView(model));
  });
  registerLabelChanges(models, io);
}
