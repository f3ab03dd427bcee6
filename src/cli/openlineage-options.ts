import type { Command } from 'commander';
import { isWardenError } from '../core/index.js';
import {
  type CheckRun,
  type CheckRunOptions,
  checkRun,
  openLineageApiKeyVariable,
  openLineageTransport,
  type RunEvent,
} from '../openlineage/index.js';
import type { CliIo } from './cli-io.js';

export interface OpenLineageFlags {
  openlineage?: string;
  openlineageOptional?: boolean;
}

/** --openlineage and --openlineage-optional, for the commands that emit OpenLineage run events. */
export function addOpenLineageOptions(command: Command): Command {
  return command
    .option(
      '--openlineage <file|url>',
      `emit OpenLineage START and COMPLETE/FAIL events: appended to a JSON Lines file, or POSTed to an http(s) endpoint such as http://HOST:5000/api/v1/lineage (bearer token from ${openLineageApiKeyVariable})`,
    )
    .option(
      '--openlineage-optional',
      'warn on stderr instead of failing (exit 3) when an OpenLineage event cannot be delivered',
    );
}

/** Sends events to the --openlineage target; with --openlineage-optional a failed delivery only warns. */
export interface OpenLineageEmitter {
  emit(event: RunEvent): Promise<void>;
}

/** The emitter for the flags, or undefined without --openlineage. A bad target fails at once (exit 2). */
export function openLineageEmitter(
  flags: OpenLineageFlags,
  io: CliIo,
  env: NodeJS.ProcessEnv = process.env,
): OpenLineageEmitter | undefined {
  if (flags.openlineage === undefined) return undefined;
  const transport = openLineageTransport(flags.openlineage, { apiKey: env[openLineageApiKeyVariable] });
  return {
    async emit(event) {
      try {
        await transport.emit(event);
      } catch (error) {
        if (!flags.openlineageOptional || !isWardenError(error)) throw error;
        io.stderr.write(`warning: ${error.message}; carrying on\n`);
      }
    },
  };
}

/**
 * A check run whose START is sent now (before the check runs) and whose COMPLETE/FAIL is sent by
 * `finish`; both do nothing without --openlineage.
 */
export async function startCheckLineage(
  flags: OpenLineageFlags,
  io: CliIo,
  options: CheckRunOptions,
): Promise<{ finish: (evidence: Parameters<CheckRun['finish']>[0]) => Promise<void> }> {
  const emitter = openLineageEmitter(flags, io);
  if (emitter === undefined) return { finish: async () => undefined };
  const run = checkRun(options);
  await emitter.emit(run.start());
  return { finish: (evidence) => emitter.emit(run.finish(evidence)) };
}
