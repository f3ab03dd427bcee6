import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { expect } from 'vitest';
import { mulberry32, type Role } from '../../src/core/index.js';
import { runCli, writeFixture } from './run-cli.js';

/**
 * What the runtime-loop tests share: model servers with planted faults, steady client traffic that
 * counts answers, the control plane's API with a token per role, and the signed baseline.
 */

export interface ModelServerFault {
  /** This share of answers are 500s (every round(1/share)-th request). */
  failing?: number;
  /** Every answer waits this long. */
  delayMs?: number;
  /** The score of the n-th answer (default: spread over 0.45–0.55, as in the baseline). */
  score?: (request: number) => number;
}

export class ModelServers {
  readonly #servers: Server[] = [];

  /** A V2 model server answering `score`; starts at once on a free port. */
  async start(name: string, fault: ModelServerFault = {}): Promise<string> {
    let count = 0;
    const server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        count += 1;
        const answer = () => {
          if (fault.failing !== undefined && count % Math.round(1 / fault.failing) === 0) {
            res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":"model crashed"}');
            return;
          }
          const score = fault.score?.(count) ?? 0.45 + ((count * 7919) % 1000) / 10_000;
          res.writeHead(200, { 'content-type': 'application/json' }).end(
            JSON.stringify({
              model_name: name,
              outputs: [{ name: 'score', datatype: 'FP64', shape: [1], data: [score] }],
            }),
          );
        };
        if (fault.delayMs === undefined) answer();
        else setTimeout(answer, fault.delayMs);
      });
    });
    await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
    this.#servers.push(server);
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    for (const server of this.#servers) {
      server.closeAllConnections();
      await new Promise((closed) => server.close(closed));
    }
  }
}

/** The control plane's API as one role or another; `api` expects success. */
export function controlPlaneApi(url: () => string, tokens: Partial<Record<Role, string>>) {
  const call = async (role: Role, method: string, path: string, body?: unknown) => {
    const response = await fetch(`${url()}${path}`, {
      method,
      headers: { authorization: `Bearer ${tokens[role]}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: JSON.parse(text) };
  };
  const api = async (method: string, path: string, body?: unknown, role: Role = 'contributor') => {
    const answer = await call(role, method, path, body);
    expect(answer.status, JSON.stringify(answer.body)).toBeLessThan(300);
    return answer.body;
  };
  return { call, api };
}

export async function until<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  details: () => string,
  ms = 30_000,
): Promise<T> {
  for (let waited = 0; waited < ms; waited += 100) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${what} did not happen:\n${details()}`);
}

/** Steady client traffic through the gateway (four clients); counts answers by status and by version. */
export function clientTraffic(gateway: string, model: string, body: () => unknown) {
  const statuses = new Map<number, number>();
  const versions = new Map<string, number>();
  const failures: string[] = [];
  let running = true;
  const worker = async () => {
    while (running) {
      try {
        const response = await fetch(`${gateway}/v2/models/${model}/infer`, {
          method: 'POST',
          body: JSON.stringify(body()),
        });
        await response.arrayBuffer();
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        const version = response.headers.get('x-warden-model-version') ?? '';
        versions.set(version, (versions.get(version) ?? 0) + 1);
      } catch (error) {
        failures.push(String(error));
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  };
  const workers = Array.from({ length: 4 }, worker);
  return {
    statuses,
    versions,
    failures,
    stop: async () => {
      running = false;
      await Promise.all(workers);
    },
  };
}

/** A V2 request of one `amount`, as the clients send it. */
export const amountRequest = (amount: number) => ({
  inputs: [{ name: 'amount', datatype: 'FP64', shape: [1], data: [amount] }],
});

/**
 * Keys for the pipeline (which signs the baseline) and the gateway (which signs its windows),
 * registered by an admin, and a signed drift-baseline evidence file of `amount` and `score` (scores
 * around 0.5, amounts 20–100).
 */
export async function signedBaseline(
  dir: string,
  api: ReturnType<typeof controlPlaneApi>['api'],
): Promise<{ evidence: string; gatewayKey: string }> {
  const random = mulberry32(11);
  const rows = Array.from(
    { length: 2000 },
    () => `${(20 + random() * 80).toFixed(2)},${(0.45 + random() * 0.1).toFixed(4)}`,
  );
  const reference = await writeFixture(dir, 'reference.csv', `amount,score\n${rows.join('\n')}\n`);
  const evidence = join(dir, 'baseline-evidence.json');
  for (const name of ['pipeline', 'gateway']) {
    const key = join(dir, `${name}.key`);
    expect((await runCli(['key', 'create', '--out', key])).code).toBe(0);
    await api(
      'POST',
      '/api/v1/signing-keys',
      { name, publicKey: await readFile(`${key}.pub`, 'utf8') },
      'admin',
    );
  }
  const made = await runCli([
    'baseline',
    'create',
    reference,
    '--evidence',
    evidence,
    '--sign-key',
    join(dir, 'pipeline.key'),
  ]);
  expect(made.code, made.stderr).toBe(0);
  return { evidence, gatewayKey: join(dir, 'gateway.key') };
}

/** Gateway settings for models the control plane routes: 1-second windows, the score's drift. */
export const gatewaySettings = (models: string[]) =>
  `apiVersion: warden.dev/v1\nkind: Gateway\nroutes:\n${models
    .map(
      (model) =>
        `  - model: ${model}\n    timeoutMs: 5000\n    monitoring: { windowSeconds: 1, scoreFeature: score, scoreOutput: score }\n`,
    )
    .join('')}`;
