export {
  type Exchange,
  type GatewayOptions,
  modelVersionHeader,
  type RunningGateway,
  routeKeyHeader,
  startGateway,
} from './gateway.js';
export {
  defaultMaxBodyBytes,
  defaultTimeoutMs,
  type GatewayConfig,
  type GatewayProtocol,
  type GatewayRoute,
  gatewayApiVersion,
  gatewayProtocols,
  loadGatewayConfig,
  parseGatewayConfig,
  type RouteMonitoring,
} from './gateway-config.js';
export {
  histogramQuantile,
  LiveDrift,
  type LiveDriftOptions,
  latencyBuckets,
  type MonitorStatus,
  type ObservedExchange,
} from './live-drift.js';
export { GatewayMetrics, requestDurationBuckets, type UpstreamErrorKind } from './metrics.js';
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
export { defaultWindowSeconds, RuntimeMonitor, type RuntimeMonitorOptions } from './runtime-monitor.js';
