import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedAlert {
  type: string;
  /** Whether the webhook-signature header matched the body under the shared secret. */
  signatureValid: boolean;
  data: Record<string, unknown>;
}

/**
 * The credit-risk owners' webhook receiver in the demo: a small local HTTP server that checks each
 * delivery's Standard Webhooks signature, as a real receiver must, and keeps what arrived.
 */
export async function startAlertReceiver() {
  let secret = '';
  const alerts: ReceivedAlert[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const id = String(request.headers['webhook-id'] ?? '');
      const timestamp = String(request.headers['webhook-timestamp'] ?? '');
      const expected = Buffer.from(
        `v1,${createHmac('sha256', Buffer.from(secret.replace(/^whsec_/, ''), 'base64'))
          .update(`${id}.${timestamp}.${body}`)
          .digest('base64')}`,
      );
      const given = Buffer.from(String(request.headers['webhook-signature'] ?? ''));
      const signatureValid = given.length === expected.length && timingSafeEqual(given, expected);
      try {
        const parsed = JSON.parse(body) as { type: string; data: Record<string, unknown> };
        alerts.push({ type: parsed.type, data: parsed.data, signatureValid });
      } catch {
        alerts.push({ type: 'unreadable', data: {}, signatureValid });
      }
      response.statusCode = signatureValid ? 204 : 401;
      response.end();
    });
  });
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/warden-alerts`,
    alerts,
    useSecret(value: string) {
      secret = value;
    },
    /** Waits until `count` alerts have arrived, or five seconds. */
    async waitFor(count: number): Promise<void> {
      for (let waited = 0; alerts.length < count && waited < 5000; waited += 20) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    close: () => new Promise<void>((closed) => server.close(() => closed())),
  };
}
