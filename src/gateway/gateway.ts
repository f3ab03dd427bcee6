import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Readable, Transform, type TransformCallback } from 'node:stream';
import { type Dispatcher, Pool } from 'undici';
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
  /**
   * Whether a route's exchanges carry their request and answer bodies (what live drift decodes);
   * every route's do by default. Counting alone (SLOs) needs no copy.
   */
  exchangeBodies?: (route: GatewayRoute) => boolean;
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

/** A path and query the URL parser would leave as they are: no dot segments, nothing to escape. */
const plainTarget = /^(?:\/[\w~:@!$&'()*+,;=-][\w.~:@!$&'()*+,;=%-]*)+(?:\?[\w.~:@!$&()*+,;=%/?-]+)?$/;

/** The request target's path and query, as `new URL` reads them (which only the unusual ones need). */
function splitTarget(raw: string): { pathname: string; search: string } {
  if (plainTarget.test(raw)) {
    const at = raw.indexOf('?');
    return at < 0 ? { pathname: raw, search: '' } : { pathname: raw.slice(0, at), search: raw.slice(at) };
  }
  const url = new URL(raw, 'http://gateway');
  return { pathname: url.pathname, search: url.search };
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
  const connection = headers['connection'];
  // The headers a connection header names are hop-by-hop too; the usual values name none.
  const listed =
    connection === undefined || connection === 'keep-alive' || connection === 'close'
      ? undefined
      : String(connection)
          .split(',')
          .map((name) => name.trim().toLowerCase());
  const kept: Record<string, string | string[]> = {};
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined || hopByHop.has(name) || listed?.includes(name)) continue;
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

/** Request bodies up to this size are read whole and sent upstream in one write. */
const wholeBodyBytes = 64 * 1024;

interface Forwarded {
  status: number;
  /** False when the client went away before the whole answer was sent. */
  answered: boolean;
  upstreamError?: UpstreamErrorKind;
  requestBody?: Buffer;
  responseBody?: Buffer;
}

/**
 * One exchange with an upstream, as undici's dispatch handler: the answer is written to the client
 * as it arrives (pausing the upstream while the client is slow), and the exchange settles once,
 * with its outcome, when the answer is sent or the exchange fails, times out or the client leaves.
 */
class Forwarding implements Dispatcher.DispatchHandler {
  #controller: Dispatcher.DispatchController | undefined;
  /** Why the gateway ended the exchange itself, if it did. */
  #reason: 'timeout' | 'client-gone' | undefined;
  #settled = false;
  #headersSent = false;
  #status = 0;
  readonly #timer: NodeJS.Timeout;
  #requestBody: Buffer | undefined;
  /** The streamed request body's copy (BodyLimit's), when it streams. */
  streamedCopy: Buffer[] | undefined;
  #answerCopy: Buffer[] | undefined;
  #answerSize = 0;

  constructor(
    private readonly req: IncomingMessage,
    private readonly res: ServerResponse,
    private readonly route: GatewayRoute,
    private readonly version: string,
    private readonly keepCopies: boolean,
    private readonly draining: () => boolean,
    private readonly settle: (outcome: Forwarded) => void,
  ) {
    this.#answerCopy = keepCopies ? [] : undefined;
    this.#timer = setTimeout(() => this.#end('timeout'), route.timeoutMs);
    res.on('close', () => {
      if (!res.writableFinished) this.#end('client-gone');
    });
  }

  /** Reads the whole body, then sends it; a client that leaves first ends the exchange as 499. */
  readWhole(send: (body: Buffer) => void): void {
    const chunks: Buffer[] = [];
    this.req.on('data', (chunk: Buffer) => chunks.push(chunk));
    this.req.on('error', () => this.#end('client-gone'));
    this.req.on('end', () => {
      if (this.#settled) return;
      const body = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
      if (this.keepCopies) this.#requestBody = body;
      send(body);
    });
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.#controller = controller;
    if (this.#settled) controller.abort(new Error(this.#reason ?? 'settled'));
  }

  onResponseStart(
    _controller: Dispatcher.DispatchController,
    status: number,
    headers: IncomingHttpHeaders,
  ): void {
    if (this.#settled || status < 200) return;
    this.#status = status;
    const { res } = this;
    if (this.draining()) res.setHeader('connection', 'close');
    const answerHeaders = forwardedHeaders(headers);
    // The version header is the gateway's word, not the upstream's.
    delete answerHeaders[modelVersionHeader];
    res.writeHead(status, answerHeaders);
    this.#headersSent = true;
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.#settled) return;
    if (this.#answerCopy) {
      this.#answerSize += chunk.length;
      // Past the limit the copy is dropped, never the answer.
      if (this.#answerSize > this.route.maxBodyBytes) this.#answerCopy = undefined;
      else this.#answerCopy.push(chunk);
    }
    if (!this.res.write(chunk)) {
      controller.pause();
      this.res.once('drain', () => controller.resume());
    }
  }

  onResponseEnd(): void {
    if (this.#settled) return;
    this.res.end(() => {
      const status = this.#status;
      const requestBody =
        this.#requestBody ?? (this.streamedCopy ? Buffer.concat(this.streamedCopy) : undefined);
      const copy = this.#answerCopy;
      const responseBody = copy ? (copy.length === 1 ? copy[0] : Buffer.concat(copy)) : undefined;
      this.#finish({
        status,
        answered: true,
        ...(status >= 500 ? { upstreamError: 'status_5xx' as const } : {}),
        ...(requestBody ? { requestBody } : {}),
        ...(responseBody ? { responseBody } : {}),
      });
    });
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    if (this.#settled) return;
    const { res, route, version } = this;
    if (this.#headersSent) {
      // The answer broke off after its headers: the client cannot be told, only cut off.
      res.destroy();
      this.#finish({ status: 502, answered: false, upstreamError: 'unreachable' });
      return;
    }
    if (!this.req.complete) res.setHeader('connection', 'close');
    if (error instanceof BodyTooLarge || (error as { cause?: unknown }).cause instanceof BodyTooLarge) {
      sendError(res, 413, 'WARDEN_ERR_GATEWAY_BODY_TOO_LARGE', tooLargeMessage(route));
      this.#finish({ status: 413, answered: true });
      return;
    }
    sendError(
      res,
      502,
      'WARDEN_ERR_GATEWAY_UPSTREAM_UNREACHABLE',
      `version ${version} of model "${route.model}": its upstream cannot be reached (${upstreamErrorName(error)})`,
    );
    this.#finish({ status: 502, answered: true, upstreamError: 'unreachable' });
  }

  /** The gateway ends the exchange: the timeout passed, or the client left. */
  #end(reason: 'timeout' | 'client-gone'): void {
    if (this.#settled) return;
    this.#reason = reason;
    const { res, route, version } = this;
    if (reason === 'client-gone') {
      this.#finish({ status: 499, answered: false });
    } else if (this.#headersSent) {
      res.destroy();
      this.#finish({ status: 504, answered: false, upstreamError: 'timeout' });
    } else {
      if (!this.req.complete) res.setHeader('connection', 'close');
      sendError(
        res,
        504,
        'WARDEN_ERR_GATEWAY_UPSTREAM_TIMEOUT',
        `version ${version} of model "${route.model}" did not answer within ${route.timeoutMs} ms (timeoutMs)`,
      );
      this.#finish({ status: 504, answered: true, upstreamError: 'timeout' });
    }
    // Settled first: the abort reports back through onResponseError, which then has nothing to say.
    this.#controller?.abort(new Error(reason));
  }

  #finish(outcome: Forwarded): void {
    this.#settled = true;
    clearTimeout(this.#timer);
    this.settle(outcome);
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
    const started = performance.now();
    const url = splitTarget(req.url ?? '/');
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
    const seconds = () => (performance.now() - started) / 1000;
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
    const { status } = outcome;
    const elapsed = seconds();
    metrics.answered(route.model, version, status, elapsed);
    if (outcome.upstreamError) metrics.upstreamError(route.model, version, outcome.upstreamError);
    if (observer && outcome.answered) {
      const exchange: Exchange = {
        model: route.model,
        version,
        protocol: route.protocol,
        status,
        seconds: elapsed,
        ...(outcome.requestBody ? { requestBody: outcome.requestBody } : {}),
        ...(outcome.responseBody ? { responseBody: outcome.responseBody } : {}),
      };
      try {
        const observed = observer(exchange);
        if (observed) observed.catch(() => undefined);
      } catch {
        // An observer's fault must not touch the traffic.
      }
    }
  }

  /**
   * Sends the request to the version's upstream and streams the answer back. Small bodies (most
   * inference requests) are read whole and sent upstream in one write; larger ones stream through.
   */
  function forward(
    req: IncomingMessage,
    res: ServerResponse,
    context: {
      route: GatewayRoute;
      version: string;
      upstream: Upstream;
      target: Extract<Target, { kind: 'model' }>;
      url: { search: string };
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
      return Promise.resolve({ status: 413, answered: true });
    }
    const keepCopies =
      target.inference && observer !== undefined && (options.exchangeBodies?.(route) ?? true);
    const headers = forwardedHeaders(req.headers);
    if (!sendsBody) delete headers['content-length'];
    return new Promise<Forwarded>((settle) => {
      const exchange = new Forwarding(req, res, route, version, keepCopies, () => draining, settle);
      const send = (body: Buffer | Readable | null) =>
        upstream.pool.dispatch(
          {
            path: `${upstream.basePath}${target.upstreamPath}${context.url.search}`,
            method: sendsBody ? 'POST' : 'GET',
            headers,
            body,
          },
          exchange,
        );
      if (!sendsBody) {
        req.resume();
        send(null);
      } else if (Number.isFinite(declared) && declared <= wholeBodyBytes) {
        // The HTTP parser stops at content-length, so a declared size that fits cannot grow past it.
        exchange.readWhole(send);
      } else {
        // A body of unknown length is counted on the way (one within its declared size cannot grow).
        const limiter =
          Number.isFinite(declared) && !keepCopies
            ? undefined
            : new BodyLimit(route.maxBodyBytes, keepCopies);
        if (limiter) {
          req.pipe(limiter);
          req.once('error', (error) => limiter.destroy(error));
          exchange.streamedCopy = limiter.copy;
        }
        send(limiter ?? req);
      }
    });
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
