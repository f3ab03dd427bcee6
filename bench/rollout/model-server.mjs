// The rollout benchmark's model server (one process per version): answers V2 inference requests
// after a fixed delay and, once its fault is switched on, answers a share of them with a planted
// 500. Every answer carries `x-bench-upstream: NAME`, so a client can tell a model server's answer
// from one the proxy made up (a 502 or 504 from the gateway, a 502 from nginx).
//
//   node bench/rollout/model-server.mjs --name canary --port 0 --latency-ms 5
//
// Prints `listening on http://127.0.0.1:PORT` once it listens. Control endpoints, for the benchmark:
//   POST /control/fault?share=0.2  planted 500s from now on (share 0 switches them off); answers
//                                  {at}: the epoch milliseconds at which the fault began
//   POST /control/reset            counters to zero, fault off
//   GET  /control/stats            {answered, planted, lastAnswerAt, faultAt, share}
import { createServer } from 'node:http';
import { eachOption } from '../lib/args.mjs';

const options = { name: 'model', port: 0, latencyMs: 5 };
eachOption(process.argv.slice(2), (arg, value) => {
  if (arg === '--name') options.name = value();
  else if (arg === '--port') options.port = Number(value());
  else if (arg === '--latency-ms') options.latencyMs = Number(value());
  else throw new Error(`model-server: unknown option ${arg}`);
});
if (!(options.latencyMs >= 0)) throw new Error('model-server: --latency-ms must be ≥ 0');

const state = { answered: 0, planted: 0, lastAnswerAt: null, faultAt: null, share: 0, faultCount: 0 };

const answer = Buffer.from(
  JSON.stringify({
    model_name: 'fraud-detector',
    model_version: options.name,
    outputs: [{ name: 'probability', datatype: 'FP32', shape: [1], data: [0.04] }],
  }),
);
const crashed = Buffer.from('{"error":"planted fault: the model crashed"}');

function json(res, status, value) {
  const body = Buffer.from(JSON.stringify(value));
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': body.length }).end(body);
}

function control(req, res) {
  const url = new URL(req.url, 'http://x');
  if (req.method === 'POST' && url.pathname === '/control/fault') {
    const share = Number(url.searchParams.get('share'));
    if (!(share >= 0 && share <= 1)) return json(res, 400, { error: 'share is a number from 0 to 1' });
    state.share = share;
    state.faultCount = 0;
    state.faultAt = share > 0 ? Date.now() : null;
    return json(res, 200, { at: state.faultAt });
  }
  if (req.method === 'POST' && url.pathname === '/control/reset') {
    Object.assign(state, { answered: 0, planted: 0, lastAnswerAt: null, faultAt: null, share: 0 });
    return json(res, 200, {});
  }
  if (req.method === 'GET' && url.pathname === '/control/stats') {
    const { faultCount: _, ...stats } = state;
    return json(res, 200, stats);
  }
  return json(res, 404, { error: 'unknown control endpoint' });
}

const server = createServer((req, res) => {
  if (req.url?.startsWith('/control/')) {
    req.resume();
    req.on('end', () => control(req, res));
    return;
  }
  req.resume();
  req.on('end', () => {
    const send = () => {
      state.answered += 1;
      state.lastAnswerAt = Date.now();
      let status = 200;
      let body = answer;
      // Evenly spread, not random: every (1/share)-th answer fails, so a window's share is exact.
      if (state.share > 0) {
        state.faultCount += state.share;
        if (state.faultCount >= 1) {
          state.faultCount -= 1;
          state.planted += 1;
          status = 500;
          body = crashed;
        }
      }
      res
        .writeHead(status, {
          'content-type': 'application/json',
          'content-length': body.length,
          'x-bench-upstream': options.name,
        })
        .end(body);
    };
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
