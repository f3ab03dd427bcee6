import { Command, type ErrorOptions, type ParseOptionsResult } from 'commander';

/** Commander's internals this class hooks into (not in its typings). */
interface CommandInternals {
  unknownOption(flag: string): never;
  _checkForMissingMandatoryOptions(): void;
}

const internals = Command.prototype as unknown as CommandInternals;

/**
 * A commander Command that reports an unknown option before anything else, as
 * `unknown option --x (did you mean --y?)`: commander reports a missing mandatory option first,
 * which sends a user who mistyped a flag after the wrong fix.
 */
export class StrictCommand extends Command {
  private unknownGiven: string[] = [];

  override createCommand(name?: string): Command {
    return new StrictCommand(name);
  }

  override parseOptions(argv: string[]): ParseOptionsResult {
    const parsed = super.parseOptions(argv);
    this.unknownGiven = parsed.unknown;
    return parsed;
  }

  /** Commander calls this before its own unknown-option check; ours comes first. */
  _checkForMissingMandatoryOptions(): void {
    const [first] = this.unknownGiven;
    if (first?.startsWith('-') && this.commands.length === 0) internals.unknownOption.call(this, first);
    internals._checkForMissingMandatoryOptions.call(this);
  }

  override error(message: string, errorOptions?: ErrorOptions): never {
    if (errorOptions?.code === 'commander.unknownOption') {
      const unknown = /^error: unknown option '(.+?)'(?:\n\(Did you mean (.+?)\?\))?$/.exec(message);
      if (unknown) {
        const suggestion = unknown[2] === undefined ? '' : ` (did you mean ${unknown[2]}?)`;
        return super.error(`error: unknown option ${unknown[1]}${suggestion}`, errorOptions);
      }
    }
    return super.error(message, errorOptions);
  }
}
