import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedPost {
  path: string;
  headers: IncomingHttpHeaders;
  body: unknown;
}

export interface LineageReceiver {
  /** `http://127.0.0.1:PORT`, no path. */
  url: string;
  posts: ReceivedPost[];
  /** What the receiver answers from now on. */
  answer(status: number): void;
  close(): Promise<void>;
}

/** A real HTTP server on 127.0.0.1 standing in for an OpenLineage backend: it keeps every POST. */
export async function startLineageReceiver(status = 201): Promise<LineageReceiver> {
  const posts: ReceivedPost[] = [];
  let answer = status;
  const server = createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => {
      body += chunk;
    });
    request.on('end', () => {
      posts.push({ path: request.url ?? '', headers: request.headers, body: JSON.parse(body) });
      response.writeHead(answer).end();
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    posts,
    answer: (next) => {
      answer = next;
    },
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
}

/** A small ODCS contract and two files against it: one that passes, one that fails three checks. */
export const sensorsContract = `apiVersion: v3.1.0
kind: DataContract
id: sensors
version: 1.0.0
status: active
schema:
  - name: sensors
    properties:
      - name: machine
        logicalType: string
        required: true
        description: The machine's id.
      - name: torque
        logicalType: number
        quality:
          - metric: nullValues
            mustBeLessThan: 50
            unit: percent
      - name: failed
        logicalType: integer
        logicalTypeOptions: { minimum: 0, maximum: 1 }
`;
export const sensorsPassing = 'machine,torque,failed\nM1,40.5,0\nM2,,1\nM3,38.0,0\n';
export const sensorsFailing = 'machine,torque,failed\nM1,40.5,0\n,,7\nM3,,0\n';
