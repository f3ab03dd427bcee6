import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/**
 * Where `npm run build` puts the dashboard: `dist/web` in the package. This file runs as
 * `src/server/web-ui.ts` (tests) or `dist/server/web-ui.js`, both two levels below the root.
 */
export const defaultWebRoot = fileURLToPath(new URL('../../dist/web/', import.meta.url));

/**
 * What the HTML may load: only this origin's scripts, styles and API (no inline script, no
 * external font or CDN), and it may not be framed.
 */
export const dashboardCsp = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const immutable = 'public, max-age=31536000, immutable';

/** Paths the dashboard never answers, even for a GET: the API and the probes keep their own 404s. */
export function isDashboardPath(method: string, path: string): boolean {
  if (method !== 'GET' && method !== 'HEAD') return false;
  if (path === '/api' || path.startsWith('/api/')) return false;
  // A missing hashed file is a stale page asking for an old build: a 404, not the app.
  if (path.startsWith('/assets/')) return false;
  return !['/healthz', '/readyz', '/metrics'].includes(path);
}

const notBuilt = [
  'The Warden dashboard is not built, so this server has no web pages to show.',
  '',
  'Build it in the Warden checkout with:',
  '',
  '    npm run build',
  '',
  'then restart `warden server`. The API answers under /api/v1 meanwhile.',
  '',
].join('\n');

/**
 * Serves the dashboard built in `root`: hashed files under /assets cached for a year, index.html
 * never cached, and index.html for every other GET path that is not the API's (the app routes in
 * the browser). Returns the answer for such paths, for the not-found handler.
 */
export async function registerDashboard(
  app: FastifyInstance,
  root: string,
): Promise<(request: FastifyRequest, reply: FastifyReply) => FastifyReply> {
  const html = (reply: FastifyReply) =>
    reply.header('cache-control', 'no-cache').header('content-security-policy', dashboardCsp);
  if (!existsSync(join(root, 'index.html'))) {
    const answer = (_request: FastifyRequest, reply: FastifyReply) =>
      reply.code(503).header('cache-control', 'no-cache').type('text/plain; charset=utf-8').send(notBuilt);
    app.get('/', answer);
    return answer;
  }
  await app.register(fastifyStatic, {
    root,
    prefix: '/',
    index: false,
    wildcard: true,
    cacheControl: false,
    // The build writes .br and .gz copies (web/vite.config.ts); browsers that accept them get those.
    preCompressed: true,
    setHeaders: (reply, path) => {
      if (path.startsWith(join(root, 'assets'))) reply.header('cache-control', immutable);
      else reply.header('cache-control', 'no-cache');
      if (/\.html(\.br|\.gz)?$/.test(path)) reply.header('content-security-policy', dashboardCsp);
    },
  });
  const index = (_request: FastifyRequest, reply: FastifyReply) => html(reply).sendFile('index.html');
  app.get('/', index);
  return index;
}
