/**
 * The fraud example's traffic script (examples/fraud-detection/send-traffic.ts) refuses bad options
 * with one line naming the option and what it must be, and exit code 2, before sending anything.
 * Runs the built script in dist/ (npm test builds first).
 */
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const script = join(repoRoot, 'dist/examples/fraud-detection/send-traffic.js');
const data = join(repoRoot, 'examples/fraud-detection/transactions-shifted.csv');

const sendTraffic = (args: string[]) => spawnSync(process.execPath, [script, ...args], { encoding: 'utf8' });

/** Exit 2 and exactly one line on stderr: `error: <message>`, no stack trace. */
function refused(args: string[]): string {
  const run = sendTraffic(args);
  expect(run.status, run.stderr).toBe(2);
  expect(run.stdout).toBe('');
  const lines = run.stderr.trimEnd().split('\n');
  expect(lines, run.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^error: /);
  return (lines[0] as string).slice('error: '.length);
}

/** A port on 127.0.0.1 that nothing listens on (it was free a moment ago). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('send-traffic.js options', () => {
  const url = 'http://127.0.0.1:9';
  const options = '--url, --data, --requests, --batch, --concurrency';

  it('requires --url and --data, naming what each is', () => {
    expect(refused(['--data', data])).toBe(
      '--url is required: the gateway (or model server) base URL, e.g. http://127.0.0.1:8090',
    );
    expect(refused(['--url', url])).toBe(
      '--data is required: a transactions CSV (transactions.csv or transactions-shifted.csv)',
    );
  });

  it('refuses an unknown option, an option without its value and a stray argument', () => {
    expect(refused(['--url', url, '--data', data, '--requets', '5'])).toBe(
      `unknown option --requets; the options are ${options}`,
    );
    expect(refused(['--url', '--data', data])).toBe(
      '--url needs a value: the gateway (or model server) base URL, e.g. http://127.0.0.1:8090',
    );
    expect(refused(['--url', url, '--data', data, 'fast'])).toBe(
      `unexpected argument "fast"; the options are ${options}, each with a value`,
    );
  });

  it('refuses counts that are not whole numbers of at least 1', () => {
    for (const [name, value] of [
      ['requests', '0'],
      ['requests', '1.5'],
      ['batch', '-1'],
      ['batch', 'ten'],
      ['concurrency', ''],
    ]) {
      expect(refused(['--url', url, '--data', data, `--${name}=${value}`])).toBe(
        `--${name} "${value}" is not a whole number ≥ 1`,
      );
    }
  });

  it('refuses a --url that is not an http URL', () => {
    for (const bad of ['127.0.0.1:8090', 'ftp://127.0.0.1/', 'gateway']) {
      expect(refused(['--url', bad, '--data', data])).toBe(
        `--url "${bad}" is not an http:// URL; give the gateway's (or a model server's) base URL, e.g. http://127.0.0.1:8090`,
      );
    }
  });

  it('refuses a --data file it cannot read, or one that is not a transactions CSV', () => {
    const missing = join(repoRoot, 'examples/fraud-detection/no-such.csv');
    expect(refused(['--url', url, '--data', missing])).toBe(
      `--data ${missing} cannot be read; use examples/fraud-detection/transactions.csv or transactions-shifted.csv`,
    );
    const notTransactions = join(repoRoot, 'examples/credit-risk/credit_data.csv');
    expect(refused(['--url', url, '--data', notTransactions])).toMatch(
      /^.*credit_data\.csv: the header must be "[^"]+"; regenerate the file$/,
    );
  });

  it('says which URL it cannot reach when nothing listens there', async () => {
    const down = `http://127.0.0.1:${await closedPort()}`;
    expect(refused(['--url', down, '--data', data, '--requests', '3'])).toBe(
      `cannot reach ${down} (ECONNREFUSED); start the gateway (or a model server) there first`,
    );
  });
});
