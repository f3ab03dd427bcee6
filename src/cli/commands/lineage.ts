import { type Command, Option } from 'commander';
import { type LineageFormat, lineageFormats, renderLineage } from '../../reports/index.js';
import type { CliIo } from '../cli-io.js';
import { type OutputFlags, withOutput } from '../options.js';
import { serverClient } from '../server-client.js';
import { resolveVersion } from '../version-ref.js';

/** `warden lineage`: from a model version back to its run, commit, datasets and their checks, parents. */

interface LineageFlags extends OutputFlags {
  format: LineageFormat;
}

export function registerLineage(program: Command, io: CliIo): void {
  withOutput(
    program
      .command('lineage')
      .description(
        'walk from a model version back to its sources: run, commit, datasets and their checks, reproducibility evidence, upstream runs',
      )
      .argument('<model>', 'the model name, or MODEL@VERSION / MODEL@ALIAS')
      .argument('[version]', 'the version number')
      .addOption(
        new Option(
          '--format <format>',
          'text (a tree), mermaid or dot (a graph), json (the walk; same as --json)',
        )
          .choices(lineageFormats)
          .default('text'),
      ),
  ).action(async (model: string, version: string | undefined, flags: LineageFlags) => {
    const client = serverClient(flags);
    const node = await client.call('getLineage', { params: await resolveVersion(client, model, version) });
    io.stdout.write(renderLineage(node, flags.json ? 'json' : flags.format));
  });
}
