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
} from './gateway-config.js';
export { GatewayMetrics, requestDurationBuckets, type UpstreamErrorKind } from './metrics.js';
export {
  type ChosenVersion,
  type RouteChoice,
  type RouteLookup,
  Router,
  RoutingTable,
  routeKeyPoint,
} from './routing.js';
