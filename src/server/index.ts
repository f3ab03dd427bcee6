export { buildServer, defaultBodyLimit, type ServerOptions } from './app.js';
export { type Route, routes } from './routes.js';
export { type RunningServer, startServer } from './start.js';
