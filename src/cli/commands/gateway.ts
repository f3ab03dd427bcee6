import type { Command } from 'commander';
import { loadGatewayConfig, startGateway } from '../../gateway/index.js';
import type { CliIo } from '../cli-io.js';
import { parseIntegerInRange } from '../options.js';

interface GatewayFlags {
  config: string;
  port?: string;
  host?: string;
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
    .action(async (flags: GatewayFlags) => {
      io.exitCode = await runGateway(flags, io);
    });
}

async function runGateway(flags: GatewayFlags, io: CliIo): Promise<number> {
  const port = parseIntegerInRange('--port', flags.port ?? '8090', 0, 65535);
  const host = flags.host ?? '127.0.0.1';
  const config = await loadGatewayConfig(flags.config);
  const gateway = await startGateway({ routes: config.routes, host, port });
  const models = config.routes.map((route) => route.model).join(', ');
  io.stderr.write(`warden gateway: listening on ${gateway.url} (models ${models}); Ctrl-C stops it\n`);
  await new Promise<void>((stopped) => {
    const stop = (signal: string) => {
      io.stderr.write(`warden gateway: ${signal}: finishing in-flight requests, then closing\n`);
      process.once(signal, () => process.exit(130));
      gateway.close().then(stopped, stopped);
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
  return 0;
}
