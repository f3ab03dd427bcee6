/**
 * Sends transactions to the fraud detector through a gateway (or straight to a model server), as V2
 * inference requests of `--batch` rows, `--concurrency` at a time, and prints what came back.
 *
 *   node dist/examples/fraud-detection/send-traffic.js --url http://127.0.0.1:8090 \
 *     --data examples/fraud-detection/transactions-shifted.csv [--requests 200] [--batch 20]
 */
import { readFile } from 'node:fs/promises';
import { runScript, scriptOptions } from './script.js';
import { numericInputsOf, parseTransactionsCsv, type Transaction } from './transactions.js';

function inferRequest(rows: readonly Transaction[], id: string): string {
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

function wholeNumber(name: string, text: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isInteger(value) || value < 1) {
    throw new Error(`--${name} ${JSON.stringify(text)} is not a whole number ≥ 1`);
  }
  return value;
}

/** The V2 infer URL of the fraud detector behind `--url`, which must be an http(s) base URL. */
function inferUrl(base: string): URL {
  const url = URL.canParse(base) ? new URL(base) : undefined;
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new Error(
      `--url ${JSON.stringify(base)} is not an http:// URL; give the gateway's (or a model server's) base URL, e.g. http://127.0.0.1:8090`,
    );
  }
  return new URL('v2/models/fraud-detector/infer', url.href.endsWith('/') ? url : `${url.href}/`);
}

async function readData(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    throw new Error(
      `--data ${path} cannot be read; use examples/fraud-detection/transactions.csv or transactions-shifted.csv`,
    );
  }
}

await runScript(async () => {
  const options = scriptOptions({
    url: { describe: 'the gateway (or model server) base URL, e.g. http://127.0.0.1:8090' },
    data: { describe: 'a transactions CSV (transactions.csv or transactions-shifted.csv)' },
    requests: { describe: 'how many requests to send', default: '200' },
    batch: { describe: 'transactions per request', default: '20' },
    concurrency: { describe: 'requests in flight at once', default: '8' },
  });
  const requests = wholeNumber('requests', options.requests);
  const batch = wholeNumber('batch', options.batch);
  const concurrency = wholeNumber('concurrency', options.concurrency);
  const infer = inferUrl(options.url);
  const transactions = parseTransactionsCsv(await readData(options.data), options.data);
  const byStatus = new Map<string, number>();
  const byVersion = new Map<string, number>();
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < requests) {
      const index = next++;
      const start = (index * batch) % Math.max(1, transactions.length - batch);
      const answer = await fetch(infer, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: inferRequest(transactions.slice(start, start + batch), `r-${index}`),
      }).catch((error: unknown) => {
        const cause = (error as { cause?: { code?: string } }).cause?.code ?? String(error);
        throw new Error(
          `cannot reach ${options.url} (${cause}); start the gateway (or a model server) there first`,
        );
      });
      await answer.arrayBuffer();
      byStatus.set(String(answer.status), (byStatus.get(String(answer.status)) ?? 0) + 1);
      const version = answer.headers.get('x-warden-model-version') ?? 'direct';
      byVersion.set(version, (byVersion.get(version) ?? 0) + 1);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - started) / 1000;
  // In key order, so that the same traffic always reads the same.
  const list = (counts: Map<string, number>) =>
    [...counts]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, v]) => `${k}: ${v}`)
      .join(', ');
  console.log(
    `${requests} requests of ${batch} transactions in ${seconds.toFixed(1)} s (${(requests / seconds).toFixed(0)}/s); status ${list(byStatus)}; version ${list(byVersion)}`,
  );
});
