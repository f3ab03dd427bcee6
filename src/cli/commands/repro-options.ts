import type { Command } from 'commander';
import type { CliIo } from '../cli-io.js';
import type { CheckFileFlags } from '../options.js';

/** `--evidence FILE`: the name capture and check repro also give --json FILE, the evidence file. */
export interface EvidenceFileFlags {
  evidence?: string;
}

export function addEvidenceFileOption(command: Command): Command {
  return command.option(
    '--evidence <file>',
    'write the evidence (JSON) to this file; the same as --json FILE',
  );
}

/** The report flags with --evidence folded into --json. */
export function evidenceFileFlags(flags: CheckFileFlags & EvidenceFileFlags, io: CliIo): CheckFileFlags {
  if (flags.evidence !== undefined && flags.json !== undefined && flags.evidence !== flags.json) {
    io.usageError(
      `--evidence ${flags.evidence} and --json ${flags.json} both name the evidence file; give one`,
    );
  }
  const json = flags.evidence ?? flags.json;
  return { ...flags, ...(json === undefined ? {} : { json }) };
}
