import { appendFile, mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { WardenError } from '../core/index.js';
import { type ReportView, renderJunit, renderMarkdown, renderStepSummary } from '../reports/index.js';

export interface ReportFileOptions {
  json?: string;
  junit?: string;
  markdown?: string;
}

/** Writes one report file, creating its directory; a failure is WARDEN_ERR_OUTPUT_UNWRITABLE. */
export async function writeReportFile(file: string, content: string): Promise<void> {
  try {
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, content);
  } catch (error) {
    throw new WardenError(
      'WARDEN_ERR_OUTPUT_UNWRITABLE',
      `${file}: cannot write the report (${(error as NodeJS.ErrnoException).code ?? String(error)}); check the directory exists and is writable`,
      { where: file, cause: error },
    );
  }
}

/**
 * Writes the evidence and its reports where the options say, and appends the Markdown report to
 * GitHub Actions' step summary when the run is inside a workflow.
 */
export async function writeReports(
  evidence: { producedAt: string },
  view: ReportView,
  options: ReportFileOptions,
  env: NodeJS.ProcessEnv = process.env,
): Promise<void> {
  if (options.json) await writeReportFile(options.json, `${JSON.stringify(evidence, null, 2)}\n`);
  if (options.junit) await writeReportFile(options.junit, renderJunit(view, evidence.producedAt));
  if (options.markdown) await writeReportFile(options.markdown, renderMarkdown(view));
  const stepSummary = env['GITHUB_STEP_SUMMARY'];
  if (stepSummary) {
    try {
      await appendFile(stepSummary, renderStepSummary(view));
    } catch (error) {
      throw new WardenError(
        'WARDEN_ERR_OUTPUT_UNWRITABLE',
        `${stepSummary}: cannot append to $GITHUB_STEP_SUMMARY (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
        { where: stepSummary, cause: error },
      );
    }
  }
}
