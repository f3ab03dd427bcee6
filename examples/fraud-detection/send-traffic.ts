/**
 * Sends transactions to the fraud detector through a gateway (or straight to a model server), as V2
 * inference requests of `--batch` rows, `--concurrency` at a time, and prints what came back.
 *
 *   node dist/examples/fraud-detection/send-traffic.js --url http://127.0.0.1:8090 \
 *     --data examples/fraud-detection/transactions-shifted.csv [--requests 200] [--batch 20]
 */
import { runScript, scriptOptions, wholeNumber } from './script.js';
import { batchOf, inferRequest, inferUrl, readTransactionsFile, Tally } from './traffic.js';
import { parseTransactionsCsv } from './transactions.js';

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
  const transactions = parseTransactionsCsv(await readTransactionsFile(options.data), options.data);
  const byStatus = new Tally();
  const byVersion = new Tally();
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < requests) {
      const index = next++;
      const answer = await fetch(infer, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: inferRequest(batchOf(transactions, index, batch), `r-${index}`),
      }).catch((error: unknown) => {
        const cause = (error as { cause?: { code?: string } }).cause?.code ?? String(error);
        throw new Error(
          `cannot reach ${options.url} (${cause}); start the gateway (or a model server) there first`,
        );
      });
      await answer.arrayBuffer();
      byStatus.add(String(answer.status));
      byVersion.add(answer.headers.get('x-warden-model-version') ?? 'direct');
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - started) / 1000;
  console.log(
    `${requests} requests of ${batch} transactions in ${seconds.toFixed(1)} s (${(requests / seconds).toFixed(0)}/s); status ${byStatus}; version ${byVersion}`,
  );
});
