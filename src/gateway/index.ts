export {
  AttachedRouting,
  type AttachedRoutingOptions,
  type ControlPlaneRoute,
  type ControlPlaneTable,
  defaultPollSeconds,
} from './attached-routing.js';
export {
  type Exchange,
  type GatewayOptions,
  type GatewayReadiness,
  modelVersionHeader,
  type RunningGateway,
  routeKeyHeader,
  startGateway,
} from './gateway.js';
export {
  baselineMismatch,
  defaultMaxBodyBytes,
  defaultTimeoutMs,
  type GatewayConfig,
  type GatewayConfigOptions,
  type GatewayProtocol,
  type GatewayRoute,
  gatewayApiVersion,
  gatewayProtocols,
  loadGatewayConfig,
  parseGatewayConfig,
  type RouteMonitoring,
  type RouteSettings,
} from './gateway-config.js';
export { GatewaySlos } from './gateway-slos.js';
export {
  histogramQuantile,
  LiveDrift,
  type LiveDriftOptions,
  type MonitorStatus,
  type ObservedExchange,
} from './live-drift.js';
export { GatewayMetrics, type UpstreamErrorKind } from './metrics.js';
export {
  defaultSnapshotConsumer,
  defaultSnapshotStream,
  defaultSnapshotSubject,
  openSnapshotBus,
  type SnapshotBus,
} from './nats-snapshots.js';
export {
  decodeRequest,
  decodeResponse,
  type FeatureRow,
  type InferenceProtocol,
} from './protocols.js';
export {
  type ChosenVersion,
  type RouteChoice,
  type RouteLookup,
  Router,
  RoutingTable,
  routeKeyPoint,
} from './routing.js';
export {
  defaultWindowSeconds,
  type MonitorStatusEvidence,
  RuntimeMonitor,
  type RuntimeMonitorOptions,
  recordWindow,
  type SnapshotPublisher,
  type WindowEvent,
  type WindowRecording,
} from './runtime-monitor.js';
export {
  SnapshotAggregator,
  type SnapshotAggregatorOptions,
  type SnapshotDelivery,
} from './snapshot-aggregator.js';
export {
  addWindowCounts,
  alignedWindowEnd,
  parseWindowSnapshot,
  type WindowCounts,
  type WindowSnapshot,
} from './window-snapshots.js';
