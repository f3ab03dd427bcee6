import { WardenError } from '../core/index.js';
import { baselineFromEvidence } from '../drift/index.js';
import {
  AttachedRouting,
  type GatewayConfig,
  GatewayMetrics,
  GatewaySlos,
  type RunningGateway,
  RuntimeMonitor,
  type SnapshotPublisher,
  startGateway,
  type WindowRecording,
} from '../gateway/index.js';
import type { ServerClient } from './server-client.js';

export interface GatewayRuntimeOptions {
  config: GatewayConfig;
  host: string;
  port: number;
  /** Where each judged window's evidence goes (directory, control plane) and how it is reported. */
  recording: WindowRecording;
  /** Attached: routes come from this control plane, polled every pollSeconds. */
  controlPlane?: { client: ServerClient; url: string; pollSeconds: number };
  /** One replica of several: window snapshots go to the aggregator instead. */
  snapshots?: SnapshotPublisher;
  /** One line for the operator. */
  say: (line: string) => void;
  /** The caller closes the monitoring windows (`monitor.closeWindows()`), not a timer (the demo). */
  manualWindows?: boolean;
}

export interface GatewayRuntime {
  gateway: RunningGateway;
  monitor: RuntimeMonitor;
  /** The SLO trackers the gateway feeds. */
  slos: GatewaySlos;
  /** Stops polling, drains the gateway, then closes (and records) the last monitoring windows. */
  stop(): Promise<void>;
}

/**
 * The gateway with its monitor, and for an attached gateway its routing from the control plane:
 * what `warden gateway` runs, and the demo's runtime step.
 */
export async function startGatewayRuntime(options: GatewayRuntimeOptions): Promise<GatewayRuntime> {
  const { config, controlPlane, say } = options;
  const metrics = new GatewayMetrics();
  // Burn rates of every routed model with SLOs, baseline or not; exported at each scrape.
  const slos = new GatewaySlos(config.routes);
  metrics.setSloSource(() => slos.statuses());
  const monitor = new RuntimeMonitor({
    routes: config.routes,
    metrics,
    ...options.recording,
    sloStatus: (model, version) => slos.status(model, version),
    ...(options.snapshots === undefined ? {} : { snapshots: options.snapshots }),
  });
  if (controlPlane !== undefined) {
    // Fail at once on what retrying cannot mend (a wrong token, a server without the route).
    await controlPlane.client.call('gatewayRoutes', {}).catch((error: unknown) => {
      if (error instanceof WardenError && error.code !== 'WARDEN_ERR_SERVER_UNREACHABLE') throw error;
    });
  }
  let routing: AttachedRouting | undefined;
  const gateway = await startGateway({
    routes: config.routes,
    host: options.host,
    port: options.port,
    metrics,
    ...(monitor.active || slos.active || controlPlane !== undefined
      ? {
          onExchange: (exchange) => {
            monitor.observe(exchange);
            slos.observe(exchange);
          },
          // Only live drift decodes bodies, and only routes with a baseline have it.
          exchangeBodies: (route) => route.baselineDocument !== undefined,
        }
      : {}),
    ...(controlPlane === undefined ? {} : { readiness: () => routing?.readiness() ?? { ready: false } }),
  });
  if (!options.manualWindows) monitor.start();
  if (controlPlane !== undefined) {
    const { client, url, pollSeconds } = controlPlane;
    routing = new AttachedRouting({
      fetchTable: () => client.call('gatewayRoutes', {}),
      fetchBaseline: async (id) =>
        baselineFromEvidence(
          await client.call('getEvidence', { params: { id } }),
          `drift-baseline evidence ${id.slice(0, 19)}… on ${url}`,
        ),
      staticRoutes: config.routes,
      settings: config.settings,
      apply: (routes) => {
        gateway.replaceRoutes(routes);
        monitor.updateRoutes(routes);
        slos.updateRoutes(routes);
      },
      metrics,
      report: say,
      pollSeconds,
    });
    await routing.sync();
    routing.start();
  }
  return {
    gateway,
    monitor,
    slos,
    async stop() {
      await routing?.stop();
      await gateway.close();
      await monitor.stop();
    },
  };
}
