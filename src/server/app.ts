import { dirname, join } from 'node:path';
import Fastify, {
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  LogController,
} from 'fastify';
import { AuditLog, ServerKey } from '../audit/index.js';
import { producer } from '../core/index.js';
import { Governance, type GovernanceOptions, loadOrCreateWebhookKey } from '../governance/index.js';
import { RuntimeControl, type RuntimeControlOptions } from '../monitor/index.js';
import { Registry } from '../registry/index.js';
import type { Store } from '../store/index.js';
import { errorAnswer, invalidRequest } from './api-errors.js';
import { authenticate, requireRole, TokenUseRecorder } from './auth.js';
import { registerJsonBodyParser } from './json-body.js';
import { refuseColocatedServerKeys, webhookKeyFileName } from './key-files.js';
import { openApiDocument } from './openapi.js';
import type { Route } from './route.js';
import { routes } from './routes.js';
import { defaultWebRoot, isDashboardPath, registerDashboard } from './web-ui.js';

export interface ServerOptions {
  store: Store;
  /** Largest request body in bytes; default 4 MiB (evidence documents are the big ones). */
  bodyLimit?: number;
  /** pino log level, or false for no logs (tests, the demo). */
  logLevel?: string | false;
  /**
   * The Ed25519 key file that signs audit checkpoints; created on first start. The library has no
   * default: the CLI's (`serverKeyFiles`) is under the user's config directory.
   */
  auditKeyPath: string;
  /** The 32-byte key file that seals webhook secrets; default `webhook-secrets.key` beside the audit key. */
  webhookKeyPath?: string;
  /**
   * Start even when a key file lies inside the SQLite database's directory (`--allow-colocated-key`).
   * Default false: whoever copies the database would take the key that can re-sign its log.
   */
  allowColocatedKey?: boolean;
  /** The server's clock (tests move it to expire waivers). */
  clock?: () => Date;
  /**
   * Let webhooks target loopback, private, link-local and metadata addresses (`--allow-private-webhooks`;
   * the demo and tests, whose receivers listen on 127.0.0.1). Default false.
   */
  allowPrivateWebhooks?: boolean;
  /** Webhook retry and background intervals (tests shorten them). */
  governance?: Pick<GovernanceOptions, 'delivery' | 'sweepIntervalMs' | 'checkpointIntervalMs' | 'witnesses'>;
  /** How often due rollout checks are looked for (tests shorten it). */
  runtime?: Pick<RuntimeControlOptions, 'tickMs'>;
  /** The built dashboard served at `/`; default the package's `dist/web`. */
  webRoot?: string;
}

export const defaultBodyLimit = 4 * 1024 * 1024;

declare module 'fastify' {
  interface FastifyRequest {
    actor?: string;
  }
}

/**
 * The control plane's HTTP API: /api/v1 (the route table), /api/v1/openapi.json, /healthz and
 * /readyz, and the dashboard at `/`. Requests are validated against the route's Zod schemas; every answer that is not a
 * success is a coded error body, never a stack trace.
 */
export async function buildServer(options: ServerOptions): Promise<FastifyInstance> {
  const { store } = options;
  const clock = options.clock ?? (() => new Date());
  const webhookKeyPath = options.webhookKeyPath ?? join(dirname(options.auditKeyPath), webhookKeyFileName);
  refuseColocatedServerKeys(
    store.directory,
    { auditKeyPath: options.auditKeyPath, webhookKeyPath },
    options.allowColocatedKey ?? false,
  );
  const audit = new AuditLog(store, clock);
  const registry = new Registry(store, audit);
  const governance = new Governance({
    store,
    audit,
    key: ServerKey.loadOrCreate(options.auditKeyPath),
    webhookKey: loadOrCreateWebhookKey(webhookKeyPath),
    clock,
    ...options.governance,
    delivery: {
      ...options.governance?.delivery,
      allowPrivateAddresses: options.allowPrivateWebhooks ?? false,
    },
  });
  const resealed = await governance.webhooks.resealLegacySecrets('warden server');
  const app = Fastify({
    bodyLimit: options.bodyLimit ?? defaultBodyLimit,
    logger: options.logLevel === false ? false : { level: options.logLevel ?? 'info' },
    // One line per request, written by the onResponse hook below with the actor in it.
    logController: new LogController({ disableRequestLogging: true }),
    // Slow or stuck clients must not hold connections for ever; in-flight requests still finish
    // on shutdown (close() waits for them).
    requestTimeout: 30_000,
    return503OnClosing: true,
  });

  registerJsonBodyParser(app);

  app.addHook('onResponse', async (request, reply) => {
    request.log.info(
      {
        method: request.method,
        route: request.routeOptions.url ?? request.url.split('?')[0],
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime),
        actor: request.actor,
      },
      'request',
    );
  });

  app.setErrorHandler(async (error, request, reply) => {
    const answer = errorAnswer(store.fault(error) ?? error);
    if (answer.internal) request.log.error({ err: error }, 'internal error');
    else if (answer.status >= 500)
      request.log.warn(
        { code: answer.body.error.code, message: answer.body.error.message },
        'request failed',
      );
    return reply.code(answer.status).send(answer.body);
  });

  const dashboard = await registerDashboard(app, options.webRoot ?? defaultWebRoot);
  app.setNotFoundHandler(async (request, reply) => {
    const path = request.url.split('?')[0] ?? request.url;
    if (isDashboardPath(request.method, path)) return dashboard(request, reply);
    return reply.code(404).send({
      error: {
        code: 'WARDEN_ERR_API_NOT_FOUND',
        status: 404,
        message: `no route ${request.method} ${path}; GET /api/v1/openapi.json lists the routes`,
      },
    });
  });

  app.get('/healthz', async () => ({ status: 'ok', version: producer.version }));
  app.get('/readyz', async (request, reply) => {
    try {
      await store.ping();
      return { status: 'ready' };
    } catch (error) {
      // Unauthenticated: the answer names no path, host or URL (the log has the details).
      const answer = errorAnswer(error);
      request.log.warn({ code: answer.body.error.code, message: answer.body.error.message }, 'not ready');
      return reply.code(503).send({
        status: 'unavailable',
        error: {
          code: answer.body.error.code,
          status: 503,
          message: 'the database does not answer; the server log has the details',
        },
      });
    }
  });
  const document = openApiDocument(routes);
  app.get('/api/v1/openapi.json', async () => document);

  if (resealed.length > 0) {
    app.log.info({ webhooks: resealed.length }, 'webhook secrets sealed again with the webhook key');
  }
  const runtime = new RuntimeControl({ store, audit, governance, clock, ...options.runtime });
  const reportFailure = (error: unknown, task: string) =>
    app.log.warn({ err: error, task }, 'background task failed');
  governance.start(reportFailure);
  runtime.start(reportFailure);
  app.addHook('onClose', async () => {
    await runtime.stop();
    await governance.stop();
  });

  const uses = new TokenUseRecorder();
  for (const route of routes) {
    app.route({
      method: route.method,
      url: route.path,
      handler: async (request, reply) =>
        handle(route, request, reply, { store, registry, audit, governance, runtime, uses }),
    });
  }
  return app;
}

async function handle(
  route: Route,
  request: FastifyRequest,
  reply: FastifyReply,
  services: {
    store: Store;
    registry: Registry;
    audit: AuditLog;
    governance: Governance;
    runtime: RuntimeControl;
    uses: TokenUseRecorder;
  },
): Promise<unknown> {
  const { uses, ...handlerServices } = services;
  const principal = await authenticate(services.store, request.headers.authorization, uses);
  request.actor = principal.actor;
  requireRole(principal, route.role, `${route.method} ${route.path}`);
  const parse = (where: 'path' | 'query' | 'body', schema: Route['params'], value: unknown) => {
    if (schema === undefined) return undefined;
    const result = schema.safeParse(value ?? (where === 'body' ? undefined : {}));
    if (!result.success) throw invalidRequest(where, result.error);
    return result.data;
  };
  const context = {
    params: parse('path', route.params, request.params),
    query: parse('query', route.query, request.query),
    body: parse('body', route.body, request.body),
    principal,
    ...handlerServices,
  };
  const result = await route.handler(context);
  // A change may have queued alerts: send them now rather than at the next sweep.
  if (route.method !== 'GET') services.governance.deliverSoon();
  reply.code(route.status ?? 200);
  if (route.rawJson) return reply.type('application/json').send(result as string);
  return result;
}
