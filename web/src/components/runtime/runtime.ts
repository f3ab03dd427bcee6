import type { Bar } from '../BarChart';

// The records the Runtime page reads (docs/api.md, docs/gateway.md, docs/slo.md, docs/rollouts.md).

/** One model as attached gateways serve it (GET /api/v1/gateway/routes). */
export interface ServingRoute {
  model: string;
  protocol: string;
  versions: Record<string, { url: string }>;
  /** Percent of the model's traffic per version. */
  serve: Record<string, number>;
  baseline: { evidence: string; signer: string } | null;
  windowSeconds?: number;
}

export interface ServingTable {
  revision: string;
  routes: ServingRoute[];
  problems: { model: string; version: string; problem: string }[];
}

export interface SloDocument {
  metadata: { name: string; description?: string };
  spec: {
    objective: number;
    period: string;
    indicator: { availability: Record<string, never> } | { latency: { le: number } };
  };
}

/** One SLO as the gateway's tracker last saw it (the `slo` section of monitor-status evidence). */
export interface SloStatus {
  name: string;
  objective: number;
  indicator: 'availability' | 'latency';
  budgetRemaining: number;
  burnRates: Record<string, number | null>;
  alert: 'page' | 'ticket' | null;
}

export interface FeatureStatus {
  name: string;
  method: string;
  score: number | null;
  threshold: number;
  drifted: boolean | null;
}

/** A signed window of a served version, as the gateway seals it. */
export interface MonitorStatus {
  id: string;
  passed: boolean;
  producedAt: string;
  window: { start: string; end: string; seconds: number };
  requests: { total: number; errors: number; errorRatio: number | null; undecodable: number };
  latency: { p50: number | null; p95: number | null; p99: number | null };
  features: FeatureStatus[];
  prediction: FeatureStatus | null;
  datasetDrift: { driftedShare: number; driftShare: number; drifted: boolean } | null;
  replicas: number;
  slo?: SloStatus[];
}

export interface RolloutRecord {
  id: string;
  model: string;
  version: string;
  stableVersion: string;
  status: 'running' | 'paused' | 'awaiting-approval' | 'promoted' | 'rolled-back' | 'aborted';
  settings: {
    steps: number[];
    intervalSeconds: number;
    threshold: number;
    maxNoData: number;
    minRequests: number;
  };
  step: number;
  weight: number;
  failedChecks: number;
  noDataChecks: number;
  reason: string | null;
  startedAt: string;
  startedBy: string;
  finishedAt: string | null;
}

export interface RolloutEvent {
  seq: number;
  at: string;
  actor: string;
  action: string;
  details: Record<string, unknown>;
}

export interface RolloutHistory extends RolloutRecord {
  history: RolloutEvent[];
}

export const liveRolloutStatuses: readonly RolloutRecord['status'][] = [
  'running',
  'paused',
  'awaiting-approval',
];

/** Methods whose score is a p-value: they flag drift below their threshold, distances above it. */
const pValueMethods = new Set(['ks', 'chisquare', 'z']);

/**
 * A feature's drift as a multiple of its threshold, so p-values and distances share one scale on
 * which past 1 means drift: a distance over its threshold, a p-value's threshold over the p-value
 * (capped at 10).
 */
export function relativeDrift(feature: Pick<FeatureStatus, 'method' | 'score' | 'threshold'>): number | null {
  if (feature.score === null || !(feature.threshold > 0)) return null;
  if (pValueMethods.has(feature.method))
    return Math.min(10, feature.threshold / Math.max(feature.score, 1e-12));
  return feature.score / feature.threshold;
}

const plain = (value: number) => Number(value.toFixed(4)).toString();

/** A feature of the window: its drift relative to its threshold, and how it is judged, in words. */
export interface FeatureDrift extends FeatureStatus {
  relative: number | null;
  /** `below 0.05` for a p-value, `at or above 0.1` for a distance. */
  driftsWhen: string;
}

/** The input features of a window, then the prediction (named so), each with its relative drift. */
export function featureDrifts(status: Pick<MonitorStatus, 'features' | 'prediction'>): FeatureDrift[] {
  const features = [
    ...status.features,
    ...(status.prediction ? [{ ...status.prediction, name: `${status.prediction.name} (prediction)` }] : []),
  ];
  return features.map((feature) => ({
    ...feature,
    relative: relativeDrift(feature),
    driftsWhen: `${pValueMethods.has(feature.method) ? 'p below' : 'at or above'} ${plain(feature.threshold)}`,
  }));
}

/** The bars of the drift chart: each feature's score as a multiple of its threshold. */
export function driftBars(features: readonly FeatureDrift[]): Bar[] {
  return features.map((feature) => ({
    label: feature.name,
    value: feature.relative,
    text: feature.relative === null ? 'not measured' : `${plain(Number(feature.relative.toFixed(2)))}×`,
    alert: feature.drifted === true,
  }));
}

/** The production version and any canary of a route, with their shares of the traffic. */
export function trafficSplit(
  route: Pick<ServingRoute, 'serve'>,
  production: string,
): { version: string; weight: number; role: 'stable' | 'canary' }[] {
  return Object.entries(route.serve)
    .map(([version, weight]) => ({
      version,
      weight,
      role: version === production ? ('stable' as const) : ('canary' as const),
    }))
    .sort((a, b) => (a.role === b.role ? 0 : a.role === 'stable' ? -1 : 1));
}

/** Budget left as a percentage for people: 1 → 100 %, −0.25 → −25 % (overspent). */
export const budgetPercent = (remaining: number) => Math.round(remaining * 1000) / 10;
