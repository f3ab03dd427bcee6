import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { apiRoutes } from '../server/index.js';
import { ServerClient } from './server-client.js';

interface Seen {
  method: string | undefined;
  url: string | undefined;
  authorization: string | undefined;
  body: string;
}

let seen: Seen[] = [];
const server = createServer((request: IncomingMessage, response) => {
  let body = '';
  request.on('data', (chunk) => {
    body += chunk;
  });
  request.on('end', () => {
    seen.push({
      method: request.method,
      url: request.url,
      authorization: request.headers.authorization,
      body,
    });
    response.setHeader('content-type', 'application/json');
    response.end('{"ok":true}');
  });
});
let client: ServerClient;

beforeAll(async () => {
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  client = new ServerClient(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, 'wdn_test');
});
afterAll(() => new Promise<void>((closed) => server.close(() => closed())));

describe('ServerClient.call', () => {
  it('fills the path from the route table, each parameter encoded, with the token', async () => {
    seen = [];
    await client.call('getVersionByAlias', { params: { model: 'credit risk', alias: 'a/b' } });
    expect(seen).toEqual([
      {
        method: 'GET',
        url: '/api/v1/models/credit%20risk/aliases/a%2Fb',
        authorization: 'Bearer wdn_test',
        body: '',
      },
    ]);
  });

  it('repeats array query parameters, leaves undefined ones out, and sends the body as JSON', async () => {
    seen = [];
    await client.call('listModels', { query: { label: ['a:1', 'b:2'], limit: 5, team: undefined } });
    await client.call('requestPromotion', { body: { model: 'm', version: '2', alias: 'production' } });
    expect(seen.map((request) => [request.method, request.url, request.body])).toEqual([
      ['GET', '/api/v1/models?label=a%3A1&label=b%3A2&limit=5', ''],
      ['POST', '/api/v1/promotions', '{"model":"m","version":"2","alias":"production"}'],
    ]);
  });
});

describe('the route table the client is typed from', () => {
  it.each(Object.entries(apiRoutes))(
    '%s: every path parameter has a schema field, and no other',
    (id, route) => {
      expect(route.operationId).toBe(id);
      const inPath = [...route.path.matchAll(/:([A-Za-z]+)/g)].map((match) => match[1]).sort();
      const inSchema =
        route.params === undefined ? [] : Object.keys((route.params as z.ZodObject).shape).sort();
      expect(inSchema).toEqual(inPath);
    },
  );
});
