import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CreditApplication, ModelPredictions } from './credit-risk-model.js';

/**
 * The demo's stand-in for a serving stack: the credit-risk model behind an MLflow scoring server
 * (`POST /invocations` with `dataframe_records`, answering `{"predictions": [...]}`), on 127.0.0.1.
 * Not part of Warden: the gateway sits in front of whatever serves the model.
 */
export interface CreditRiskServer {
  url: string;
  close(): Promise<void>;
}

/**
 * A planted fault, for the canary scene: the applications it names are answered 500, as a model
 * server whose code cannot handle them would.
 */
export type ServingFault = (application: CreditApplication) => boolean;

export async function startCreditRiskServer(
  model: ModelPredictions,
  fault?: ServingFault,
): Promise<CreditRiskServer> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const answer = (status: number, body: unknown) =>
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      if (req.method !== 'POST' || req.url !== '/invocations') {
        answer(404, { error_code: 'ENDPOINT_NOT_FOUND', message: 'POST /invocations' });
        return;
      }
      let records: unknown;
      try {
        records = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { dataframe_records?: unknown })
          .dataframe_records;
      } catch {
        records = undefined;
      }
      if (!Array.isArray(records) || records.some((r) => r === null || typeof r !== 'object')) {
        answer(400, {
          error_code: 'BAD_REQUEST',
          message: 'send {"dataframe_records": [{column: value}, …]}',
        });
        return;
      }
      const applications = (records as Record<string, unknown>[]).map(applicationOf);
      if (fault !== undefined && applications.some(fault)) {
        answer(500, { error_code: 'INTERNAL_ERROR', message: 'the model server failed on this input' });
        return;
      }
      answer(200, { predictions: applications.map((application) => model.score(application)) });
    });
  });
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise((closed) => {
        server.closeAllConnections();
        server.close(() => closed());
      }),
  };
}

function applicationOf(record: Record<string, unknown>): CreditApplication {
  return new Map(
    Object.entries(record).map(([name, value]) => [
      name,
      value === null || value === undefined ? null : String(value),
    ]),
  );
}
