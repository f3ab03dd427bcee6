import type { Command } from 'commander';
import type { RunHooks } from '../repro/index.js';
import type { CliIo } from './cli-io.js';

/**
 * The observers of `warden capture` and `warden check repro` runs (repro/ `RunHooks`): the one place
 * where options that watch a run (such as emitting OpenLineage events) are added and turned into hooks.
 */
export type RunHookFlags = Record<string, unknown>;

/** Adds the options that watch a run to a command. */
export function addRunHookOptions(command: Command): Command {
  return command;
}

/** The hooks the options ask for; none yet. */
export async function runHooksFrom(_flags: RunHookFlags, _io: CliIo): Promise<RunHooks> {
  return {};
}
