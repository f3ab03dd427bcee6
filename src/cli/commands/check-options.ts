import { type ReportView, renderTerminal } from '../../reports/index.js';
import { type CliIo, useColor } from '../cli-io.js';
import type { CheckFileFlags } from '../options.js';
import { writeReportFile, writeReports } from '../report-outputs.js';
import type { OutgoingEvidence } from '../signing.js';

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
  if (flags.json && outgoing.envelope) {
    await writeReportFile(flags.json, `${JSON.stringify(outgoing.envelope, null, 2)}\n`);
  }
  await writeReports(evidence, view, {
    ...(flags.json && !outgoing.envelope ? { json: flags.json } : {}),
    ...(flags.junit ? { junit: flags.junit } : {}),
    ...(flags.markdown ? { markdown: flags.markdown } : {}),
  });
  const text = renderTerminal(view, { color: useColor(io.stdout), verbose: flags.verbose ?? false });
  io.stdout.write(flags.quiet ? `${text.trimEnd().split('\n').at(-1) ?? ''}\n` : text);
  return evidence.passed ? 0 : 1;
}
