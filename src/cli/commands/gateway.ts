import type { Command } from 'commander';
import { GatewayMetrics, loadGatewayConfig, RuntimeMonitor, startGateway } from '../../gateway/index.js';
import type { CliIo } from '../cli-io.js';
import { parseIntegerInRange } from '../options.js';
import { serverClient } from '../server-client.js';
import { outgoingEvidence, signingKeyFrom } from '../signing.js';

interface GatewayFlags {
  config: string;
  port?: string;
  host?: string;
  evidenceDir?: string;
  server?: string;
  signKey?: string;
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
    .option(
      '--evidence-dir <dir>',
      "write each monitoring window's monitor-status evidence here (routes with a baseline)",
    )
    .option(
      '--server <url>',
      "submit each window's monitor-status evidence to the served version on this control plane (token from WARDEN_TOKEN)",
    )
    .option(
      '--sign-key <file>',
      'with --server: sign the evidence with this Ed25519 key (default: $WARDEN_SIGNING_KEY)',
    )
    .action(async (flags: GatewayFlags) => {
      io.exitCode = await runGateway(flags, io);
    });
}

async function runGateway(flags: GatewayFlags, io: CliIo): Promise<number> {
  const port = parseIntegerInRange('--port', flags.port ?? '8090', 0, 65535);
  const host = flags.host ?? '127.0.0.1';
  const config = await loadGatewayConfig(flags.config);
  const client = flags.server === undefined ? undefined : serverClient({ server: flags.server });
  client?.requireToken();
  const signingKey = client === undefined ? undefined : await signingKeyFrom(flags.signKey, io);
  const metrics = new GatewayMetrics();
  const monitor = new RuntimeMonitor({
    routes: config.routes,
    metrics,
    ...(flags.evidenceDir ? { evidenceDir: flags.evidenceDir } : {}),
    ...(client === undefined
      ? {}
      : {
          submit: async (evidence, target) => {
            const outgoing = outgoingEvidence(evidence, signingKey);
            const receipt = await client.call('submitEvidence', {
              params: target,
              body: (outgoing.envelope ?? outgoing.document) as unknown as Record<string, unknown>,
            });
            return `submitted as ${receipt.id} (${receipt.signer ? `signed by ${receipt.signer}` : 'unsigned'})`;
          },
        }),
    onWindow: ({ model, version, file, submitted, error, status }) => {
      const where = [file, submitted].filter(Boolean).join('; ');
      if (where) {
        io.stderr.write(
          `warden gateway: ${model} version ${version}: window of ${status.requests.total} requests, ${status.features.filter((f) => f.drifted).length} features drifted: ${where}\n`,
        );
      }
      if (error) io.stderr.write(`warden gateway: ${model} version ${version}: ${error}\n`);
    },
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
    `warden gateway: listening on ${gateway.url} (models ${models}${monitor.active ? '; live drift on' : ''}); Ctrl-C stops it\n`,
  );
  await new Promise<void>((stopped) => {
    const stop = (signal: string) => {
      io.stderr.write(`warden gateway: ${signal}: finishing in-flight requests, then closing\n`);
      process.once(signal, () => process.exit(130));
      gateway
        .close()
        .then(() => monitor.stop())
        .then(stopped, stopped);
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
  return 0;
}
