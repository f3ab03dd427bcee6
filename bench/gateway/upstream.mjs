// The gateway benchmark's model server: answers every V2 inference request after a fixed delay, the
// same answer for every request of a batch size (it does not score; only its latency matters).
//
//   node bench/gateway/upstream.mjs --port 0 --latency-ms 5
//
// Prints `listening on http://127.0.0.1:PORT` on stdout once it listens. Answers
// POST /v2/models/{m}/infer with {model_name, id?, outputs: [{name: probability, FP32, [n]}]} where n
// is the request's row count (read from the first "shape":[n, …] of the body, without parsing it).
import { createServer } from 'node:http';
import { eachOption } from '../lib/args.mjs';

const options = { port: 0, latencyMs: 5 };
eachOption(process.argv.slice(2), (arg, value) => {
  if (arg === '--port') options.port = Number(value());
  else if (arg === '--latency-ms') options.latencyMs = Number(value());
  else throw new Error(`upstream: unknown option ${arg}`);
});
if (!(options.latencyMs >= 0)) throw new Error('upstream: --latency-ms must be ≥ 0');

const answers = new Map();
/** The answer for `rows` rows: fixed probabilities that vary across rows, as a scored batch does. */
function answerFor(rows) {
  let answer = answers.get(rows);
  if (answer === undefined) {
    const data = Array.from({ length: rows }, (_, i) => Math.fround(((i * 37) % 100) / 1000 + 0.01));
    answer = Buffer.from(
      JSON.stringify({
        model_name: 'fraud-detector',
        model_version: 'bench',
        outputs: [{ name: 'probability', datatype: 'FP32', shape: [rows], data }],
      }),
    );
    answers.set(rows, answer);
  }
  return answer;
}

const shape = /"shape"\s*:\s*\[\s*(\d+)/;
const notFound = Buffer.from('{"error":"the benchmark upstream answers POST /v2/models/{m}/infer only"}');

const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    const infer = req.method === 'POST' && req.url?.endsWith('/infer');
    const rows = infer ? Number(shape.exec(Buffer.concat(chunks).toString('latin1'))?.[1] ?? 1) : 0;
    const body = infer ? answerFor(rows) : notFound;
    const send = () =>
      res
        .writeHead(infer ? 200 : 404, { 'content-type': 'application/json', 'content-length': body.length })
        .end(body);
    if (options.latencyMs > 0) setTimeout(send, options.latencyMs);
    else send();
  });
});
server.keepAliveTimeout = 120_000;
server.listen(options.port, '127.0.0.1', () => {
  process.stdout.write(`listening on http://127.0.0.1:${server.address().port}\n`);
});
process.once('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
});
