import type { Command } from 'commander';
import { loadGatewayConfig, openSnapshotBus, SnapshotAggregator } from '../../gateway/index.js';
import type { CliIo } from '../cli-io.js';
import { parseIntegerInRange } from '../options.js';
import {
  evidenceDirHelp,
  serverSubmitHelp,
  signKeyHelp,
  type WindowRecordingFlags,
  windowRecording,
} from '../window-recording.js';

/** `warden monitor aggregate`: one judge for the window snapshots of several gateway replicas. */

interface AggregateFlags extends WindowRecordingFlags {
  config: string;
  nats?: string;
  graceSeconds?: string;
}

export function registerMonitor(program: Command, io: CliIo): void {
  const monitor = program
    .command('monitor')
    .description('runtime monitoring of served models (declared monitors are `warden monitors`)');
  monitor
    .command('aggregate')
    .description(
      'merge the window snapshots several `warden gateway` replicas publish to NATS JetStream into one monitor-status per version and window',
    )
    .requiredOption(
      '--config <file>',
      'the gateway config the replicas run (its routes, baselines and monitoring settings)',
    )
    .option(
      '--nats <url>',
      'nats://HOST:PORT[?stream=NAME&subject=PREFIX&consumer=NAME] (default: $WARDEN_NATS_URL)',
    )
    .option(
      '--grace-seconds <n>',
      "how long past a window's end to wait for replicas that have not reported it (default 5)",
    )
    .option('--evidence-dir <dir>', evidenceDirHelp)
    .option('--server <url>', serverSubmitHelp)
    .option('--sign-key <file>', signKeyHelp)
    .action(async (flags: AggregateFlags) => {
      io.exitCode = await aggregate(flags, io);
    });
}

async function aggregate(flags: AggregateFlags, io: CliIo): Promise<number> {
  const natsUrl = flags.nats ?? (process.env['WARDEN_NATS_URL'] || undefined);
  if (natsUrl === undefined) io.usageError('give --nats nats://HOST:PORT or set WARDEN_NATS_URL');
  const graceSeconds = parseIntegerInRange('--grace-seconds', flags.graceSeconds ?? '5', 0, 3600);
  const config = await loadGatewayConfig(flags.config);
  const recording = await windowRecording(flags, io, 'warden monitor');
  const aggregator = new SnapshotAggregator({
    routes: config.routes,
    graceSeconds,
    ...recording,
    onSkipped: (why) => io.stderr.write(`warden monitor: ${why}\n`),
  });
  if (aggregator.versions === 0) {
    io.usageError(`${flags.config}: no route names a baseline, so no replica publishes window snapshots`);
  }
  const bus = await openSnapshotBus(natsUrl);
  aggregator.start();
  io.stderr.write(
    `warden monitor: aggregating window snapshots from ${bus.name} for ${aggregator.versions} versions; Ctrl-C stops it\n`,
  );
  const consuming = bus.consume(aggregator);
  await new Promise<void>((stopped) => {
    const stop = (signal: string) => {
      io.stderr.write(
        `warden monitor: ${signal}: stopping (windows still waiting resume at the next start)\n`,
      );
      process.once(signal, () => process.exit(130));
      aggregator.stop();
      bus.close().then(stopped, stopped);
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
    consuming.catch((error: unknown) => {
      io.stderr.write(
        `warden monitor: reading snapshots failed: ${error instanceof Error ? error.message : String(error)}\n`,
      );
      aggregator.stop();
      io.exitCode = 3;
      bus.close().then(stopped, stopped);
    });
  });
  return io.exitCode;
}
