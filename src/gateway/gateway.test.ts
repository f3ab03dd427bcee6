import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { Agent, request } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Exchange, type RunningGateway, startGateway } from './gateway.js';
import { type GatewayRoute, parseGatewayConfig } from './gateway-config.js';
import { RoutingTable, routeKeyPoint } from './routing.js';

/** The answer the upstreams send: odd spacing and key order that a re-serialising proxy would lose. */
const upstreamAnswer = (name: string) => `{ "zeta":1,"alpha" :[1.50, 2.0e0],  "served_by":"${name}" }\r\n`;

interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

interface TestUpstream {
  name: string;
  url: string;
  received: Received[];
  close(): Promise<void>;
}

/**
 * A model server answering every path: with the body above (or the request's own with `x-test-echo`),
 * after `x-test-delay` ms, or with the status in `x-test-status`.
 */
async function startUpstream(name: string): Promise<TestUpstream> {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks),
      });
      const status = Number(req.headers['x-test-status'] ?? 200);
      const delay = Number(req.headers['x-test-delay'] ?? 0);
      const answer = () => {
        const body =
          status >= 500
            ? `{"error": "model ${name} failed"}`
            : req.headers['x-test-echo']
              ? Buffer.concat(chunks)
              : upstreamAnswer(name);
        res.writeHead(status, {
          'content-type': 'application/json; charset=utf-8',
          'x-upstream': name,
          // A model server cannot claim another version.
          'x-warden-model-version': 'spoofed',
        });
        res.end(body);
      };
      if (delay > 0) setTimeout(answer, delay);
      else answer();
    });
  });
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  const { port } = server.address() as AddressInfo;
  return {
    name,
    url: `http://127.0.0.1:${port}`,
    received,
    close: () =>
      new Promise<void>((closed) => {
        server.closeAllConnections();
        server.close(() => closed());
      }),
  };
}

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((closed) => server.close(() => closed()));
  return port;
}

function routesFrom(yaml: string): readonly GatewayRoute[] {
  return parseGatewayConfig('gateway.yaml', yaml).routes;
}

const client = new Agent({ connections: 64 });

async function call(
  gateway: RunningGateway,
  method: 'GET' | 'POST',
  path: string,
  options: { body?: string | Buffer | Readable; headers?: Record<string, string> } = {},
) {
  const answer = await request(`${gateway.url}${path}`, {
    method,
    dispatcher: client,
    headers: { 'content-type': 'application/json', ...options.headers },
    ...(options.body === undefined ? {} : { body: options.body }),
  });
  const body = Buffer.from(await answer.body.arrayBuffer());
  return { status: answer.statusCode, headers: answer.headers, body, text: body.toString('utf8') };
}

/** One sample's value from the Prometheus text format, 0 when the series is absent. */
function sample(text: string, name: string, labels: Record<string, string>): number {
  const wanted = Object.entries(labels)
    .map(([key, value]) => `${key}="${value}"`)
    .sort();
  for (const line of text.split('\n')) {
    const match = /^([a-z_]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const have = (match[2] ?? '').split(',').filter(Boolean).sort();
    if (have.length === wanted.length && have.every((label, index) => label === wanted[index]))
      return Number(match[3]);
  }
  return 0;
}

async function metricsText(gateway: RunningGateway): Promise<string> {
  const answer = await call(gateway, 'GET', '/metrics');
  expect(answer.status).toBe(200);
  expect(answer.headers['content-type']).toContain('text/plain');
  return answer.text;
}

/** Sends `count` requests, `concurrency` at a time. */
async function sendMany<T>(
  count: number,
  concurrency: number,
  send: (index: number) => Promise<T>,
): Promise<T[]> {
  const results: T[] = new Array(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const index = next++;
        results[index] = await send(index);
      }
    }),
  );
  return results;
}

const inferBody =
  '{ "inputs" :[ {"name":"amount","shape":[1],  "datatype":"FP32","data":[12.50]} ] ,"id":"a"}\n  ';

describe('warden gateway', () => {
  let one: TestUpstream;
  let two: TestUpstream;
  let deadPort: number;
  const gateways: RunningGateway[] = [];

  async function gatewayFor(
    yaml: string,
    onExchange?: (exchange: Exchange) => void,
  ): Promise<RunningGateway> {
    const gateway = await startGateway({
      routes: routesFrom(yaml),
      host: '127.0.0.1',
      port: 0,
      drainTimeoutMs: 5000,
      ...(onExchange ? { onExchange } : {}),
    });
    gateways.push(gateway);
    return gateway;
  }

  const config = (serve = '{ "1": 80, "2": 20 }', extra = '') => `apiVersion: warden.dev/v1
kind: Gateway
routes:
  - model: fraud
    protocol: v2
    versions:
      "1": { url: "${one.url}" }
      "2": { url: "${two.url}" }
    serve: ${serve}
    timeoutMs: 300
    maxBodyBytes: 1024
${extra}`;

  beforeAll(async () => {
    one = await startUpstream('one');
    two = await startUpstream('two');
    deadPort = await closedPort();
  });
  afterEach(async () => {
    await Promise.all(gateways.splice(0).map((gateway) => gateway.close()));
    one.received.length = 0;
    two.received.length = 0;
  });
  afterAll(async () => {
    await Promise.all([one.close(), two.close(), client.close()]);
  });

  it('forwards the request body byte for byte and returns the answer byte for byte, naming the version', async () => {
    const gateway = await gatewayFor(config('{ "1": 100 }'));
    const answer = await call(gateway, 'POST', '/v2/models/fraud/infer?trace=1', {
      body: inferBody,
      headers: { 'x-warden-route-key': 'customer-42', 'x-request-id': 'r1' },
    });
    expect(answer.status).toBe(200);
    expect(answer.text).toBe(upstreamAnswer('one'));
    expect(answer.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(answer.headers['x-upstream']).toBe('one');
    expect(answer.headers['x-warden-model-version']).toBe('1');
    const [received] = one.received;
    expect(received?.body.toString('utf8')).toBe(inferBody);
    expect(received?.url).toBe('/v2/models/fraud/infer?trace=1');
    expect(received?.headers['x-request-id']).toBe('r1');
    // The route key may be a customer id: it chooses the version and goes no further.
    expect(received?.headers['x-warden-route-key']).toBeUndefined();
  });

  it('passes a body of arbitrary bytes sent in pieces through unchanged', async () => {
    const gateway = await gatewayFor(config('{ "1": 100 }'));
    const bytes = Buffer.from(Array.from({ length: 700 }, (_, index) => (index * 37) % 256));
    const answer = await call(gateway, 'POST', '/v2/models/fraud/infer', {
      body: Readable.from([bytes.subarray(0, 300), bytes.subarray(300)]),
    });
    expect(answer.status).toBe(200);
    expect(one.received[0]?.body.equals(bytes)).toBe(true);
  });

  it('serves KServe V1 and MLflow routes on their upstream paths', async () => {
    const gateway = await gatewayFor(`apiVersion: warden.dev/v1
kind: Gateway
routes:
  - model: scorer
    protocol: v1
    versions: { "3": { url: "${one.url}" } }
    serve: { "3": 100 }
  - model: churn
    protocol: mlflow
    versions: { "7": { url: "${two.url}/mlflow" } }
    serve: { "7": 100 }
`);
    const v1 = await call(gateway, 'POST', '/v1/models/scorer:predict', { body: '{"instances": [[1, 2]]}' });
    expect(v1.status).toBe(200);
    expect(v1.headers['x-warden-model-version']).toBe('3');
    expect(one.received[0]?.url).toBe('/v1/models/scorer:predict');
    const mlflow = await call(gateway, 'POST', '/models/churn/invocations', {
      body: '{"dataframe_split": {}}',
    });
    expect(mlflow.status).toBe(200);
    expect(mlflow.text).toBe(upstreamAnswer('two'));
    expect(two.received[0]?.url).toBe('/mlflow/invocations');
    expect(two.received[0]?.body.toString()).toBe('{"dataframe_split": {}}');
    // A model is served with its own protocol only.
    const wrong = await call(gateway, 'POST', '/v2/models/churn/infer', { body: '{}' });
    expect(wrong.status).toBe(404);
    expect(JSON.parse(wrong.text).error.message).toContain(
      'served with protocol mlflow, not v2; call POST /models/churn/invocations',
    );
  });

  it('splits 10,000 requests 80/20 within five standard deviations and counts every one in /metrics', async () => {
    // The split is what is measured here, not speed: a loaded machine must not turn answers into 504s.
    const gateway = await gatewayFor(config().replace('timeoutMs: 300', 'timeoutMs: 10000'));
    const count = 10_000;
    const versions = await sendMany(count, 32, async () => {
      const answer = await call(gateway, 'POST', '/v2/models/fraud/infer', { body: inferBody });
      expect(answer.status).toBe(200);
      return answer.headers['x-warden-model-version'];
    });
    const toOne = versions.filter((version) => version === '1').length;
    // Binomial(n = 10,000, p = 0.8): mean 8,000, standard deviation sqrt(n·p·(1−p)) = 40. ±200 is
    // five deviations, so a fair split fails this about once in 1.7 million runs, while a split off
    // by 2 points (7,800 expected) fails it half the time and one off by 3 points nearly always.
    expect(toOne).toBeGreaterThanOrEqual(8000 - 200);
    expect(toOne).toBeLessThanOrEqual(8000 + 200);
    expect(one.received).toHaveLength(toOne);
    expect(two.received).toHaveLength(count - toOne);

    const text = await metricsText(gateway);
    expect(sample(text, 'warden_gateway_requests_total', { model: 'fraud', version: '1', code: '200' })).toBe(
      toOne,
    );
    expect(sample(text, 'warden_gateway_requests_total', { model: 'fraud', version: '2', code: '200' })).toBe(
      count - toOne,
    );
    const observed =
      sample(text, 'warden_gateway_request_duration_seconds_count', { model: 'fraud', version: '1' }) +
      sample(text, 'warden_gateway_request_duration_seconds_count', { model: 'fraud', version: '2' });
    expect(observed).toBe(count);
    expect(
      sample(text, 'warden_gateway_request_duration_seconds_bucket', {
        model: 'fraud',
        version: '1',
        le: '+Inf',
      }),
    ).toBe(toOne);
    expect(text).toContain(
      'warden_gateway_request_duration_seconds_bucket{le="0.0025",model="fraud",version="1"}',
    );
    expect(sample(text, 'warden_gateway_in_flight', { model: 'fraud' })).toBe(0);
    expect(sample(text, 'warden_gateway_routing_weight', { model: 'fraud', version: '1' })).toBe(0.8);
    expect(sample(text, 'warden_gateway_routing_weight', { model: 'fraud', version: '2' })).toBe(0.2);
  }, 60_000);

  it('keeps one route key on one version, and spreads keys by weight', async () => {
    const gateway = await gatewayFor(config('{ "1": 50, "2": 50 }'));
    const keys = Array.from({ length: 40 }, (_, index) => `customer-${index}`);
    const seen = new Map<string, Set<string>>();
    for (const key of keys) {
      for (let repeat = 0; repeat < 5; repeat++) {
        const answer = await call(gateway, 'POST', '/v2/models/fraud/infer', {
          body: inferBody,
          headers: { 'x-warden-route-key': key },
        });
        const versions = seen.get(key) ?? new Set();
        versions.add(String(answer.headers['x-warden-model-version']));
        seen.set(key, versions);
      }
    }
    for (const [key, versions] of seen) {
      expect(versions.size, key).toBe(1);
      // The version follows from the key's hash alone.
      expect([...versions][0], key).toBe(routeKeyPoint(key) < 50 ? '1' : '2');
    }
    const onOne = [...seen.values()].filter((versions) => versions.has('1')).length;
    // 40 keys at 50/50: both versions get some (all on one side has probability 2·0.5^40).
    expect(onOne).toBeGreaterThan(0);
    expect(onOne).toBeLessThan(40);
  });

  it('sends a pinned version to its upstream whatever the weights, and 404s a version it does not know', async () => {
    const gateway = await gatewayFor(config('{ "1": 100, "2": 0 }'));
    const pinned = await call(gateway, 'POST', '/v2/models/fraud/versions/2/infer', { body: inferBody });
    expect(pinned.status).toBe(200);
    expect(pinned.headers['x-warden-model-version']).toBe('2');
    expect(two.received[0]?.url).toBe('/v2/models/fraud/infer');
    const unknown = await call(gateway, 'POST', '/v2/models/fraud/versions/9/infer', { body: inferBody });
    expect(unknown.status).toBe(404);
    expect(JSON.parse(unknown.text)).toEqual({
      error: {
        code: 'WARDEN_ERR_GATEWAY_UNKNOWN_ROUTE',
        message: 'model "fraud" has no version "9"; its versions are 1, 2',
      },
    });
    // Weight 0 gets no unpinned traffic.
    for (let index = 0; index < 50; index++) {
      const answer = await call(gateway, 'POST', '/v2/models/fraud/infer', { body: inferBody });
      expect(answer.headers['x-warden-model-version']).toBe('1');
    }
  });

  it('answers unknown models and paths with a coded 404, counted under model=""', async () => {
    const gateway = await gatewayFor(config());
    const model = await call(gateway, 'POST', '/v2/models/nope/infer', { body: inferBody });
    expect(model.status).toBe(404);
    expect(model.headers['content-type']).toBe('application/json');
    expect(JSON.parse(model.text).error).toEqual({
      code: 'WARDEN_ERR_GATEWAY_UNKNOWN_ROUTE',
      message: 'model "nope" is not served by this gateway; it serves fraud',
    });
    const path = await call(gateway, 'POST', '/v3/whatever', { body: '{}' });
    expect(path.status).toBe(404);
    expect(JSON.parse(path.text).error.code).toBe('WARDEN_ERR_GATEWAY_UNKNOWN_ROUTE');
    const method = await call(gateway, 'GET', '/v2/models/fraud/infer');
    expect(JSON.parse(method.text).error.message).toContain('inference is POST');
    const text = await metricsText(gateway);
    expect(sample(text, 'warden_gateway_requests_total', { model: '', version: '', code: '404' })).toBe(1);
    expect(text).not.toContain('nope');
    expect(text).not.toContain('v3');
  });

  it('refuses a body over maxBodyBytes with 413: by content-length before reading it, or while streaming', async () => {
    const gateway = await gatewayFor(config('{ "1": 100 }'));
    const declared = await call(gateway, 'POST', '/v2/models/fraud/infer', { body: 'x'.repeat(2000) });
    expect(declared.status).toBe(413);
    expect(JSON.parse(declared.text).error).toEqual({
      code: 'WARDEN_ERR_GATEWAY_BODY_TOO_LARGE',
      message:
        'the request body is 2000 bytes, larger than the 1024 bytes model "fraud" accepts (maxBodyBytes); send smaller batches',
    });
    expect(one.received).toHaveLength(0);

    const streamed = await call(gateway, 'POST', '/v2/models/fraud/infer', {
      body: Readable.from([Buffer.alloc(600, 'a'), Buffer.alloc(600, 'b'), Buffer.alloc(600, 'c')]),
    });
    expect(streamed.status).toBe(413);
    expect(JSON.parse(streamed.text).error.code).toBe('WARDEN_ERR_GATEWAY_BODY_TOO_LARGE');
    // The upstream never got a whole request.
    expect(one.received).toHaveLength(0);
    const text = await metricsText(gateway);
    expect(sample(text, 'warden_gateway_requests_total', { model: 'fraud', version: '1', code: '413' })).toBe(
      2,
    );
  });

  it('answers 502 for an unreachable upstream and 504 for a slow one, and counts both by kind', async () => {
    const gateway = await gatewayFor(`apiVersion: warden.dev/v1
kind: Gateway
routes:
  - model: fraud
    protocol: v2
    versions:
      "1": { url: "${one.url}" }
      "2": { url: "http://127.0.0.1:${deadPort}" }
    serve: { "1": 100 }
    timeoutMs: 300
`);
    const dead = await call(gateway, 'POST', '/v2/models/fraud/versions/2/infer', { body: inferBody });
    expect(dead.status).toBe(502);
    expect(dead.headers['x-warden-model-version']).toBe('2');
    expect(JSON.parse(dead.text).error).toEqual({
      code: 'WARDEN_ERR_GATEWAY_UPSTREAM_UNREACHABLE',
      message: 'version 2 of model "fraud": its upstream cannot be reached (ECONNREFUSED)',
    });
    const slow = await call(gateway, 'POST', '/v2/models/fraud/infer', {
      body: inferBody,
      headers: { 'x-test-delay': '1500' },
    });
    expect(slow.status).toBe(504);
    expect(JSON.parse(slow.text).error).toEqual({
      code: 'WARDEN_ERR_GATEWAY_UPSTREAM_TIMEOUT',
      message: 'version 1 of model "fraud" did not answer within 300 ms (timeoutMs)',
    });
    const text = await metricsText(gateway);
    expect(
      sample(text, 'warden_gateway_upstream_errors_total', {
        model: 'fraud',
        version: '2',
        kind: 'unreachable',
      }),
    ).toBe(1);
    expect(
      sample(text, 'warden_gateway_upstream_errors_total', { model: 'fraud', version: '1', kind: 'timeout' }),
    ).toBe(1);
    expect(sample(text, 'warden_gateway_requests_total', { model: 'fraud', version: '1', code: '504' })).toBe(
      1,
    );
    expect(sample(text, 'warden_gateway_requests_total', { model: 'fraud', version: '2', code: '502' })).toBe(
      1,
    );
  });

  it('passes an upstream 500 through as it is, counted as status_5xx', async () => {
    const gateway = await gatewayFor(config('{ "1": 100 }'));
    const failed = await call(gateway, 'POST', '/v2/models/fraud/infer', {
      body: inferBody,
      headers: { 'x-test-status': '500' },
    });
    expect(failed.status).toBe(500);
    expect(failed.text).toBe('{"error": "model one failed"}');
    expect(failed.headers['x-warden-model-version']).toBe('1');
    const badInput = await call(gateway, 'POST', '/v2/models/fraud/infer', {
      body: 'not json',
      headers: { 'x-test-status': '400' },
    });
    expect(badInput.status).toBe(400);
    expect(one.received[1]?.body.toString()).toBe('not json');
    const text = await metricsText(gateway);
    expect(
      sample(text, 'warden_gateway_upstream_errors_total', {
        model: 'fraud',
        version: '1',
        kind: 'status_5xx',
      }),
    ).toBe(1);
    expect(sample(text, 'warden_gateway_requests_total', { model: 'fraud', version: '1', code: '500' })).toBe(
      1,
    );
    expect(sample(text, 'warden_gateway_requests_total', { model: 'fraud', version: '1', code: '400' })).toBe(
      1,
    );
  });

  it('forwards V2 metadata and readiness, and answers its own health', async () => {
    const gateway = await gatewayFor(config('{ "2": 100, "1": 0 }'));
    const metadata = await call(gateway, 'GET', '/v2/models/fraud');
    expect(metadata.status).toBe(200);
    expect(metadata.headers['x-warden-model-version']).toBe('2');
    expect(two.received[0]).toMatchObject({ method: 'GET', url: '/v2/models/fraud' });
    const ready = await call(gateway, 'GET', '/v2/models/fraud/versions/1/ready');
    expect(ready.status).toBe(200);
    expect(one.received[0]).toMatchObject({ method: 'GET', url: '/v2/models/fraud/ready' });
    expect((await call(gateway, 'GET', '/v2/health/live')).status).toBe(200);
    expect((await call(gateway, 'GET', '/v2/health/ready')).status).toBe(200);
    // Probes and metadata are not inference traffic.
    expect(
      sample(await metricsText(gateway), 'warden_gateway_requests_total', {
        model: 'fraud',
        version: '2',
        code: '200',
      }),
    ).toBe(0);
  });

  it('reports each exchange with its bodies to an observer after the answer is sent', async () => {
    const exchanges: Exchange[] = [];
    const gateway = await gatewayFor(config('{ "1": 100 }'), (exchange) => {
      exchanges.push(exchange);
      throw new Error('an observer fault must not reach the client');
    });
    const answer = await call(gateway, 'POST', '/v2/models/fraud/infer', { body: inferBody });
    expect(answer.status).toBe(200);
    const overLimit = await call(gateway, 'POST', '/v2/models/fraud/infer', { body: 'y'.repeat(1500) });
    expect(overLimit.status).toBe(413);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(exchanges).toHaveLength(2);
    expect(exchanges[0]).toMatchObject({ model: 'fraud', version: '1', protocol: 'v2', status: 200 });
    expect(exchanges[0]?.requestBody?.toString()).toBe(inferBody);
    expect(exchanges[0]?.responseBody?.toString()).toBe(upstreamAnswer('one'));
    expect(exchanges[0]?.seconds).toBeGreaterThan(0);
    expect(exchanges[1]).toMatchObject({ status: 413 });
    expect(exchanges[1]?.requestBody).toBeUndefined();
  });

  it('reports exchanges without their bodies for routes exchangeBodies leaves out (counting needs no copy)', async () => {
    const exchanges: Exchange[] = [];
    const gateway = await startGateway({
      routes: routesFrom(config('{ "1": 100 }').replace('maxBodyBytes: 1024', 'maxBodyBytes: 4194304')),
      host: '127.0.0.1',
      port: 0,
      onExchange: (exchange) => {
        exchanges.push(exchange);
      },
      exchangeBodies: (route) => route.baselineDocument !== undefined,
    });
    gateways.push(gateway);
    for (const body of [inferBody, 'x'.repeat(100_000)]) {
      expect((await call(gateway, 'POST', '/v2/models/fraud/infer', { body })).status).toBe(200);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(exchanges.map((exchange) => exchange.status)).toEqual([200, 200]);
    expect(exchanges.some((exchange) => exchange.requestBody ?? exchange.responseBody)).toBe(false);
  });

  it('passes bodies past the read-whole size (64 KiB) both ways intact, and copies both for the observer', async () => {
    const exchanges: Exchange[] = [];
    const gateway = await gatewayFor(
      config('{ "1": 100 }').replace('maxBodyBytes: 1024', 'maxBodyBytes: 4194304'),
      (exchange) => exchanges.push(exchange),
    );
    for (const size of [1000, 300_000]) {
      const body = Buffer.from(Array.from({ length: size }, (_, i) => (i * 7919) % 251));
      const answer = await call(gateway, 'POST', '/v2/models/fraud/infer', {
        body,
        headers: { 'x-test-echo': '1' },
      });
      expect(answer.status).toBe(200);
      expect(answer.body.equals(body)).toBe(true);
      expect(one.received.at(-1)?.body.equals(body)).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(exchanges.at(-1)?.requestBody?.equals(body)).toBe(true);
      expect(exchanges.at(-1)?.responseBody?.equals(body)).toBe(true);
    }
  });

  it('replaces the routing table at once, and in-flight requests finish where they were sent', async () => {
    const gateway = await gatewayFor(config('{ "1": 100, "2": 0 }'));
    const inFlight = call(gateway, 'POST', '/v2/models/fraud/infer', {
      body: inferBody,
      headers: { 'x-test-delay': '150' },
    });
    await new Promise((resolve) => setTimeout(resolve, 30));
    gateway.replaceRoutes(routesFrom(config('{ "1": 0, "2": 100 }')));
    const after = await call(gateway, 'POST', '/v2/models/fraud/infer', { body: inferBody });
    expect(after.headers['x-warden-model-version']).toBe('2');
    const before = await inFlight;
    expect(before.status).toBe(200);
    expect(before.headers['x-warden-model-version']).toBe('1');
    const text = await metricsText(gateway);
    expect(sample(text, 'warden_gateway_routing_weight', { model: 'fraud', version: '2' })).toBe(1);
    expect(sample(text, 'warden_gateway_routing_weight', { model: 'fraud', version: '1' })).toBe(0);
  });

  it('drains on close: in-flight requests complete, new connections are refused', async () => {
    const gateway = await gatewayFor(config('{ "1": 100 }', ''));
    const slowConfig = routesFrom(config('{ "1": 100 }').replace('timeoutMs: 300', 'timeoutMs: 5000'));
    gateway.replaceRoutes(slowConfig);
    const slow = Promise.all(
      [0, 1, 2].map(() =>
        call(gateway, 'POST', '/v2/models/fraud/infer', {
          body: inferBody,
          headers: { 'x-test-delay': '400' },
        }),
      ),
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    const closed = gateway.close();
    const answers = await slow;
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200]);
    expect(answers[0]?.text).toBe(upstreamAnswer('one'));
    await closed;
    await expect(request(`${gateway.url}/v2/health/live`)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });
});

describe('routing table', () => {
  const route = routesFrom(`apiVersion: warden.dev/v1
kind: Gateway
routes:
  - model: m
    protocol: v2
    versions: { "a": { url: "http://127.0.0.1:1" }, "b": { url: "http://127.0.0.1:2" }, "c": { url: "http://127.0.0.1:3" } }
    serve: { "a": 30, "b": 0, "c": 70 }
`);
  const table = new RoutingTable(route);

  it('maps the draw onto the weight intervals in config order, skipping zero weights', () => {
    const at = (point: number) => {
      const lookup = table.choose('m', { random: () => point / 100 });
      return lookup.found ? lookup.chosen.version : undefined;
    };
    expect([at(0), at(29.99), at(30), at(99.99)]).toEqual(['a', 'a', 'c', 'c']);
    expect(table.choose('x')).toEqual({ found: false, reason: 'unknown-model' });
  });

  it('places route keys evenly in [0, 100)', () => {
    const points = Array.from({ length: 20_000 }, (_, index) => routeKeyPoint(`key-${index}`));
    expect(Math.min(...points)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...points)).toBeLessThan(100);
    // Share below 30: mean 0.3, standard deviation sqrt(0.3·0.7/20,000) ≈ 0.0032; ±0.016 is five.
    const below = points.filter((point) => point < 30).length / points.length;
    expect(Math.abs(below - 0.3)).toBeLessThan(0.016);
  });
});

describe('warden gateway when things go wrong', () => {
  let upstream: TestUpstream;
  beforeAll(async () => {
    upstream = await startUpstream('slow');
  });
  afterAll(async () => {
    await upstream.close();
  });
  const yaml = () => `apiVersion: warden.dev/v1
kind: Gateway
routes:
  - model: fraud
    protocol: v2
    versions: { "1": { url: "${upstream.url}" } }
    serve: { "1": 100 }
    timeoutMs: 10000
`;

  it('counts a client that leaves before the answer as 499 and frees its in-flight slot', async () => {
    const gateway = await startGateway({ routes: routesFrom(yaml()), port: 0 });
    try {
      const leaving = request(`${gateway.url}/v2/models/fraud/infer`, {
        method: 'POST',
        body: inferBody,
        headers: { 'x-test-delay': '400' },
        signal: AbortSignal.timeout(100),
      });
      await expect(leaving).rejects.toThrow();
      await new Promise((resolve) => setTimeout(resolve, 100));
      const text = await (await request(`${gateway.url}/metrics`)).body.text();
      expect(
        sample(text, 'warden_gateway_requests_total', { model: 'fraud', version: '1', code: '499' }),
      ).toBe(1);
      expect(sample(text, 'warden_gateway_in_flight', { model: 'fraud' })).toBe(0);
    } finally {
      await gateway.close();
    }
  });

  it('stops waiting for in-flight requests after drainTimeoutMs', async () => {
    const gateway = await startGateway({ routes: routesFrom(yaml()), port: 0, drainTimeoutMs: 200 });
    const stuck = request(`${gateway.url}/v2/models/fraud/infer`, {
      method: 'POST',
      body: inferBody,
      headers: { 'x-test-delay': '3000' },
    }).then(
      () => 'answered',
      () => 'cut off',
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    const started = Date.now();
    await gateway.close();
    expect(Date.now() - started).toBeLessThan(1500);
    expect(await stuck).toBe('cut off');
  });
});
