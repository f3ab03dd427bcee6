export { buildServer, defaultBodyLimit, type ServerOptions } from './app.js';
export type { Route } from './route.js';
export { routes } from './routes.js';
export { type RunningServer, startServer } from './start.js';
