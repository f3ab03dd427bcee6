import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Pool } from 'undici';
import type { ErrorCode } from '../core/index.js';
import { errorRegistry, WardenError } from '../core/index.js';
import type { GatewayProtocol, GatewayRoute } from './gateway-config.js';
import { GatewayMetrics, type UpstreamErrorKind } from './metrics.js';
import { Router, RoutingTable } from './routing.js';

/** One inference exchange, reported after its answer was sent (for live drift, outside the request path). */
export interface Exchange {
  model: string;
  version: string;
  protocol: GatewayProtocol;
  status: number;
  seconds: number;
  /** The request body as received, when it fit in the route's maxBodyBytes. */
  requestBody?: Buffer;
  /** The answer's body as sent, when it fit in the route's maxBodyBytes (absent for the gateway's own errors). */
  responseBody?: Buffer;
}

export interface GatewayOptions {
  routes: readonly GatewayRoute[];
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** Called after each inference answer has been sent; its errors never reach the request. */
  onExchange?: (exchange: Exchange) => void | Promise<void>;
  /** Keep-alive connections each upstream may hold (default 64). */
  connectionsPerUpstream?: number;
  /** How long close() waits for in-flight requests before cutting them (default 10 s). */
  drainTimeoutMs?: number;
  /** The metrics to count into (a RuntimeMonitor sets drift on the same registry); new ones by default. */
  metrics?: GatewayMetrics;
  /**
   * Whether the gateway can serve, and why, for `GET /readyz` and the V2 readiness route (an attached
   * gateway is not ready before its first routing table). Ready, with the routed models, by default.
   */
  readiness?: () => GatewayReadiness;
}

export interface GatewayReadiness {
  ready: boolean;
  /** Said as it is in the `/readyz` answer (where routes come from, the control plane's state, …). */
  detail?: Record<string, unknown>;
}

export interface RunningGateway {
  url: string;
  metrics: GatewayMetrics;
  /** Swaps the routing table at once; requests in flight finish on the version they were sent to. */
  replaceRoutes(routes: readonly GatewayRoute[]): void;
  /** Stops accepting, waits for in-flight requests (bounded by drainTimeoutMs), closes the upstream pools. */
  close(): Promise<void>;
}

export const routeKeyHeader = 'x-warden-route-key';
export const modelVersionHeader = 'x-warden-model-version';

type Target =
  | { kind: 'metrics' }
  | { kind: 'health'; check: 'live' | 'ready' }
  | { kind: 'readyz' }
  | {
      kind: 'model';
      protocol: GatewayProtocol;
      model: string;
      version?: string;
      inference: boolean;
      /** The upstream path without the version's base path and without the query. */
      upstreamPath: string;
    };

const v2Path = /^\/v2\/models\/([^/]+)(?:\/versions\/([^/]+))?(\/infer|\/ready)?$/;
const v1Path = /^\/v1\/models\/([^/:]+):predict$/;
const mlflowPath = /^\/models\/([^/]+)\/invocations$/;

/** The route a method and path name, or why none does. */
function parseTarget(method: string, pathname: string): Target | { problem: string } {
  if (pathname === '/metrics' && method === 'GET') return { kind: 'metrics' };
  if (pathname === '/v2/health/live' && method === 'GET') return { kind: 'health', check: 'live' };
  if (pathname === '/v2/health/ready' && method === 'GET') return { kind: 'health', check: 'ready' };
  if (pathname === '/readyz' && method === 'GET') return { kind: 'readyz' };
  const decode = (segment: string) => {
    try {
      return decodeURIComponent(segment);
    } catch {
      return undefined;
    }
  };
  const v2 = v2Path.exec(pathname);
  if (v2) {
    const [, rawModel = '', rawVersion, suffix = ''] = v2;
    const model = decode(rawModel);
    const version = rawVersion === undefined ? undefined : decode(rawVersion);
    const inference = suffix === '/infer';
    if (model === undefined || (rawVersion !== undefined && version === undefined)) {
      return { problem: `${pathname}: the model or version name is not valid percent-encoding` };
    }
    if (method !== (inference ? 'POST' : 'GET')) {
      return {
        problem: `${method} ${pathname}: no such route; ${inference ? 'inference is POST' : 'metadata and readiness are GET'}`,
      };
    }
    return {
      kind: 'model',
      protocol: 'v2',
      model,
      ...(version === undefined ? {} : { version }),
      inference,
      // Each version has its own upstream, which serves the model unversioned.
      upstreamPath: `/v2/models/${rawModel}${suffix}`,
    };
  }
  const v1 = v1Path.exec(pathname);
  const mlflow = v1 ? null : mlflowPath.exec(pathname);
  const match = v1 ?? mlflow;
  if (match) {
    const model = decode(match[1] ?? '');
    if (model === undefined) return { problem: `${pathname}: the model name is not valid percent-encoding` };
    if (method !== 'POST') return { problem: `${method} ${pathname}: no such route; inference is POST` };
    return v1
      ? { kind: 'model', protocol: 'v1', model, inference: true, upstreamPath: pathname }
      : { kind: 'model', protocol: 'mlflow', model, inference: true, upstreamPath: '/invocations' };
  }
  return {
    problem: `${method} ${pathname}: no such route; the gateway serves POST /v2/models/{model}/infer, POST /v1/models/{model}:predict, POST /models/{model}/invocations, the V2 metadata and health routes, GET /readyz and GET /metrics`,
  };
}

const hopByHop = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'host',
  'expect',
  routeKeyHeader,
]);

function forwardedHeaders(headers: IncomingHttpHeaders | Record<string, string | string[] | undefined>) {
  const listed = String(headers['connection'] ?? '')
    .split(',')
    .map((name) => name.trim().toLowerCase());
  const kept: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || hopByHop.has(name) || listed.includes(name)) continue;
    kept[name] = value;
  }
  return kept;
}

class BodyTooLarge extends Error {}

/** Passes a request body through unchanged, failing once it exceeds the limit; keeps a copy when asked. */
class BodyLimit extends Transform {
  private seen = 0;
  readonly copy: Buffer[] | undefined;

  constructor(
    private readonly limit: number,
    keepCopy: boolean,
  ) {
    super();
    this.copy = keepCopy ? [] : undefined;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.seen += chunk.length;
    if (this.seen > this.limit) {
      callback(new BodyTooLarge());
      return;
    }
    this.copy?.push(chunk);
    callback(null, chunk);
  }
}

interface Upstream {
  pool: Pool;
  basePath: string;
}

/** Starts the gateway on host:port and resolves once it listens. */
export async function startGateway(options: GatewayOptions): Promise<RunningGateway> {
  const metrics = options.metrics ?? new GatewayMetrics();
  const router = new Router(new RoutingTable(options.routes));
  const upstreams = new Map<string, Upstream>();
  const connections = options.connectionsPerUpstream ?? 64;
  const drainTimeoutMs = options.drainTimeoutMs ?? 10_000;
  const observer = options.onExchange;
  const ready = (): GatewayReadiness => {
    const said = options.readiness?.() ?? { ready: true };
    return draining ? { ...said, ready: false } : said;
  };
  const active = new Set<ServerResponse>();
  let draining = false;
  let drained: (() => void) | undefined;

  const syncUpstreams = (routes: readonly GatewayRoute[]) => {
    const wanted = new Set(routes.flatMap((route) => [...route.versions.values()]));
    for (const base of wanted) {
      if (upstreams.has(base)) continue;
      const url = new URL(base);
      upstreams.set(base, {
        pool: new Pool(url.origin, { connections, headersTimeout: 0, bodyTimeout: 0 }),
        basePath: url.pathname.replace(/\/+$/, ''),
      });
    }
    for (const [base, upstream] of upstreams) {
      if (wanted.has(base)) continue;
      upstreams.delete(base);
      // close() lets the requests already sent to it finish.
      void upstream.pool.close().catch(() => undefined);
    }
    metrics.setRoutes(routes);
  };
  syncUpstreams(options.routes);

  const server = createServer((req, res) => {
    active.add(res);
    res.once('close', () => {
      active.delete(res);
      if (draining && active.size === 0) drained?.();
    });
    if (draining) res.setHeader('connection', 'close');
    handle(req, res).catch(() => {
      // A fault of the gateway itself: answer once, coded, and never show the stack.
      if (!res.headersSent) {
        sendError(
          res,
          502,
          'WARDEN_ERR_GATEWAY_UPSTREAM_UNREACHABLE',
          'the gateway failed to forward the request',
        );
      } else res.destroy();
    });
  });
  server.keepAliveTimeout = 65_000;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = process.hrtime.bigint();
    const url = new URL(req.url ?? '/', 'http://gateway');
    const target = parseTarget(req.method ?? 'GET', url.pathname);
    if ('problem' in target) {
      req.resume();
      sendError(res, 404, 'WARDEN_ERR_GATEWAY_UNKNOWN_ROUTE', target.problem);
      return;
    }
    if (target.kind === 'metrics') {
      const { contentType, text } = await metrics.exposition();
      res.writeHead(200, { 'content-type': contentType }).end(text);
      return;
    }
    if (target.kind === 'health') {
      res.writeHead(target.check === 'ready' && !ready().ready ? 503 : 200).end();
      return;
    }
    if (target.kind === 'readyz') {
      const { ready: serving, detail } = ready();
      const body = JSON.stringify({
        ready: serving,
        draining,
        models: router.table.models.map((route) => route.model),
        ...detail,
      });
      res
        .writeHead(serving ? 200 : 503, {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
        })
        .end(body);
      return;
    }
    const routeKey = req.headers[routeKeyHeader];
    const lookup = router.table.choose(target.model, {
      ...(target.version === undefined ? {} : { pinned: target.version }),
      ...(typeof routeKey === 'string' ? { routeKey } : {}),
    });
    const seconds = () => Number(process.hrtime.bigint() - started) / 1e9;
    if (!lookup.found) {
      req.resume();
      const served = router.table.models.map((route) => route.model);
      const message =
        lookup.reason === 'unknown-model'
          ? `model "${target.model}" is not served by this gateway; it serves ${served.join(', ') || 'no model'}`
          : `model "${target.model}" has no version "${target.version}"; its versions are ${[...(lookup.route?.versions.keys() ?? [])].join(', ')}`;
      sendError(res, 404, 'WARDEN_ERR_GATEWAY_UNKNOWN_ROUTE', message);
      if (target.inference) metrics.answered(lookup.route?.model ?? '', '', 404, seconds());
      return;
    }
    const { route, version, upstream: base } = lookup.chosen;
    if (route.protocol !== target.protocol) {
      req.resume();
      sendError(
        res,
        404,
        'WARDEN_ERR_GATEWAY_UNKNOWN_ROUTE',
        `model "${route.model}" is served with protocol ${route.protocol}, not ${target.protocol}; call ${exampleInferencePath(route)}`,
      );
      if (target.inference) metrics.answered(route.model, '', 404, seconds());
      return;
    }
    const upstream = upstreams.get(base) as Upstream;
    if (target.inference) {
      metrics.started(route.model);
      res.once('close', () => metrics.finished(route.model));
    }
    const outcome = await forward(req, res, { route, version, upstream, target, url });
    if (!target.inference) return;
    const status = outcome.status;
    metrics.answered(route.model, version, status, seconds());
    if (outcome.upstreamError) metrics.upstreamError(route.model, version, outcome.upstreamError);
    if (observer && outcome.answered) {
      const exchange: Exchange = {
        model: route.model,
        version,
        protocol: route.protocol,
        status,
        seconds: seconds(),
        ...(outcome.requestBody ? { requestBody: outcome.requestBody } : {}),
        ...(outcome.responseBody ? { responseBody: outcome.responseBody } : {}),
      };
      try {
        void Promise.resolve(observer(exchange)).catch(() => undefined);
      } catch {
        // An observer's fault must not touch the traffic.
      }
    }
  }

  interface Forwarded {
    status: number;
    /** False when the client went away before the whole answer was sent. */
    answered: boolean;
    upstreamError?: UpstreamErrorKind;
    requestBody?: Buffer;
    responseBody?: Buffer;
  }

  async function forward(
    req: IncomingMessage,
    res: ServerResponse,
    context: {
      route: GatewayRoute;
      version: string;
      upstream: Upstream;
      target: Extract<Target, { kind: 'model' }>;
      url: URL;
    },
  ): Promise<Forwarded> {
    const { route, version, upstream, target } = context;
    res.setHeader(modelVersionHeader, version);
    const sendsBody = req.method === 'POST';
    const declared = Number(req.headers['content-length']);
    if (sendsBody && Number.isFinite(declared) && declared > route.maxBodyBytes) {
      res.setHeader('connection', 'close');
      sendError(res, 413, 'WARDEN_ERR_GATEWAY_BODY_TOO_LARGE', tooLargeMessage(route, declared));
      req.resume();
      return { status: 413, answered: true };
    }
    const keepCopies = target.inference && observer !== undefined;
    // A body whose content-length fits cannot grow past it (the HTTP parser stops there), so it
    // streams to the upstream as it is; one of unknown length is counted on the way.
    const fitsDeclared = Number.isFinite(declared) && !keepCopies;
    const limiter = sendsBody && !fitsDeclared ? new BodyLimit(route.maxBodyBytes, keepCopies) : undefined;
    if (limiter) {
      req.pipe(limiter);
      req.once('error', (error) => limiter.destroy(error));
    } else if (!sendsBody) {
      req.resume();
    }
    const headers = forwardedHeaders(req.headers);
    if (!sendsBody) delete headers['content-length'];

    const timeout = new Error('timeout');
    const clientGone = new Error('client gone');
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(timeout), route.timeoutMs);
    const onClientGone = () => {
      if (!res.writableFinished) controller.abort(clientGone);
    };
    res.once('close', onClientGone);
    try {
      let answer: Awaited<ReturnType<Pool['request']>>;
      try {
        answer = await upstream.pool.request({
          path: `${upstream.basePath}${target.upstreamPath}${context.url.search}`,
          method: sendsBody ? 'POST' : 'GET',
          headers,
          body: sendsBody ? (limiter ?? req) : null,
          signal: controller.signal,
        });
      } catch (error) {
        if (controller.signal.reason === clientGone) return { status: 499, answered: false };
        if (!req.complete) res.setHeader('connection', 'close');
        if (error instanceof BodyTooLarge || (error as { cause?: unknown }).cause instanceof BodyTooLarge) {
          sendError(res, 413, 'WARDEN_ERR_GATEWAY_BODY_TOO_LARGE', tooLargeMessage(route));
          return { status: 413, answered: true };
        }
        if (controller.signal.reason === timeout) {
          sendError(
            res,
            504,
            'WARDEN_ERR_GATEWAY_UPSTREAM_TIMEOUT',
            `version ${version} of model "${route.model}" did not answer within ${route.timeoutMs} ms (timeoutMs)`,
          );
          return { status: 504, answered: true, upstreamError: 'timeout' };
        }
        sendError(
          res,
          502,
          'WARDEN_ERR_GATEWAY_UPSTREAM_UNREACHABLE',
          `version ${version} of model "${route.model}": its upstream cannot be reached (${upstreamErrorName(error)})`,
        );
        return { status: 502, answered: true, upstreamError: 'unreachable' };
      }
      const status = answer.statusCode;
      if (draining) res.setHeader('connection', 'close');
      const answerHeaders = forwardedHeaders(answer.headers);
      // The version header is the gateway's word, not the upstream's.
      delete answerHeaders[modelVersionHeader];
      res.writeHead(status, answerHeaders);
      const copy = keepCopies ? new BoundedCopy(route.maxBodyBytes) : undefined;
      try {
        if (copy) await pipeline(answer.body, copy, res);
        else await pipeline(answer.body, res);
      } catch {
        res.destroy();
        if (controller.signal.reason === timeout)
          return { status: 504, answered: false, upstreamError: 'timeout' };
        if (controller.signal.reason === clientGone) return { status: 499, answered: false };
        return { status: 502, answered: false, upstreamError: 'unreachable' };
      }
      const requestBody = limiter?.copy ? Buffer.concat(limiter.copy) : undefined;
      const responseBody = copy?.result();
      return {
        status,
        answered: true,
        ...(status >= 500 ? { upstreamError: 'status_5xx' as const } : {}),
        ...(requestBody ? { requestBody } : {}),
        ...(responseBody ? { responseBody } : {}),
      };
    } finally {
      clearTimeout(timer);
      res.off('close', onClientGone);
    }
  }

  const listenHost = options.host ?? '127.0.0.1';
  const listenPort = options.port ?? 8090;
  try {
    await new Promise<void>((listening, failed) => {
      server.once('error', failed);
      server.listen(listenPort, listenHost, () => {
        server.off('error', failed);
        listening();
      });
    });
  } catch (error) {
    await Promise.all([...upstreams.values()].map(({ pool }) => pool.destroy().catch(() => undefined)));
    const code = (error as { code?: string }).code;
    const why = code === 'EADDRINUSE' ? 'the port is in use' : code === 'EACCES' ? 'it is not allowed' : code;
    throw new WardenError(
      'WARDEN_ERR_SERVER_LISTEN',
      `cannot listen on ${listenHost}:${listenPort}: ${why ?? 'the address cannot be used'}; pass another --port (or stop what holds it)`,
    );
  }
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${address.port}`,
    metrics,
    replaceRoutes(routes) {
      router.replace(new RoutingTable(routes));
      syncUpstreams(routes);
    },
    close() {
      closing ??= (async () => {
        draining = true;
        const stopped = new Promise<void>((done) => server.close(() => done()));
        server.closeIdleConnections();
        const finished =
          active.size === 0
            ? Promise.resolve(true)
            : new Promise<boolean>((done) => {
                drained = () => done(true);
              });
        let timer: NodeJS.Timeout | undefined;
        const inTime = await Promise.race([
          finished,
          new Promise<boolean>((done) => {
            timer = setTimeout(() => done(false), drainTimeoutMs);
          }),
        ]);
        clearTimeout(timer);
        // Keep-alive connections that carried the last requests are idle now; cut them too.
        if (inTime) server.closeIdleConnections();
        else server.closeAllConnections();
        await stopped;
        await Promise.all(
          [...upstreams.values()].map(({ pool }) =>
            (inTime ? pool.close() : pool.destroy()).catch(() => undefined),
          ),
        );
      })();
      return closing;
    },
  };
}

/** Copies an answer's bytes as they pass, up to a limit; past it the copy is dropped, never the answer. */
class BoundedCopy extends Transform {
  private chunks: Buffer[] | undefined = [];
  private size = 0;

  constructor(private readonly limit: number) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    if (this.chunks) {
      this.size += chunk.length;
      if (this.size > this.limit) this.chunks = undefined;
      else this.chunks.push(chunk);
    }
    callback(null, chunk);
  }

  result(): Buffer | undefined {
    return this.chunks ? Buffer.concat(this.chunks) : undefined;
  }
}

function sendError(res: ServerResponse, status: number, code: ErrorCode, message: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (errorRegistry[code].httpStatus !== status) throw new Error(`${code} is not answered with ${status}`);
  const body = JSON.stringify({ error: { code, message } });
  res
    .writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) })
    .end(body);
}

function tooLargeMessage(route: GatewayRoute, declared?: number): string {
  const size = declared === undefined ? 'the request body is' : `the request body is ${declared} bytes,`;
  return `${size} larger than the ${route.maxBodyBytes} bytes model "${route.model}" accepts (maxBodyBytes); send smaller batches`;
}

function exampleInferencePath(route: GatewayRoute): string {
  if (route.protocol === 'v2') return `POST /v2/models/${route.model}/infer`;
  if (route.protocol === 'v1') return `POST /v1/models/${route.model}:predict`;
  return `POST /models/${route.model}/invocations`;
}

/** The error's code (ECONNREFUSED, UND_ERR_SOCKET, …), never its message, which may name addresses. */
function upstreamErrorName(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : 'connection failed';
}
