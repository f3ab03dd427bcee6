import { randomBytes } from 'node:crypto';
import type { Command } from 'commander';
import {
  GatewayMetrics,
  loadGatewayConfig,
  openSnapshotBus,
  RuntimeMonitor,
  type SnapshotBus,
  startGateway,
} from '../../gateway/index.js';
import type { CliIo } from '../cli-io.js';
import { parseIntegerInRange } from '../options.js';
import {
  evidenceDirHelp,
  serverSubmitHelp,
  signKeyHelp,
  type WindowRecordingFlags,
  windowRecording,
} from '../window-recording.js';

interface GatewayFlags extends WindowRecordingFlags {
  config: string;
  port?: string;
  host?: string;
  replica?: string;
}

export function registerGateway(program: Command, io: CliIo): void {
  program
    .command('gateway')
    .description(
      'run the inference gateway: route model requests (Open Inference Protocol, KServe V1, MLflow) to their versions by weight, with Prometheus metrics on /metrics',
    )
    .requiredOption(
      '--config <file>',
      'the gateway config (apiVersion: warden.dev/v1, kind: Gateway); docs/gateway.md',
    )
    .option('--port <port>', 'port to listen on (default 8090, 0 picks a free one)')
    .option('--host <host>', 'address to listen on (default 127.0.0.1)')
    .option('--evidence-dir <dir>', evidenceDirHelp)
    .option('--server <url>', serverSubmitHelp)
    .option('--sign-key <file>', signKeyHelp)
    .option(
      '--replica <name>',
      "with WARDEN_NATS_URL: this replica's name in its window snapshots (default: random per process)",
    )
    .action(async (flags: GatewayFlags) => {
      io.exitCode = await runGateway(flags, io);
    });
}

async function runGateway(flags: GatewayFlags, io: CliIo): Promise<number> {
  const port = parseIntegerInRange('--port', flags.port ?? '8090', 0, 65535);
  const host = flags.host ?? '127.0.0.1';
  const config = await loadGatewayConfig(flags.config);
  const natsUrl = process.env['WARDEN_NATS_URL'] || undefined;
  if (natsUrl !== undefined && (flags.evidenceDir !== undefined || flags.server !== undefined)) {
    io.usageError(
      'with WARDEN_NATS_URL the gateway publishes window snapshots and `warden monitor aggregate` writes and submits the evidence; give --evidence-dir and --server to the aggregator, or unset WARDEN_NATS_URL',
    );
  }
  if (natsUrl === undefined && flags.replica !== undefined) {
    io.usageError('--replica names this gateway in its window snapshots; it needs WARDEN_NATS_URL');
  }
  const recording = await windowRecording(flags, io, 'warden gateway');
  const metrics = new GatewayMetrics();
  let bus: SnapshotBus | undefined;
  const replica = flags.replica ?? `gateway-${randomBytes(4).toString('hex')}`;
  if (natsUrl !== undefined && config.routes.some((route) => route.baselineDocument !== undefined)) {
    bus = await openSnapshotBus(natsUrl);
  }
  const monitor = new RuntimeMonitor({
    routes: config.routes,
    metrics,
    ...recording,
    ...(bus === undefined ? {} : { snapshots: bus.publisher(replica) }),
  });
  const gateway = await startGateway({
    routes: config.routes,
    host,
    port,
    metrics,
    ...(monitor.active ? { onExchange: monitor.observe } : {}),
  });
  monitor.start();
  const models = config.routes.map((route) => route.model).join(', ');
  io.stderr.write(
    `warden gateway: listening on ${gateway.url} (models ${models}${monitor.active ? '; live drift on' : ''}${bus === undefined ? '' : `; window snapshots to ${bus.name} as replica ${replica}`}); Ctrl-C stops it\n`,
  );
  await new Promise<void>((stopped) => {
    const stop = (signal: string) => {
      io.stderr.write(`warden gateway: ${signal}: finishing in-flight requests, then closing\n`);
      process.once(signal, () => process.exit(130));
      gateway
        .close()
        .then(() => monitor.stop())
        .then(() => bus?.close())
        .then(stopped, stopped);
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
  return 0;
}
