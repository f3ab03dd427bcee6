import type { Command } from 'commander';
import { isWardenError } from '../core/index.js';
import { openLineageRunHooks } from '../openlineage/index.js';
import type { RunHooks } from '../repro/index.js';
import type { CliIo } from './cli-io.js';
import { addOpenLineageOptions, type OpenLineageFlags, openLineageEmitter } from './openlineage-options.js';

/**
 * The observers of `warden capture` and `warden check repro` runs (repro/ `RunHooks`): the one place
 * where options that watch a run are added and turned into hooks. Today: --openlineage.
 */
export interface RunHookFlags extends OpenLineageFlags {}

/** Adds the options that watch a run to a command. */
export function addRunHookOptions(command: Command): Command {
  return addOpenLineageOptions(command);
}

/** The hooks, and `settle`, which reports what they could not do once the evidence is written. */
export interface CommandRunHooks extends RunHooks {
  settle(): Promise<void>;
}

/**
 * The hooks the options ask for. An undelivered START stops the run before the command (exit 3); an
 * undelivered COMPLETE/FAIL does not lose the evidence: `settle` throws it after the command has
 * written and submitted it. An undelivered FAIL for a run stopped by bad input is a warning, so the
 * run's own error is the one reported. With --openlineage-optional every failed delivery only warns.
 */
export async function runHooksFrom(flags: RunHookFlags, io: CliIo): Promise<CommandRunHooks> {
  const emitter = openLineageEmitter(flags, io);
  if (emitter === undefined) return { settle: async () => undefined };
  let undelivered: unknown;
  const hooks = openLineageRunHooks((event) => emitter.emit(event));
  return {
    onStart: hooks.onStart,
    onEnd: async (evidence, run) => {
      try {
        await hooks.onEnd(evidence, run);
      } catch (error) {
        undelivered = error;
      }
    },
    onAbort: async (error, run) => {
      try {
        await hooks.onAbort(error, run);
      } catch (failure) {
        if (!isWardenError(failure)) throw failure;
        io.stderr.write(`warning: ${failure.message}\n`);
      }
    },
    settle: async () => {
      if (undelivered !== undefined) throw undelivered;
    },
  };
}
