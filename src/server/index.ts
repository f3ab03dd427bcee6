export { buildServer, defaultBodyLimit, type ServerOptions } from './app.js';
export {
  auditKeyFileName,
  defaultKeyDirectory,
  refuseColocatedServerKeys,
  refuseLegacyAuditKey,
  type ServerKeyFiles,
  serverKeyFiles,
  wardenConfigDirectory,
  webhookKeyFileName,
} from './key-files.js';
export type { RawJson, Route } from './route.js';
export { type ApiRoutes, apiRoutes, routes } from './routes.js';
export { type RunningServer, startServer } from './start.js';
