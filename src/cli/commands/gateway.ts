import { randomBytes } from 'node:crypto';
import type { Command } from 'commander';
import {
  defaultPollSeconds,
  type GatewayConfig,
  loadGatewayConfig,
  openSnapshotBus,
  type SnapshotBus,
} from '../../gateway/index.js';
import type { CliIo } from '../cli-io.js';
import { startGatewayRuntime } from '../gateway-runtime.js';
import { parseIntegerInRange } from '../options.js';
import { serverClient } from '../server-client.js';
import {
  evidenceDirHelp,
  serverSubmitHelp,
  signKeyHelp,
  type WindowRecordingFlags,
  windowRecording,
} from '../window-recording.js';

interface GatewayFlags extends WindowRecordingFlags {
  config?: string;
  pollSeconds?: string;
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
    .option(
      '--config <file>',
      'the gateway config (apiVersion: warden.dev/v1, kind: Gateway): its routes, or with --server how the models the control plane routes are served; docs/gateway.md',
    )
    .option('--port <port>', 'port to listen on (default 8090, 0 picks a free one)')
    .option('--host <host>', 'address to listen on (default 127.0.0.1)')
    .option('--evidence-dir <dir>', evidenceDirHelp)
    .option(
      '--server <url>',
      `attach to this control plane: serve each model's production version at its endpoint, follow routing changes, and ${serverSubmitHelp}`,
    )
    .option('--sign-key <file>', signKeyHelp)
    .option(
      '--poll-seconds <s>',
      `with --server: how often to read the routing table (default ${defaultPollSeconds})`,
    )
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
  if (flags.config === undefined && flags.server === undefined)
    io.usageError('give --config FILE (the routes), or --server URL to take the routes from a control plane');
  if (flags.pollSeconds !== undefined && flags.server === undefined)
    io.usageError('--poll-seconds goes with --server: a gateway without a control plane has nothing to poll');
  const pollSeconds = parseIntegerInRange(
    '--poll-seconds',
    flags.pollSeconds ?? String(defaultPollSeconds),
    1,
    3600,
  );
  const natsUrl = process.env['WARDEN_NATS_URL'] || undefined;
  if (natsUrl !== undefined && (flags.evidenceDir !== undefined || flags.server !== undefined)) {
    io.usageError(
      'with WARDEN_NATS_URL the gateway publishes window snapshots and `warden monitor aggregate` writes and submits the evidence from the config the replicas share; give --evidence-dir and --server to the aggregator, or unset WARDEN_NATS_URL',
    );
  }
  if (natsUrl === undefined && flags.replica !== undefined) {
    io.usageError('--replica names this gateway in its window snapshots; it needs WARDEN_NATS_URL');
  }
  const client = flags.server === undefined ? undefined : serverClient({ server: flags.server });
  const recording = await windowRecording(flags, io, 'warden gateway');
  const config: GatewayConfig =
    flags.config === undefined
      ? { file: '', routes: [], settings: [] }
      : await loadGatewayConfig(flags.config, { attached: client !== undefined });
  let bus: SnapshotBus | undefined;
  const replica = flags.replica ?? `gateway-${randomBytes(4).toString('hex')}`;
  if (natsUrl !== undefined && config.routes.some((route) => route.baselineDocument !== undefined)) {
    bus = await openSnapshotBus(natsUrl);
  }
  const say = (line: string) => io.stderr.write(`warden gateway: ${line}\n`);
  const runtime = await startGatewayRuntime({
    config,
    host,
    port,
    recording,
    say,
    ...(client === undefined || flags.server === undefined
      ? {}
      : { controlPlane: { client, url: flags.server, pollSeconds } }),
    ...(bus === undefined ? {} : { snapshots: bus.publisher(replica) }),
  });
  const models = config.routes.map((route) => route.model).join(', ');
  say(
    `listening on ${runtime.gateway.url} (${client === undefined ? `models ${models}` : `routes from ${flags.server}, every ${pollSeconds} s`}${runtime.monitor.active ? '; live drift on' : ''}${bus === undefined ? '' : `; window snapshots to ${bus.name} as replica ${replica}`}); Ctrl-C stops it`,
  );
  await new Promise<void>((stopped) => {
    const stop = (signal: string) => {
      io.stderr.write(`warden gateway: ${signal}: finishing in-flight requests, then closing\n`);
      process.once(signal, () => process.exit(130));
      runtime
        .stop()
        .then(() => bus?.close())
        .then(stopped, stopped);
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
  return 0;
}
