import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Exchange } from './gateway.js';
import type { GatewayRoute } from './gateway-config.js';
import { LiveDrift, type MonitorStatus } from './live-drift.js';
import type { GatewayMetrics } from './metrics.js';

/** Default monitoring window: Prometheus scrapes every 15–60 s, drift needs a few hundred rows. */
export const defaultWindowSeconds = 60;

export interface RuntimeMonitorOptions {
  routes: readonly GatewayRoute[];
  metrics: GatewayMetrics;
  /** Where each window's monitor-status evidence is written; none written when absent. */
  evidenceDir?: string;
  /**
   * Where each window's evidence is sent besides (the control plane, in the CLI); returns what to
   * report, e.g. the id it was stored under. Its failures are reported, never thrown.
   */
  submit?: (evidence: MonitorStatusEvidence, target: { model: string; version: string }) => Promise<string>;
  clock?: () => number;
  /** Reports a window's evidence file and submission, or a failure (it never stops the gateway). */
  onWindow?: (event: {
    model: string;
    version: string;
    file?: string;
    submitted?: string;
    error?: string;
    status: MonitorStatus;
  }) => void;
}

/**
 * Live drift for every served version whose route names a baseline: the gateway's `onExchange`
 * feeds `observe`, and every window each version's status goes to the drift metrics and, as sealed
 * `monitor-status` evidence, to the evidence directory.
 */
export type MonitorStatusEvidence = ReturnType<LiveDrift['monitorStatusEvidence']>;

export class RuntimeMonitor {
  readonly #monitors = new Map<
    string,
    { model: string; version: string; live: LiveDrift; windowSeconds: number }
  >();
  /** Model → version → its live drift, for the per-request lookup (no key string built per request). */
  readonly #byModel = new Map<string, Map<string, LiveDrift>>();
  readonly #options: RuntimeMonitorOptions;
  #timers: NodeJS.Timeout[] = [];

  constructor(options: RuntimeMonitorOptions) {
    this.#options = options;
    for (const route of options.routes) {
      if (route.baselineDocument === undefined) continue;
      const monitoring = route.monitoring ?? {};
      for (const version of route.versions.keys()) {
        const windowSeconds = monitoring.windowSeconds ?? defaultWindowSeconds;
        const live = new LiveDrift({
          model: route.model,
          version,
          protocol: route.protocol,
          baseline: route.baselineDocument,
          windowSeconds,
          ...(monitoring.features ? { featureNames: monitoring.features } : {}),
          ...(monitoring.scoreFeature ? { scoreFeature: monitoring.scoreFeature } : {}),
          ...(monitoring.scoreOutput ? { scoreOutput: monitoring.scoreOutput } : {}),
          ...(options.clock ? { clock: options.clock } : {}),
        });
        this.#monitors.set(`${route.model}\u0000${version}`, {
          model: route.model,
          version,
          live,
          windowSeconds,
        });
        const versions = this.#byModel.get(route.model) ?? new Map<string, LiveDrift>();
        versions.set(version, live);
        this.#byModel.set(route.model, versions);
      }
    }
  }

  /** True when some route is monitored. */
  get active(): boolean {
    return this.#monitors.size > 0;
  }

  /** The gateway's observer: counts the exchange for its version; decoding happens later. */
  readonly observe = (exchange: Exchange): void => {
    this.#byModel.get(exchange.model)?.get(exchange.version)?.observe(exchange);
  };

  /** Closes every version's window at once: metrics set, evidence written; returns the statuses. */
  async closeWindows(): Promise<{ model: string; version: string; status: MonitorStatus }[]> {
    const closed = [];
    for (const monitor of this.#monitors.values()) closed.push(await this.#close(monitor));
    return closed;
  }

  /** Closes each version's window every `windowSeconds`. */
  start(): void {
    for (const monitor of this.#monitors.values()) {
      const timer = setInterval(() => void this.#close(monitor), monitor.windowSeconds * 1000);
      timer.unref();
      this.#timers.push(timer);
    }
  }

  /** Stops the windows, and closes the last one (so a drained gateway leaves its evidence). */
  async stop(): Promise<void> {
    for (const timer of this.#timers) clearInterval(timer);
    this.#timers = [];
    await this.closeWindows();
  }

  async #close(monitor: { model: string; version: string; live: LiveDrift }) {
    await monitor.live.settled();
    const status = monitor.live.closeWindow();
    const { model, version } = monitor;
    this.#options.metrics.setDrift(model, version, status);
    const event: Parameters<NonNullable<RuntimeMonitorOptions['onWindow']>>[0] = { model, version, status };
    if (status.requests.total === 0) {
      this.#options.onWindow?.(event);
      return { model, version, status };
    }
    const evidence = monitor.live.monitorStatusEvidence(status);
    if (this.#options.submit !== undefined) {
      try {
        event.submitted = await this.#options.submit(evidence, { model, version });
      } catch (error) {
        event.error = `could not submit the window's evidence: ${error instanceof Error ? error.message : String(error)}`;
      }
    }
    if (this.#options.evidenceDir !== undefined) {
      const file = join(
        this.#options.evidenceDir,
        `monitor-status-${model}-${version}-${status.window.end.replace(/[:]/g, '')}.json`,
      );
      try {
        await mkdir(this.#options.evidenceDir, { recursive: true });
        await writeFile(file, `${JSON.stringify(evidence, null, 2)}\n`);
        event.file = file;
      } catch (error) {
        event.error = `cannot write ${file} (${(error as NodeJS.ErrnoException).code ?? String(error)})`;
      }
    }
    this.#options.onWindow?.(event);
    return { model, version, status };
  }
}
