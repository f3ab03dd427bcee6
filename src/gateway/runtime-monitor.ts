import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DriftBaseline } from '../drift/index.js';
import type { SloStatus } from '../slo/index.js';
import type { Exchange } from './gateway.js';
import type { GatewayRoute } from './gateway-config.js';
import { LiveDrift, type MonitorStatus } from './live-drift.js';
import type { GatewayMetrics } from './metrics.js';
import { alignedWindowEnd, type WindowSnapshot } from './window-snapshots.js';

/** Default monitoring window: Prometheus scrapes every 15–60 s, drift needs a few hundred rows. */
export const defaultWindowSeconds = 60;

export type MonitorStatusEvidence = ReturnType<LiveDrift['monitorStatusEvidence']>;

/** What became of one judged window: its evidence file and submission, or why they failed. */
export interface WindowEvent {
  model: string;
  version: string;
  file?: string;
  submitted?: string;
  /** With snapshots: the window's snapshot went to the aggregator. */
  published?: boolean;
  error?: string;
  status: MonitorStatus;
}

/** Where judged windows go: the in-process monitor and the replicas' aggregator share it. */
export interface WindowRecording {
  /** Where each window's monitor-status evidence is written; none written when absent. */
  evidenceDir?: string;
  /**
   * Where each window's evidence is sent besides (the control plane, in the CLI); returns what to
   * report, e.g. the id it was stored under. Its failures are reported, never thrown.
   */
  submit?: (evidence: MonitorStatusEvidence, target: { model: string; version: string }) => Promise<string>;
  /** Reports a window's evidence file and submission, or a failure (it never stops the gateway). */
  onWindow?: (event: WindowEvent) => void;
  /**
   * A version's SLO statuses, for the `slo` section of its windows' evidence (the gateway's SLO
   * trackers); undefined, or absent, for a model without SLOs.
   */
  sloStatus?: (model: string, version: string) => readonly SloStatus[] | undefined;
}

/**
 * The one path from a judged window to its evidence: a window with requests is sealed as
 * `monitor-status` evidence about the version, submitted and written; failures are reported in the
 * event, never thrown. An empty window is only reported.
 */
export async function recordWindow(
  live: LiveDrift,
  status: MonitorStatus,
  options: WindowRecording,
): Promise<WindowEvent> {
  const { model, version } = live;
  const event: WindowEvent = { model, version, status };
  if (status.requests.total === 0) return event;
  const evidence = live.monitorStatusEvidence(status, options.sloStatus?.(model, version));
  if (options.submit !== undefined) {
    try {
      event.submitted = await options.submit(evidence, { model, version });
    } catch (error) {
      event.error = `could not submit the window's evidence: ${error instanceof Error ? error.message : String(error)}`;
    }
  }
  if (options.evidenceDir !== undefined) {
    const file = join(
      options.evidenceDir,
      `monitor-status-${model}-${version}-${status.window.end.replace(/[:]/g, '')}.json`,
    );
    try {
      await mkdir(options.evidenceDir, { recursive: true });
      await writeFile(file, `${JSON.stringify(evidence, null, 2)}\n`);
      event.file = file;
    } catch (error) {
      event.error = `cannot write ${file} (${(error as NodeJS.ErrnoException).code ?? String(error)})`;
    }
  }
  return event;
}

/** A LiveDrift for every version of every route that names a baseline, keyed by `versionKey`. */
export function liveDriftsOf(
  routes: readonly GatewayRoute[],
  clock?: () => number,
): Map<string, { live: LiveDrift; windowSeconds: number }> {
  const monitors = new Map<string, { live: LiveDrift; windowSeconds: number }>();
  for (const route of routes) {
    if (route.baselineDocument === undefined) continue;
    for (const version of route.versions.keys()) {
      monitors.set(versionKey(route.model, version), liveDriftOf(route, version, clock));
    }
  }
  return monitors;
}

/** The LiveDrift of one version of a route that names a baseline. */
function liveDriftOf(
  route: GatewayRoute,
  version: string,
  clock?: () => number,
): { live: LiveDrift; windowSeconds: number } {
  const monitoring = route.monitoring ?? {};
  const windowSeconds = monitoring.windowSeconds ?? defaultWindowSeconds;
  const live = new LiveDrift({
    model: route.model,
    version,
    protocol: route.protocol,
    baseline: route.baselineDocument as DriftBaseline,
    windowSeconds,
    ...(monitoring.features ? { featureNames: monitoring.features } : {}),
    ...(monitoring.scoreFeature ? { scoreFeature: monitoring.scoreFeature } : {}),
    ...(monitoring.scoreOutput ? { scoreOutput: monitoring.scoreOutput } : {}),
    ...(clock ? { clock } : {}),
  });
  return { live, windowSeconds };
}

export const versionKey = (model: string, version: string) => `${model}\u0000${version}`;

/** Sends a replica's window snapshots to the aggregator (NATS, in the CLI). */
export interface SnapshotPublisher {
  /** This replica's name in its snapshots. */
  replica: string;
  publish(snapshot: WindowSnapshot): Promise<void>;
}

export interface RuntimeMonitorOptions extends WindowRecording {
  routes: readonly GatewayRoute[];
  metrics: GatewayMetrics;
  /**
   * One replica of several: windows line up with the wall clock (their ends are multiples of
   * `windowSeconds` since the epoch) and each window's snapshot is published for the aggregator to
   * judge, instead of evidence being written here. Publishing failures are counted and reported.
   */
  snapshots?: SnapshotPublisher;
  clock?: () => number;
}

interface Monitor {
  live: LiveDrift;
  windowSeconds: number;
  /** With snapshots: the end of the wall-clock window being counted. */
  windowEnd: number;
  /** The route it was made for: a new route object (a new baseline, new settings) makes a new monitor. */
  route: GatewayRoute;
  /** Its window timer, while started. */
  timer?: NodeJS.Timeout;
  /** No longer served: its timers stop rescheduling. */
  retired?: boolean;
}

/**
 * Live drift for every served version whose route names a baseline: the gateway's `onExchange`
 * feeds `observe`, and every window each version's status goes to the drift metrics and, as sealed
 * `monitor-status` evidence, to the evidence directory — or, with `snapshots`, its counts go to the
 * aggregator that merges every replica's (docs/gateway.md, "Several replicas").
 */
export class RuntimeMonitor {
  readonly #monitors = new Map<string, Monitor>();
  /** Model → version → its live drift, for the per-request lookup (no key string built per request). */
  #byModel = new Map<string, Map<string, LiveDrift>>();
  readonly #options: RuntimeMonitorOptions;
  readonly #clock: () => number;
  #started = false;
  /** Last windows of versions no longer served, being closed; stop() waits for them. */
  readonly #retiring = new Set<Promise<unknown>>();

  constructor(options: RuntimeMonitorOptions) {
    this.#options = options;
    this.#clock = options.clock ?? Date.now;
    this.updateRoutes(options.routes);
  }

  /**
   * Follows a new routing table: versions newly served with a baseline get a monitor; a version no
   * longer served, or served from another route (a new baseline, say), has its last window closed
   * (its evidence written, submitted or published) before its monitor goes.
   */
  updateRoutes(routes: readonly GatewayRoute[]): void {
    const wanted = new Map<string, { route: GatewayRoute; version: string }>();
    for (const route of routes) {
      if (route.baselineDocument === undefined) continue;
      for (const version of route.versions.keys())
        wanted.set(versionKey(route.model, version), { route, version });
    }
    for (const [key, monitor] of this.#monitors) {
      if (wanted.get(key)?.route === monitor.route) continue;
      this.#monitors.delete(key);
      monitor.retired = true;
      clearTimeout(monitor.timer);
      const retiring = this.#close(monitor, true).finally(() => this.#retiring.delete(retiring));
      this.#retiring.add(retiring);
    }
    for (const [key, { route, version }] of wanted) {
      if (this.#monitors.has(key)) continue;
      const { live, windowSeconds } = liveDriftOf(route, version, this.#options.clock);
      const monitor: Monitor = {
        live,
        windowSeconds,
        route,
        windowEnd: alignedWindowEnd(this.#clock(), windowSeconds),
      };
      this.#monitors.set(key, monitor);
      if (this.#started) this.#schedule(monitor);
    }
    const byModel = new Map<string, Map<string, LiveDrift>>();
    for (const { live } of this.#monitors.values()) {
      const versions = byModel.get(live.model) ?? new Map<string, LiveDrift>();
      versions.set(live.version, live);
      byModel.set(live.model, versions);
    }
    this.#byModel = byModel;
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
  async closeWindows(final = false): Promise<{ model: string; version: string; status: MonitorStatus }[]> {
    return Promise.all([...this.#monitors.values()].map((monitor) => this.#close(monitor, final)));
  }

  /** Closes each version's window every `windowSeconds` (on the wall clock's multiples with snapshots). */
  start(): void {
    this.#started = true;
    for (const monitor of this.#monitors.values()) this.#schedule(monitor);
  }

  /**
   * Windows end on the wall clock's multiples of windowSeconds, so several gateways' windows line
   * up and the control plane knows when an interval's evidence is due (docs/rollouts.md).
   */
  #schedule(monitor: Monitor): void {
    monitor.timer = setTimeout(
      () => {
        void this.#close(monitor, false).then(() => {
          if (this.#started && !monitor.retired) this.#schedule(monitor);
        });
      },
      Math.max(0, monitor.windowEnd - this.#clock()),
    );
    monitor.timer.unref();
  }

  /** Stops the windows, and closes the last one (so a drained gateway leaves its evidence). */
  async stop(): Promise<void> {
    this.#started = false;
    for (const monitor of this.#monitors.values()) clearTimeout(monitor.timer);
    await Promise.all(this.#retiring);
    await this.closeWindows(true);
  }

  async #close(monitor: Monitor, final: boolean) {
    const { live } = monitor;
    const { model, version } = live;
    await live.settled();
    const publisher = this.#options.snapshots;
    if (publisher === undefined) {
      monitor.windowEnd = alignedWindowEnd(Math.max(this.#clock(), monitor.windowEnd), monitor.windowSeconds);
      const status = live.closeWindow();
      this.#options.metrics.setDrift(model, version, status);
      const event = await recordWindow(live, status, this.#options);
      this.#options.onWindow?.(event);
      return { model, version, status };
    }
    const windowEnd = monitor.windowEnd;
    const snapshot = live.closeSnapshot({
      replica: publisher.replica,
      end: Math.min(this.#clock(), windowEnd),
      windowEnd,
      final,
    });
    monitor.windowEnd = alignedWindowEnd(Math.max(this.#clock(), windowEnd), monitor.windowSeconds);
    // The replica's own traffic, for its drift gauges; the aggregator judges the window.
    const status = live.statusOf([snapshot]);
    this.#options.metrics.setDrift(model, version, status);
    const event: WindowEvent = { model, version, status };
    try {
      await publisher.publish(snapshot);
      event.published = true;
    } catch (error) {
      this.#options.metrics.snapshotPublishFailed(model, version);
      event.error = `could not publish the window's snapshot: ${error instanceof Error ? error.message : String(error)}`;
    }
    this.#options.onWindow?.(event);
    return { model, version, status };
  }
}
