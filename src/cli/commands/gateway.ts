import { randomBytes } from 'node:crypto';
import type { Command } from 'commander';
import { WardenError } from '../../core/index.js';
import { baselineFromEvidence } from '../../drift/index.js';
import {
  AttachedRouting,
  defaultPollSeconds,
  type GatewayConfig,
  GatewayMetrics,
  loadGatewayConfig,
  openSnapshotBus,
  RuntimeMonitor,
  type SnapshotBus,
  startGateway,
} from '../../gateway/index.js';
import type { CliIo } from '../cli-io.js';
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
  const say = (line: string) => io.stderr.write(`warden gateway: ${line}\n`);
  let routing: AttachedRouting | undefined;
  if (client !== undefined) {
    // Fail at once on what retrying cannot mend (a wrong token, a server without the route).
    await client.call('gatewayRoutes', {}).catch((error: unknown) => {
      if (error instanceof WardenError && error.code !== 'WARDEN_ERR_SERVER_UNREACHABLE') throw error;
    });
  }
  const gateway = await startGateway({
    routes: config.routes,
    host,
    port,
    metrics,
    ...(monitor.active || client !== undefined ? { onExchange: monitor.observe } : {}),
    ...(client === undefined
      ? {}
      : {
          readiness: () => routing?.readiness() ?? { ready: false },
        }),
  });
  monitor.start();
  if (client !== undefined) {
    routing = new AttachedRouting({
      fetchTable: () => client.call('gatewayRoutes', {}),
      fetchBaseline: async (id) =>
        baselineFromEvidence(
          await client.call('getEvidence', { params: { id } }),
          `drift-baseline evidence ${id.slice(0, 19)}… on ${flags.server}`,
        ),
      staticRoutes: config.routes,
      settings: config.settings,
      apply: (routes) => {
        gateway.replaceRoutes(routes);
        monitor.updateRoutes(routes);
      },
      metrics,
      report: say,
      pollSeconds,
    });
    await routing.sync();
    routing.start();
  }
  const models = config.routes.map((route) => route.model).join(', ');
  say(
    `listening on ${gateway.url} (${client === undefined ? `models ${models}` : `routes from ${flags.server}, every ${pollSeconds} s`}${monitor.active ? '; live drift on' : ''}${bus === undefined ? '' : `; window snapshots to ${bus.name} as replica ${replica}`}); Ctrl-C stops it`,
  );
  await new Promise<void>((stopped) => {
    const stop = (signal: string) => {
      io.stderr.write(`warden gateway: ${signal}: finishing in-flight requests, then closing\n`);
      process.once(signal, () => process.exit(130));
      Promise.resolve(routing?.stop())
        .then(() => gateway.close())
        .then(() => monitor.stop())
        .then(() => bus?.close())
        .then(stopped, stopped);
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
  return 0;
}
