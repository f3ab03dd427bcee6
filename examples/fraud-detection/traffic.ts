/**
 * Client traffic for the fraud detector: V2 inference requests of transactions, sent in a burst
 * (send-traffic.ts) or at a steady rate while a rollout runs (rollout.ts), and what came back.
 * No Warden imports: this is the client's side.
 */
import { readFile } from 'node:fs/promises';
import { numericInputsOf, type Transaction } from './transactions.js';

/** The body of a V2 inference request for these transactions. */
export function inferRequest(rows: readonly Transaction[], id: string): string {
  return JSON.stringify({
    id,
    inputs: [
      { name: 'features', datatype: 'FP32', shape: [rows.length, 6], data: rows.flatMap(numericInputsOf) },
      {
        name: 'merchant_category',
        datatype: 'BYTES',
        shape: [rows.length],
        data: rows.map((r) => r.merchantCategory),
      },
    ],
  });
}

/** The transactions of the `index`-th request of `batch` rows: the file in order, round and round. */
export function batchOf(transactions: readonly Transaction[], index: number, batch: number): Transaction[] {
  const start = (index * batch) % Math.max(1, transactions.length - batch);
  return transactions.slice(start, start + batch);
}

/** The V2 infer URL of the fraud detector behind `--url`, which must be an http(s) base URL. */
export function inferUrl(base: string): URL {
  const url = URL.canParse(base) ? new URL(base) : undefined;
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new Error(
      `--url ${JSON.stringify(base)} is not an http:// URL; give the gateway's (or a model server's) base URL, e.g. http://127.0.0.1:8090`,
    );
  }
  return new URL('v2/models/fraud-detector/infer', url.href.endsWith('/') ? url : `${url.href}/`);
}

export async function readTransactionsFile(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    throw new Error(
      `--data ${path} cannot be read; use examples/fraud-detection/transactions.csv or transactions-shifted.csv`,
    );
  }
}

/** Answers counted by key, listed in key order so that the same traffic always reads the same. */
export class Tally {
  readonly #counts = new Map<string, number>();

  add(key: string): void {
    this.#counts.set(key, (this.#counts.get(key) ?? 0) + 1);
  }

  get(key: string): number {
    return this.#counts.get(key) ?? 0;
  }

  get total(): number {
    let total = 0;
    for (const count of this.#counts.values()) total += count;
    return total;
  }

  toString(): string {
    return [...this.#counts]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, v]) => `${k}: ${v}`)
      .join(', ');
  }
}

/** What steady traffic got back. */
export interface TrafficCounts {
  byStatus: Tally;
  byVersion: Tally;
  /** Answers the gateway gave itself (`{"error": {"code": "WARDEN_ERR_GATEWAY_…"}}`), by status. */
  gatewayErrors: Tally;
  /** Requests that got no HTTP answer at all (connection refused or reset). */
  unanswered: number;
  /** Requests not sent because too many were still waiting for an answer. */
  skipped: number;
  seconds: number;
}

/**
 * Whether an error answer came from the gateway itself rather than from the model server behind it:
 * the gateway's errors carry a Warden code, the model server's are `{"error": "message"}`.
 */
function isGatewayError(body: string): boolean {
  try {
    const code = (JSON.parse(body) as { error?: { code?: unknown } }).error?.code;
    return typeof code === 'string' && code.startsWith('WARDEN_ERR_');
  } catch {
    return false;
  }
}

const maxInFlight = 256;

/**
 * Sends `rate` requests a second to `infer` until stopped, on a schedule that does not wait for the
 * answers (slow answers do not slow the clients down, as in production), and counts every answer.
 */
export function steadyTraffic(options: {
  infer: URL;
  transactions: readonly Transaction[];
  batch: number;
  rate: number;
}): { counts: TrafficCounts; stop: () => Promise<TrafficCounts> } {
  const counts: TrafficCounts = {
    byStatus: new Tally(),
    byVersion: new Tally(),
    gatewayErrors: new Tally(),
    unanswered: 0,
    skipped: 0,
    seconds: 0,
  };
  const inFlight = new Set<Promise<void>>();
  const started = performance.now();
  let sent = 0;
  const send = async (index: number) => {
    try {
      const answer = await fetch(options.infer, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: inferRequest(batchOf(options.transactions, index, options.batch), `r-${index}`),
      });
      const body = await answer.text();
      counts.byStatus.add(String(answer.status));
      counts.byVersion.add(answer.headers.get('x-warden-model-version') ?? 'direct');
      if (answer.status >= 400 && isGatewayError(body)) counts.gatewayErrors.add(String(answer.status));
    } catch {
      counts.unanswered += 1;
    }
  };
  const timer = setInterval(() => {
    const due = Math.floor(((performance.now() - started) / 1000) * options.rate);
    for (; sent < due; sent++) {
      if (inFlight.size >= maxInFlight) {
        counts.skipped += 1;
        continue;
      }
      const request = send(sent).finally(() => inFlight.delete(request));
      inFlight.add(request);
    }
  }, 10);
  return {
    counts,
    stop: async () => {
      clearInterval(timer);
      await Promise.all(inFlight);
      counts.seconds = (performance.now() - started) / 1000;
      return counts;
    },
  };
}
