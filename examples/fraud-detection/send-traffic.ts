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

await runScript(async () => {
  const options = scriptOptions({
    url: { describe: 'the gateway (or model server) base URL, e.g. http://127.0.0.1:8090' },
    data: { describe: 'a transactions CSV (transactions.csv or transactions-shifted.csv)' },
    requests: { describe: 'how many requests to send', default: '200' },
    batch: { describe: 'transactions per request', default: '20' },
    concurrency: { describe: 'requests in flight at once', default: '8' },
  });
  const transactions = parseTransactionsCsv(await readFile(options.data, 'utf8'), options.data);
  const requests = Number(options.requests);
  const batch = Number(options.batch);
  const concurrency = Number(options.concurrency);
  for (const [name, value] of [
    ['requests', requests],
    ['batch', batch],
    ['concurrency', concurrency],
  ] as const) {
    if (!(Number.isInteger(value) && value >= 1)) throw new Error(`--${name} must be a whole number ≥ 1`);
  }
  const byStatus = new Map<string, number>();
  const byVersion = new Map<string, number>();
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < requests) {
      const index = next++;
      const start = (index * batch) % Math.max(1, transactions.length - batch);
      const answer = await fetch(`${options.url}/v2/models/fraud-detector/infer`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: inferRequest(transactions.slice(start, start + batch), `r-${index}`),
      });
      await answer.arrayBuffer();
      byStatus.set(String(answer.status), (byStatus.get(String(answer.status)) ?? 0) + 1);
      const version = answer.headers.get('x-warden-model-version') ?? 'direct';
      byVersion.set(version, (byVersion.get(version) ?? 0) + 1);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - started) / 1000;
  const list = (counts: Map<string, number>) => [...counts].map(([k, v]) => `${k}: ${v}`).join(', ');
  console.log(
    `${requests} requests of ${batch} transactions in ${seconds.toFixed(1)} s (${(requests / seconds).toFixed(0)}/s); status ${list(byStatus)}; version ${list(byVersion)}`,
  );
});
