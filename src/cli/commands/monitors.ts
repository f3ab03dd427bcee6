import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { fileReadError, parseYamlData, WardenError } from '../../core/index.js';
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
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      throw fileReadError(file, error, 'monitors');
    }
    let list: unknown;
    try {
      list = parseYamlData(text);
    } catch (error) {
      throw new WardenError(
        'WARDEN_ERR_GATE_INVALID_INPUT',
        `${file}: not valid YAML or JSON (${(error as Error).message.split('\n')[0]})`,
      );
    }
    if (!Array.isArray(list)) {
      throw new WardenError(
        'WARDEN_ERR_USAGE_INVALID_OPTION',
        `${file}: holds no list; write one monitor per item (name, signals, owner)`,
      );
    }
    const answer = await serverClient(flags).call('setMonitors', {
      params: { model },
      // The server checks each monitor and names the wrong field.
      body: { monitors: list as Record<string, unknown>[] },
    });
    if (flags.json) return printJson(io, answer);
    io.stdout.write(
      `${model}: ${answer.monitors.length} monitor${answer.monitors.length === 1 ? '' : 's'} declared\n`,
    );
  });
}
