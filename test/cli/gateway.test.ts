import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectNoStackTrace, gatewayListening, runCli, startCli, writeFixture } from './run-cli.js';

const answer =
  '{"model_name":"fraud",  "outputs":[{"name":"score","datatype":"FP32","shape":[1],"data":[0.25]}]}';

describe('warden gateway', () => {
  let dir: string;
  let upstream: Server;
  let upstreamUrl: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'warden-gateway-cli-'));
    // A V2 model server that answers after the delay the request asks for.
    upstream = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        setTimeout(
          () => res.writeHead(200, { 'content-type': 'application/json' }).end(answer),
          Number(req.headers['x-test-delay'] ?? 0),
        );
      });
    });
    await new Promise<void>((listening) => upstream.listen(0, '127.0.0.1', listening));
    upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    upstream.closeAllConnections();
    await new Promise((closed) => upstream.close(closed));
    await rm(dir, { recursive: true, force: true });
  });

  const config = (url: string) => `apiVersion: warden.dev/v1
kind: Gateway
routes:
  - model: fraud
    protocol: v2
    versions:
      "1": { url: "${url}" }
    serve: { "1": 100 }
`;

  it('serves the config, answers byte for byte, and drains in-flight requests on SIGTERM before exiting 0', async () => {
    const file = await writeFixture(dir, 'gateway.yaml', config(upstreamUrl));
    const live = startCli(['gateway', '--config', file, '--port', '0']);
    try {
      const url = await gatewayListening(live);
      const quick = await fetch(`${url}/v2/models/fraud/infer`, { method: 'POST', body: '{"inputs": []}' });
      expect(quick.status).toBe(200);
      expect(quick.headers.get('x-warden-model-version')).toBe('1');
      expect(await quick.text()).toBe(answer);

      const slow = fetch(`${url}/v2/models/fraud/infer`, {
        method: 'POST',
        body: '{"inputs": []}',
        headers: { 'x-test-delay': '600' },
      });
      await new Promise((resolve) => setTimeout(resolve, 150));
      live.child.kill('SIGTERM');
      const drained = await slow;
      expect(drained.status).toBe(200);
      expect(await drained.text()).toBe(answer);
      expect(await live.exited).toBe(0);
      expect(live.output.stderr).toContain('SIGTERM: finishing in-flight requests');
    } finally {
      live.child.kill('SIGKILL');
    }
  }, 30_000);

  it('refuses a config with a bad upstream URL: exit 2, the file:line and the code, no stack trace', async () => {
    const file = await writeFixture(dir, 'bad-url.yaml', config('ftp://127.0.0.1:9001'));
    const run = await runCli(['gateway', '--config', file, '--port', '0']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`${file}:7:14: url scheme "ftp" is not served`);
    expect(run.stderr).toContain('WARDEN_ERR_GATEWAY_INVALID_CONFIG');
    expectNoStackTrace(run.stderr);
  });

  it('refuses weights that do not sum to 100 and a missing config with exit 2', async () => {
    const file = await writeFixture(
      dir,
      'bad-weights.yaml',
      config(upstreamUrl).replace('"1": 100', '"1": 90'),
    );
    const run = await runCli(['gateway', '--config', file]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`${file}:8:5: the weights sum to 90`);
    expectNoStackTrace(run.stderr);
    const missing = await runCli(['gateway', '--config', join(dir, 'missing.yaml')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('WARDEN_ERR_INPUT_FILE_NOT_FOUND');
    const noConfig = await runCli(['gateway']);
    expect(noConfig.code).toBe(2);
    expect(noConfig.stderr).toContain('--config');
  });
});
