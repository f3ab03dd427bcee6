// The load generators of the server benchmark: autocannon (closed loop: each connection sends its
// next request when the answer to the last one is in; with overallRate, a quota per connection per
// second) and a small open-loop client of our own (requests sent at evenly spaced instants whatever
// the server's pace). Both record the latency of every answer with the operation it answered, so
// latencies of two concurrent instances merge exactly and each operation gets its own percentiles.
import { Agent, request as httpRequest } from 'node:http';
import autocannon from 'autocannon';

/** Nearest-rank quantile of sorted values. */
export function quantile(sorted, q) {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length)));
  return sorted[rank - 1];
}

const round2 = (x) => (Number.isFinite(x) ? Math.round(x * 100) / 100 : null);

export function latencySummary(values) {
  const sorted = Float64Array.from(values).sort();
  const mean = sorted.reduce((sum, x) => sum + x, 0) / (sorted.length || 1);
  return {
    count: sorted.length,
    mean: round2(mean),
    p50: round2(quantile(sorted, 0.5)),
    p90: round2(quantile(sorted, 0.9)),
    p99: round2(quantile(sorted, 0.99)),
    p999: round2(quantile(sorted, 0.999)),
    max: round2(sorted[sorted.length - 1]),
  };
}

/** Latencies and status codes of answers, by operation. */
export class Recorder {
  constructor() {
    this.latencies = [];
    this.byOp = new Map();
    this.statuses = {};
    this.samples = {};
  }

  record(op, status, ms, body) {
    this.latencies.push(ms);
    let entry = this.byOp.get(op);
    if (entry === undefined) {
      entry = { latencies: [], statuses: {} };
      this.byOp.set(op, entry);
    }
    entry.latencies.push(ms);
    entry.statuses[status] = (entry.statuses[status] ?? 0) + 1;
    this.statuses[status] = (this.statuses[status] ?? 0) + 1;
    if ((status < 200 || status > 299) && body !== undefined) {
      const key = `${op} ${status}`;
      this.samples[key] ??= String(body).slice(0, 300);
    }
  }

  static merge(recorders) {
    const merged = new Recorder();
    for (const r of recorders) {
      for (const ms of r.latencies) merged.latencies.push(ms);
      for (const [op, entry] of r.byOp) {
        const into = merged.byOp.get(op) ?? { latencies: [], statuses: {} };
        for (const ms of entry.latencies) into.latencies.push(ms);
        for (const [status, n] of Object.entries(entry.statuses))
          into.statuses[status] = (into.statuses[status] ?? 0) + n;
        merged.byOp.set(op, into);
      }
      for (const [status, n] of Object.entries(r.statuses))
        merged.statuses[status] = (merged.statuses[status] ?? 0) + n;
      Object.assign(merged.samples, r.samples, merged.samples);
    }
    return merged;
  }

  summary(seconds) {
    const non2xx = (statuses) =>
      Object.entries(statuses).reduce((sum, [s, n]) => sum + (s >= 200 && s <= 299 ? 0 : n), 0);
    const perOp = {};
    for (const [op, entry] of [...this.byOp].sort()) {
      perOp[op] = {
        ...latencySummary(entry.latencies),
        share: Number((entry.latencies.length / (this.latencies.length || 1)).toFixed(3)),
        perSecond: Math.round(entry.latencies.length / seconds),
        statuses: entry.statuses,
        non2xx: non2xx(entry.statuses),
      };
    }
    return {
      responses: this.latencies.length,
      perSecond: Math.round(this.latencies.length / seconds),
      latencyMs: latencySummary(this.latencies),
      statuses: this.statuses,
      non2xx: non2xx(this.statuses),
      errorSamples: this.samples,
      perOp,
    };
  }
}

/**
 * Runs one autocannon instance per target concurrently, connections (and the overall rate, if
 * any) split evenly across them. `next()` gives each request: { op, method, path, body? }.
 */
export async function runAutocannon({ targets, connections, duration, overallRate, headers, next }) {
  const emptyBody = Buffer.alloc(0);
  const instances = targets.map((target, i) => {
    const share = (total) => Math.floor(total / targets.length) + (i < total % targets.length ? 1 : 0);
    const recorder = new Recorder();
    const options = {
      url: target.url,
      connections: share(connections),
      duration,
      excludeErrorStats: false,
      timeout: 10,
      requests: [
        {
          setupRequest: (request, context) => {
            const r = next();
            context.op = r.op;
            return {
              ...request,
              method: r.method,
              path: r.path,
              headers:
                r.body === undefined ? { ...headers } : { ...headers, 'content-type': 'application/json' },
              body: r.body ?? emptyBody,
            };
          },
          onResponse: (status, body, context) => {
            context.status = status;
            context.body = status >= 200 && status <= 299 ? undefined : body;
          },
        },
      ],
      // Raw latencies are recorded below; autocannon's own correction for coordinated omission
      // assumes 1 ms between requests at any rate (Math.ceil(1 / rate)), so it is switched off.
      ...(overallRate === undefined
        ? {}
        : { overallRate: share(overallRate), ignoreCoordinatedOmission: true }),
    };
    const instance = autocannon(options);
    // 'response' comes after onResponse and before the connection's next request is built, so the
    // request iterator's context still describes the request answered.
    instance.on('response', (client, status, _bytes, ms) => {
      const context = client.requestIterator.context;
      recorder.record(context.op ?? 'unknown', status, ms, context.body);
    });
    return { target, recorder, done: instance, options };
  });
  const results = await Promise.all(instances.map((i) => i.done));
  return instances.map((instance, i) => {
    const result = results[i];
    return {
      url: instance.target.url,
      connections: instance.options.connections,
      overallRate: instance.options.overallRate ?? null,
      seconds: result.duration,
      recorder: instance.recorder,
      autocannon: {
        requestsTotal: result.requests.total,
        requestsPerSecondAverage: result.requests.average,
        latencyMs: { p50: result.latency.p50, p99: result.latency.p99, max: result.latency.max },
        errors: result.errors,
        timeouts: result.timeouts,
        non2xx: result.non2xx,
        statusCodeStats: result.statusCodeStats,
      },
    };
  });
}

/**
 * Open loop: `rate` requests per second at evenly spaced instants for `duration` seconds,
 * alternating over the targets, on at most `connections` keep-alive sockets. A request that finds
 * every socket busy waits for one, and that wait counts: latency runs from the instant the request
 * was due (`fromDue`), so a server that falls behind cannot hide it. `fromSent` starts the clock
 * when the request is written.
 */
export async function runPaced({ targets, rate, duration, connections, headers, next }) {
  const agents = targets.map(
    (_, i) =>
      new Agent({
        keepAlive: true,
        maxSockets: Math.floor(connections / targets.length) + (i < connections % targets.length ? 1 : 0),
      }),
  );
  const fromDue = targets.map(() => new Recorder());
  const fromSent = targets.map(() => new Recorder());
  const urls = targets.map((target) => new URL(target.url));
  const total = Math.round(rate * duration);
  const interval = 1000 / rate;
  let errors = 0;
  let lateMsMax = 0;
  let finished = 0;
  const start = performance.now() + 20;
  let lastAnswer = start;

  await new Promise((allDone) => {
    const settle = () => {
      finished++;
      if (finished === total) allDone();
    };
    const fire = (n, due) => {
      const t = n % targets.length;
      const url = urls[t];
      const r = next();
      const body = r.body === undefined ? undefined : Buffer.from(r.body);
      let sentAt;
      const req = httpRequest(
        {
          host: url.hostname,
          port: url.port,
          method: r.method,
          path: r.path,
          agent: agents[t],
          headers:
            body === undefined
              ? headers
              : { ...headers, 'content-type': 'application/json', 'content-length': body.length },
        },
        (res) => {
          const chunks = [];
          res.on('data', (chunk) => chunks.push(chunk));
          res.on('end', () => {
            const now = performance.now();
            lastAnswer = Math.max(lastAnswer, now);
            const ok = res.statusCode >= 200 && res.statusCode <= 299;
            const text = ok ? undefined : Buffer.concat(chunks).toString('utf8');
            fromDue[t].record(r.op, res.statusCode, now - due, text);
            fromSent[t].record(r.op, res.statusCode, now - (sentAt ?? due), text);
            settle();
          });
        },
      );
      req.on('socket', (socket) => {
        const written = () => {
          sentAt = performance.now();
        };
        if (socket.connecting) socket.once('connect', written);
        else written();
      });
      req.setTimeout(10_000, () => req.destroy(new Error('timed out')));
      req.on('error', () => {
        errors++;
        settle();
      });
      req.end(body);
    };
    let sent = 0;
    const tick = () => {
      const now = performance.now();
      while (sent < total && start + sent * interval <= now) {
        const due = start + sent * interval;
        lateMsMax = Math.max(lateMsMax, now - due);
        fire(sent, due);
        sent++;
      }
      if (sent < total) setTimeout(tick, Math.max(0, start + sent * interval - performance.now()));
    };
    setTimeout(tick, Math.max(0, start - performance.now()));
  });
  for (const agent of agents) agent.destroy();
  const seconds = (lastAnswer - start) / 1000;
  return {
    seconds,
    errors,
    schedulerLateMsMax: Math.round(lateMsMax * 100) / 100,
    instances: targets.map((target, i) => ({ url: target.url, fromDue: fromDue[i], fromSent: fromSent[i] })),
  };
}
