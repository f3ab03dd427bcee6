import type { Command } from 'commander';
import { readMonitors } from '../../governance/index.js';
import type { CliIo } from '../cli-io.js';
import { type OutputFlags, withOutput } from '../options.js';
import { serverClient } from '../server-client.js';
import { printJson } from './output.js';

/** `warden monitors set`: the post-deployment monitors a model declares (policies read them). */

export function registerMonitors(program: Command, io: CliIo): void {
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
    // The same reader and schema as `warden gate --monitors` and the server's.
    const list = await readMonitors(file);
    const answer = await serverClient(flags).call('setMonitors', {
      params: { model },
      body: { monitors: list },
    });
    if (flags.json) return printJson(io, answer);
    io.stdout.write(
      `${model}: ${answer.monitors.length} monitor${answer.monitors.length === 1 ? '' : 's'} declared\n`,
    );
  });
}
