import { type ReportView, renderTerminal } from '../../reports/index.js';
import { type CliIo, useColor } from '../cli-io.js';
import type { CheckFileFlags } from '../options.js';
import { writeReports } from '../report-outputs.js';
import { type OutgoingEvidence, writeOutgoingEvidence } from '../signing.js';

/**
 * Writes the evidence (signed, when it is) and reports, prints the terminal report and returns the
 * exit code.
 */
export async function reportCheck(
  outgoing: OutgoingEvidence<{ passed: boolean; producedAt: string }>,
  view: ReportView,
  flags: CheckFileFlags,
  io: CliIo,
): Promise<number> {
  const evidence = outgoing.document;
  if (flags.json) await writeOutgoingEvidence(flags.json, outgoing);
  await writeReports(evidence, view, {
    ...(flags.junit ? { junit: flags.junit } : {}),
    ...(flags.markdown ? { markdown: flags.markdown } : {}),
  });
  const text = renderTerminal(view, { color: useColor(io.stdout), verbose: flags.verbose ?? false });
  io.stdout.write(flags.quiet ? `${text.trimEnd().split('\n').at(-1) ?? ''}\n` : text);
  return evidence.passed ? 0 : 1;
}
