import { relative } from 'node:path';
import type { Command } from 'commander';
import {
  compilePolicySet,
  lintPolicySet,
  loadPolicySet,
  readPolicyFiles,
  runPolicyTests,
} from '../../policy/index.js';
import { policyTestView, renderTerminal } from '../../reports/index.js';
import { type CliIo, useColor } from '../cli-io.js';
import { addReportFileOptions, type OutputFlags, withOutput } from '../options.js';
import { writeReportFile, writeReports } from '../report-outputs.js';
import { serverClient } from '../server-client.js';
import { printJson } from './output.js';

interface PolicyTestFlags {
  run?: string;
  junit?: string;
  json?: string;
  markdown?: string;
  failOnEmpty?: boolean;
  verbose?: boolean;
}

/** `warden policy lint|test` on local files, and `policy apply` to the server. */
export function registerPolicy(program: Command, io: CliIo): void {
  const policy = program.command('policy').description('check and test a policy set');
  policy
    .command('lint')
    .description('check a policy set: documents, CEL syntax, unknown names and functions, unsafe constructs')
    .argument('<dir>', 'the policy set directory (or one YAML file)')
    .action(async (dir: string) => {
      io.exitCode = await lint(dir, io);
    });
  const testCommand = policy
    .command('test')
    .description('run the PolicyTest cases of a policy set (expected outcome per validation)')
    .argument('<dir>', 'the policy set directory, tests included')
    .option('--run <regex>', 'run only the cases whose "suite / case" name matches')
    .option('--fail-on-empty', 'fail when no case runs');
  addReportFileOptions(testCommand, 'the results')
    .option('-v, --verbose', 'list passing cases too')
    .action(async (dir: string, flags: PolicyTestFlags) => {
      io.exitCode = await test(dir, flags, io);
    });
  withOutput(
    policy
      .command('apply')
      .description('upload a policy set to the server (admin); it becomes the active, numbered version')
      .argument('<dir>', 'the policy set directory (or one YAML file)')
      .option('--revision <rev>', 'what to call this revision (a git commit, a release)'),
  ).action(async (dir: string, flags: OutputFlags & { revision?: string }) => {
    const files = (await readPolicyFiles(dir)).map((file) => ({
      ...file,
      path: relative(process.cwd(), file.path),
    }));
    const applied = await serverClient(flags).call('applyPolicySet', {
      body: { files, ...(flags.revision ? { revision: flags.revision } : {}) },
    });
    if (flags.json) return printJson(io, applied);
    io.stdout.write(
      `applied policy set version ${applied.version} (revision ${applied.revision}, ${applied.digest.slice(0, 19)}…): ${applied.policies.length} policies, ${applied.bindings.length} bindings\n`,
    );
  });
}

async function lint(dir: string, io: CliIo): Promise<number> {
  const set = await loadPolicySet(dir);
  const findings = lintPolicySet(set);
  const errors = findings.filter((finding) => finding.level === 'error');
  for (const finding of findings) {
    io.stdout.write(`${finding.where}: ${finding.level}: ${finding.message}\n`);
  }
  const validations = set.policies.reduce(
    (total, policy) => total + policy.document.spec.validations.length,
    0,
  );
  io.stdout.write(
    `${errors.length ? 'FAILED' : 'OK'}  ${set.policies.length} policies, ${validations} validations, ${set.bindings.length} bindings, ${set.tests.length} test suites: ${errors.length} errors, ${findings.length - errors.length} warnings (digest ${set.digest})\n`,
  );
  return errors.length ? 2 : 0;
}

async function test(dir: string, flags: PolicyTestFlags, io: CliIo): Promise<number> {
  let filter: RegExp | undefined;
  if (flags.run !== undefined) {
    try {
      filter = new RegExp(flags.run);
    } catch (error) {
      io.usageError(
        `--run ${JSON.stringify(flags.run)} is not a regular expression: ${(error as Error).message}`,
      );
    }
  }
  const set = await loadPolicySet(dir);
  const compiled = compilePolicySet(set);
  const report = runPolicyTests(compiled, filter ? { filter } : {});
  const view = policyTestView(report, dir, set.revision);
  const producedAt = new Date().toISOString();
  await writeReports({ producedAt }, view, {
    ...(flags.junit ? { junit: flags.junit } : {}),
    ...(flags.markdown ? { markdown: flags.markdown } : {}),
  });
  if (flags.json)
    await writeReportFile(
      flags.json,
      `${JSON.stringify({ policySet: { digest: set.digest, revision: set.revision }, ...report }, null, 2)}\n`,
    );
  io.stdout.write(renderTerminal(view, { color: useColor(io.stdout), verbose: flags.verbose ?? false }));
  if (report.summary.total === 0 && flags.failOnEmpty) {
    io.stderr.write(
      `warden: no policy test case ran in ${dir}${filter ? ` matching ${flags.run}` : ''} (--fail-on-empty)\n`,
    );
    return 1;
  }
  return report.summary.failed > 0 ? 1 : 0;
}
