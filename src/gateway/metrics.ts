import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { requestDurationBuckets } from '../core/index.js';
import type { SloStatus } from '../slo/index.js';
import type { GatewayRoute } from './gateway-config.js';

interface VersionSeries {
  /** Answers by status code (as the label spells it). */
  byStatus: Map<string, number>;
  duration: { observe(value: number): void };
}

const statusCodes = Array.from({ length: 600 }, (_, code) => String(code));

export type UpstreamErrorKind = 'unreachable' | 'timeout' | 'status_5xx';

/**
 * The gateway's Prometheus metrics in a registry of its own (never prom-client's global one, so two
 * gateways in one process count apart). Labels come from the config, never from request paths:
 * a request for a model the config does not serve counts under model="" and version="".
 */
export class GatewayMetrics {
  readonly registry = new Registry();
  private readonly requests = new Counter({
    name: 'warden_gateway_requests_total',
    help: 'Inference requests answered, by model, version and HTTP status code (the gateway’s own errors included).',
    labelNames: ['model', 'version', 'code'] as const,
    registers: [this.registry],
    collect: () => {
      this.requests.reset();
      for (const [model, versions] of this.#answers) {
        for (const [version, series] of versions) {
          for (const [code, count] of series.byStatus) this.requests.inc({ model, version, code }, count);
        }
      }
    },
  });
  private readonly duration = new Histogram({
    name: 'warden_gateway_request_duration_seconds',
    help: 'Time from the request’s arrival to the last byte of the answer, in seconds.',
    labelNames: ['model', 'version'] as const,
    buckets: [...requestDurationBuckets],
    registers: [this.registry],
  });
  private readonly upstreamErrors = new Counter({
    name: 'warden_gateway_upstream_errors_total',
    help: 'Upstream failures by kind: unreachable (502), timeout (504), status_5xx (a 5xx answer passed through).',
    labelNames: ['model', 'version', 'kind'] as const,
    registers: [this.registry],
  });
  private readonly inFlight = new Gauge({
    name: 'warden_gateway_in_flight',
    help: 'Inference requests being answered now.',
    labelNames: ['model'] as const,
    registers: [this.registry],
    collect: () => {
      for (const [model, count] of this.#inFlight) this.inFlight.set({ model }, count);
    },
  });
  private readonly routingWeight = new Gauge({
    name: 'warden_gateway_routing_weight',
    help: 'Share of a model’s unpinned traffic routed to a version (0–1, from the serve weights).',
    labelNames: ['model', 'version'] as const,
    registers: [this.registry],
  });

  private readonly featureDrift = new Gauge({
    name: 'warden_feature_drift_score',
    help: 'Drift score of an input feature over the last monitoring window, against the version’s baseline (the method’s statistic).',
    labelNames: ['model', 'version', 'feature', 'method'] as const,
    registers: [this.registry],
  });
  private readonly predictionDrift = new Gauge({
    name: 'warden_prediction_drift_score',
    help: 'Drift score of the model’s scores over the last monitoring window, against the baseline’s.',
    labelNames: ['model', 'version', 'method'] as const,
    registers: [this.registry],
  });
  private readonly datasetDriftShare = new Gauge({
    name: 'warden_dataset_drift_share',
    help: 'Share of the input features drifted over the last monitoring window (0–1).',
    labelNames: ['model', 'version'] as const,
    registers: [this.registry],
  });
  private readonly samplingRatio = new Gauge({
    name: 'warden_gateway_monitor_sampling_ratio',
    help: 'Share of the last window’s answered requests whose bodies were decoded for drift (the rest were only counted: monitoring never slows traffic).',
    labelNames: ['model', 'version'] as const,
    registers: [this.registry],
  });
  private readonly snapshotPublishFailures = new Counter({
    name: 'warden_gateway_snapshot_publish_failures_total',
    help: 'Window snapshots that could not be published to NATS (with WARDEN_NATS_URL; traffic is served regardless).',
    labelNames: ['model', 'version'] as const,
    registers: [this.registry],
  });

  /** Where the SLO gauges are read from when scraped (the gateway's SLO trackers). */
  #sloSource: (() => Iterable<{ model: string; statuses: readonly SloStatus[] }>) | undefined;

  private readonly sloBurnRate = new Gauge({
    name: 'warden_slo_burn_rate',
    help: 'How fast an SLO spends its error budget over a window, all versions of the model together: (bad share of the window’s requests) / (1 − objective); 1 spends it exactly over the period. Absent for a window without requests.',
    labelNames: ['model', 'slo', 'window'] as const,
    registers: [this.registry],
    collect: () => {
      this.sloBurnRate.reset();
      for (const { model, statuses } of this.#sloSource?.() ?? []) {
        for (const status of statuses) {
          for (const [window, rate] of Object.entries(status.burnRates)) {
            if (rate !== null) this.sloBurnRate.set({ model, slo: status.name, window }, rate);
          }
        }
      }
    },
  });
  private readonly sloBudgetRemaining = new Gauge({
    name: 'warden_slo_error_budget_remaining',
    help: 'Share of an SLO’s error budget left over its period as this gateway has seen it since it started: 1 untouched, 0 spent, below 0 overspent.',
    labelNames: ['model', 'slo'] as const,
    registers: [this.registry],
    collect: () => {
      this.sloBudgetRemaining.reset();
      for (const { model, statuses } of this.#sloSource?.() ?? []) {
        for (const status of statuses) {
          this.sloBudgetRemaining.set({ model, slo: status.name }, status.budgetRemaining);
        }
      }
    },
  });

  /** The SLO statuses `/metrics` exports, read at each scrape. */
  setSloSource(source: () => Iterable<{ model: string; statuses: readonly SloStatus[] }>): void {
    this.#sloSource = source;
  }

  snapshotPublishFailed(model: string, version: string): void {
    this.snapshotPublishFailures.inc({ model, version });
  }

  private readonly controlPlaneUp = new Gauge({
    name: 'warden_gateway_control_plane_up',
    help: 'For a gateway attached to a control plane: 1 when its last poll of the routing table succeeded, 0 while it serves its last known table without the control plane.',
    registers: [this.registry],
  });
  private readonly routingSynced = new Gauge({
    name: 'warden_gateway_routing_last_sync_timestamp_seconds',
    help: 'When the attached gateway last read its routing table from the control plane (Unix time in seconds).',
    registers: [this.registry],
  });

  /** An attached gateway's poll of the control plane: reached (with the time), or not. */
  controlPlanePolled(reached: boolean, at: number): void {
    this.controlPlaneUp.set(reached ? 1 : 0);
    if (reached) this.routingSynced.set(at / 1000);
  }

  /** The drift of one version's last closed window. */
  setDrift(
    model: string,
    version: string,
    status: {
      features: readonly { name: string; method: string; score: number | null }[];
      prediction: { method: string; score: number | null } | null;
      datasetDrift: { driftedShare: number } | null;
      sampling: { ratio: number | null };
    },
  ): void {
    for (const feature of status.features) {
      if (feature.score !== null) {
        this.featureDrift.set(
          { model, version, feature: feature.name, method: feature.method },
          feature.score,
        );
      }
    }
    if (status.prediction?.score != null) {
      this.predictionDrift.set({ model, version, method: status.prediction.method }, status.prediction.score);
    }
    if (status.datasetDrift) this.datasetDriftShare.set({ model, version }, status.datasetDrift.driftedShare);
    if (status.sampling.ratio !== null) this.samplingRatio.set({ model, version }, status.sampling.ratio);
  }

  /** Sets the routing weights from a table, dropping versions no longer served. */
  setRoutes(routes: readonly GatewayRoute[]): void {
    this.routingWeight.reset();
    for (const route of routes) {
      for (const version of route.versions.keys()) {
        const weight = route.serve.find((entry) => entry.version === version)?.weight ?? 0;
        this.routingWeight.set({ model: route.model, version }, weight / 100);
      }
    }
  }

  /*
   * Counted in plain numbers on the request path and handed to prom-client when scraped: its
   * label hashing on every call cost more than the rest of the metrics work together.
   */
  readonly #inFlight = new Map<string, number>();
  readonly #answers = new Map<string, Map<string, VersionSeries>>();

  started(model: string): void {
    this.#inFlight.set(model, (this.#inFlight.get(model) ?? 0) + 1);
  }

  finished(model: string): void {
    this.#inFlight.set(model, (this.#inFlight.get(model) ?? 0) - 1);
  }

  answered(model: string, version: string, status: number, seconds: number): void {
    const series = this.#series(model, version);
    const code = statusCodes[status] ?? String(status);
    series.byStatus.set(code, (series.byStatus.get(code) ?? 0) + 1);
    if (model !== '') series.duration.observe(seconds);
  }

  upstreamError(model: string, version: string, kind: UpstreamErrorKind): void {
    this.upstreamErrors.inc({ model, version, kind });
  }

  #series(model: string, version: string): VersionSeries {
    let versions = this.#answers.get(model);
    if (versions === undefined) {
      versions = new Map();
      this.#answers.set(model, versions);
    }
    let series = versions.get(version);
    if (series === undefined) {
      series = { byStatus: new Map(), duration: this.duration.labels(model, version) };
      versions.set(version, series);
    }
    return series;
  }

  /** The Prometheus text exposition and its content type. */
  async exposition(): Promise<{ contentType: string; text: string }> {
    return { contentType: this.registry.contentType, text: await this.registry.metrics() };
  }
}
