import type { Command } from 'commander';
import { parseDuration } from '../../core/index.js';
import type { RolloutCheck, RolloutRecord } from '../../monitor/index.js';
import type { CliIo } from '../cli-io.js';
import { commaList, type OutputFlags, parseIntegerInRange, usage, withOutput } from '../options.js';
import { serverClient } from '../server-client.js';
import { dash, printJson, printList } from './output.js';

/**
 * `warden rollout start|status|pause|resume|abort|list` and `warden rollback`: canary rollouts run
 * by the control plane, and production moved back by a person (docs/rollouts.md).
 */

interface StartFlags extends OutputFlags {
  version: string;
  steps?: string;
  interval?: string;
  threshold?: string;
  maxNoData?: string;
  minRequests?: string;
  comment?: string;
}

const percent = (value: number | null) => (value === null ? '–' : `${(value * 100).toFixed(2)}%`);
const ms = (seconds: number | null) => (seconds === null ? '–' : `${(seconds * 1000).toFixed(1)} ms`);

function rolloutText(r: RolloutRecord): string {
  const lines = [
    `${r.id}: ${r.model} canary version ${r.version} beside version ${r.stableVersion}: ${r.status}`,
    `  step ${r.step} of ${r.settings.steps.length} (${r.settings.steps.join(', ')}%), canary weight ${r.weight}%, every ${r.settings.intervalSeconds} s`,
    `  failed checks ${r.failedChecks} of ${r.settings.threshold}; intervals without data ${r.noDataChecks} of ${r.settings.maxNoData}`,
  ];
  const check = r.lastCheck;
  if (check !== null) {
    const side = (name: string, t: RolloutCheck['canary']) =>
      t === null
        ? `${name}: no traffic`
        : `${name}: ${t.requests} requests, errors ${percent(t.errorRatio)}, p99 ${ms(t.p99)}`;
    lines.push(`  last check ${check.at}: ${check.outcome}: ${check.reason}`);
    lines.push(`    ${side('canary', check.canary)}; ${side('stable', check.stable)}`);
    if (check.decision !== null) lines.push(`    decision ${check.decision}`);
  }
  if (r.promotion !== null) lines.push(`  promotion ${r.promotion}`);
  if (r.reason !== null && r.status !== 'running')
    lines.push(`  ${r.status === 'rolled-back' ? 'why' : 'note'}: ${r.reason}`);
  return `${lines.join('\n')}\n`;
}

function show(io: CliIo, flags: OutputFlags, record: RolloutRecord): void {
  if (flags.json) printJson(io, record);
  else io.stdout.write(rolloutText(record));
}

function intervalSeconds(text: string): number {
  const ms = parseDuration(text);
  if (ms === undefined || ms % 1000 !== 0 || ms < 1000 || ms > 86_400_000) {
    throw usage(`--interval must be a duration from 1s to 1d such as 30s or 1m, not "${text}"`);
  }
  return ms / 1000;
}

export function registerRollout(program: Command, io: CliIo): void {
  const rollout = program
    .command('rollout')
    .description(
      'canary rollouts: traffic moves to a new version step by step while the runtime gate allows it',
    );
  withOutput(
    rollout
      .command('start')
      .description('start a canary rollout of a version beside the production one (contributor)')
      .argument('<model>', 'the model')
      .requiredOption('--version <v>', 'the canary version (it needs an endpoint)')
      .option('--steps <weights>', 'the canary’s weight at each step, in percent (default 5,10,25,50,100)')
      .option('--interval <duration>', 'time between checks, e.g. 30s, 1m (default 1m)')
      .option('--threshold <n>', 'failed checks that roll the canary back (default 2)')
      .option(
        '--max-no-data <n>',
        'intervals in a row without enough requests that count as a failed check (default 3)',
      )
      .option('--min-requests <n>', 'fewest canary requests for an interval to be judged (default 20)')
      .option('--comment <text>', 'why (kept in the audit log)'),
  ).action(async (model: string, flags: StartFlags) => {
    const steps =
      flags.steps === undefined
        ? undefined
        : commaList(flags.steps).map((w) => parseIntegerInRange('--steps', w, 1, 100));
    const record = await serverClient(flags).call('startRollout', {
      params: { model },
      body: {
        version: flags.version,
        ...(steps === undefined ? {} : { steps }),
        ...(flags.interval === undefined ? {} : { intervalSeconds: intervalSeconds(flags.interval) }),
        ...(flags.threshold === undefined
          ? {}
          : { threshold: parseIntegerInRange('--threshold', flags.threshold, 1, 100) }),
        ...(flags.maxNoData === undefined
          ? {}
          : { maxNoData: parseIntegerInRange('--max-no-data', flags.maxNoData, 1, 100) }),
        ...(flags.minRequests === undefined
          ? {}
          : { minRequests: parseIntegerInRange('--min-requests', flags.minRequests, 1, 1_000_000) }),
        ...(flags.comment === undefined ? {} : { comment: flags.comment }),
      },
    });
    show(io, flags, record);
  });
  withOutput(
    rollout
      .command('status')
      .description('the model’s newest rollout and its last check')
      .argument('<model>', 'the model'),
  ).action(async (model: string, flags: OutputFlags) => {
    const record = await serverClient(flags).call('getRollout', { params: { model } });
    show(io, flags, record);
    io.exitCode = record.status === 'rolled-back' ? 1 : 0;
  });
  for (const verb of ['pause', 'resume'] as const) {
    withOutput(
      rollout
        .command(verb)
        .description(verb === 'pause' ? 'hold a running rollout at its weights' : 'resume a paused rollout')
        .argument('<model>', 'the model')
        .option('--reason <text>', 'why (kept in the audit log)'),
    ).action(async (model: string, flags: OutputFlags & { reason?: string }) => {
      const record = await serverClient(flags).call(`${verb}Rollout`, {
        params: { model },
        body: flags.reason === undefined ? {} : { reason: flags.reason },
      });
      show(io, flags, record);
    });
  }
  withOutput(
    rollout
      .command('abort')
      .description('stop a live rollout: all traffic back on the stable version at once')
      .argument('<model>', 'the model')
      .requiredOption('--reason <text>', 'why (kept in the audit log)'),
  ).action(async (model: string, flags: OutputFlags & { reason: string }) => {
    show(
      io,
      flags,
      await serverClient(flags).call('abortRollout', { params: { model }, body: { reason: flags.reason } }),
    );
  });
  withOutput(
    rollout.command('list').description('live rollouts, newest first').option('--all', 'finished ones too'),
  ).action(async (flags: OutputFlags & { all?: boolean }) => {
    const answer = await serverClient(flags).call('listRollouts', {
      query: flags.all ? { all: 'true' } : {},
    });
    printList(
      io,
      flags,
      answer,
      answer.rollouts,
      flags.all ? 'no rollouts\n' : 'no live rollouts (--all lists finished ones)\n',
      ['id', 'model', 'canary', 'stable', 'status', 'step', 'weight', 'failed', 'started by', 'finished'],
      (r) => [
        r.id,
        r.model,
        r.version,
        r.stableVersion,
        r.status,
        `${r.step}/${r.settings.steps.length}`,
        `${r.weight}%`,
        String(r.failedChecks),
        r.startedBy,
        dash(r.finishedAt),
      ],
    );
  });

  withOutput(
    program
      .command('rollback')
      .description(
        'move production back to its previous holder, or --to a version that served it before (approver); the version taken out is tagged rolled-back',
      )
      .argument('<model>', 'the model')
      .option('--to <version>', 'the version to go back to (default: the previous holder)')
      .requiredOption('--reason <text>', 'why (kept in the audit log and the alert)'),
  ).action(async (model: string, flags: OutputFlags & { to?: string; reason: string }) => {
    const done = await serverClient(flags).call('rollbackModel', {
      params: { model },
      body: { reason: flags.reason, ...(flags.to === undefined ? {} : { to: flags.to }) },
    });
    if (flags.json) printJson(io, done);
    else
      io.stdout.write(
        `${model}: production moved from version ${done.from} to version ${done.to} (${done.id}); version ${done.from} is tagged rolled-back\n`,
      );
  });
}
