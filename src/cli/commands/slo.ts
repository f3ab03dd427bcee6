import { relative } from 'node:path';
import type { Command } from 'commander';
import { parseDuration } from '../../core/index.js';
import {
  alertConditions,
  burnWindows,
  errorBudget,
  loadSloDocuments,
  prometheusRulesYaml,
  type SloDocument,
} from '../../slo/index.js';
import type { CliIo } from '../cli-io.js';
import { type OutputFlags, withOutput } from '../options.js';
import { writeReportFile } from '../report-outputs.js';
import { serverClient } from '../server-client.js';
import { printJson } from './output.js';

/** Below this, a window is shorter than a few scrape intervals and Prometheus' rate() sees nothing in it. */
const shortestPrometheusWindowMs = 60_000;

/** `warden slo rules|check`: service level objectives, their windows, and Prometheus rules for them. */
export function registerSlo(program: Command, io: CliIo): void {
  const slo = program
    .command('slo')
    .description('service level objectives: check a file of them, or turn it into Prometheus alert rules');
  withOutput(
    slo
      .command('set')
      .description('declare a model’s SLOs on the server from a file of ServiceLevelObjective documents')
      .argument('<model>', 'the model')
      .argument('<file>', 'YAML file of one or more ServiceLevelObjective documents'),
  ).action(async (model: string, file: string, flags: OutputFlags) => {
    const slos = await loadSloDocuments(file, { model });
    const answer = await serverClient(flags).call('setSlos', { params: { model }, body: { slos } });
    if (flags.json) return printJson(io, answer);
    io.stdout.write(`${model}: ${answer.slos.length} SLO${answer.slos.length === 1 ? '' : 's'} declared\n`);
  });
  slo
    .command('check')
    .description('validate a file of ServiceLevelObjective documents and show each one’s budget and windows')
    .argument('<file>', 'YAML file of one or more ServiceLevelObjective documents')
    .action(async (file: string) => {
      const slos = await loadSloDocuments(file);
      for (const document of slos) io.stdout.write(`${summary(document)}\n`);
    });
  slo
    .command('rules')
    .description(
      'write the Prometheus recording and alerting rules (multiwindow, multi-burn-rate) of a file of SLOs',
    )
    .argument('<file>', 'YAML file of one or more ServiceLevelObjective documents')
    .option('--output <file>', 'write the rule file here instead of stdout')
    .action(async (file: string, flags: { output?: string }) => {
      const slos = await loadSloDocuments(file);
      const text = prometheusRulesYaml(slos, relative(process.cwd(), file) || file);
      for (const document of slos) {
        const [shortest] = burnWindows(alertConditions(parseDuration(document.spec.period) as number));
        if (shortest !== undefined && shortest.ms < shortestPrometheusWindowMs) {
          io.stderr.write(
            `warden: note: SLO ${document.metadata.name} has a ${shortest.name} window (period ${document.spec.period}); Prometheus needs windows of a few scrape intervals, so use a longer period for these rules\n`,
          );
        }
      }
      if (flags.output === undefined) {
        io.stdout.write(text);
        return;
      }
      await writeReportFile(flags.output, text);
      io.stderr.write(
        `warden: wrote the rules of ${slos.length} SLO${slos.length === 1 ? '' : 's'} to ${flags.output}\n`,
      );
    });
}

/** `fraud-availability  fraud-detector  availability 99.9% over 30d (budget 0.1%)  windows 5m 30m …`. */
function summary(document: SloDocument): string {
  const { spec } = document;
  const indicator = 'latency' in spec.indicator ? `latency ≤ ${spec.indicator.latency.le} s` : 'availability';
  const windows = burnWindows(alertConditions(parseDuration(spec.period) as number)).map(
    (window) => window.name,
  );
  const budget = Number((errorBudget(spec.objective) * 100).toPrecision(12));
  return `${document.metadata.name}  ${spec.model}  ${indicator} ${spec.objective}% over ${spec.period} (budget ${budget}%)  windows ${windows.join(' ')}`;
}
