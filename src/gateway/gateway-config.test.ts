import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isWardenError } from '../core/index.js';
import { loadGatewayConfig, parseGatewayConfig } from './gateway-config.js';

const valid = `apiVersion: warden.dev/v1
kind: Gateway
routes:
  - model: fraud-detector
    protocol: v2
    versions:
      "1": { url: http://127.0.0.1:9001 }
      "2": { url: "http://127.0.0.1:9002/prefix/" }
    serve: { "1": 80, "2": 20 }
    timeoutMs: 2000
`;

function problemOf(content: string): string {
  try {
    parseGatewayConfig('gateway.yaml', content);
  } catch (error) {
    if (!isWardenError(error)) throw error;
    expect(error.code).toBe('WARDEN_ERR_GATEWAY_INVALID_CONFIG');
    expect(error.exitCode).toBe(2);
    return error.message;
  }
  throw new Error('the config was accepted');
}

describe('gateway config', () => {
  it('reads routes with their defaults, weights in order and URLs without a trailing slash', () => {
    const config = parseGatewayConfig('gateway.yaml', valid);
    expect(config.routes).toHaveLength(1);
    const route = config.routes[0];
    expect(route?.model).toBe('fraud-detector');
    expect(route?.serve).toEqual([
      { version: '1', weight: 80 },
      { version: '2', weight: 20 },
    ]);
    expect([...(route?.versions ?? [])]).toEqual([
      ['1', 'http://127.0.0.1:9001'],
      ['2', 'http://127.0.0.1:9002/prefix'],
    ]);
    expect(route?.timeoutMs).toBe(2000);
    expect(route?.maxBodyBytes).toBe(4 * 1024 * 1024);
  });

  it('names the line of an unknown field and suggests the known one', () => {
    const message = problemOf(valid.replace('timeoutMs: 2000', 'timeoutMS: 2000'));
    expect(message).toContain('gateway.yaml:10:5: unknown field "timeoutMS"');
    expect(message).toContain('did you mean "timeoutMs"');
  });

  it('refuses an unknown protocol at its line', () => {
    expect(problemOf(valid.replace('protocol: v2', 'protocol: v3'))).toMatch(
      /gateway\.yaml:5:5: routes\.0\.protocol is "v3".*use one of v2, mlflow, v1/,
    );
  });

  it('refuses weights that do not sum to 100 or name a version that is not listed', () => {
    expect(problemOf(valid.replace('"2": 20', '"2": 30'))).toContain(
      'gateway.yaml:9:5: the weights sum to 110; they are percentages of the traffic and must sum to 100',
    );
    const message = problemOf(valid.replace('"2": 20', '"3": 20'));
    expect(message).toContain('gateway.yaml:9:23: serve names version "3", which is not in versions (1, 2)');
  });

  it('refuses upstream URLs that are not plain http(s), and never echoes credentials', () => {
    expect(problemOf(valid.replace('http://127.0.0.1:9001', 'ftp://127.0.0.1:9001'))).toContain(
      'gateway.yaml:7:14: url scheme "ftp" is not served',
    );
    const withSecret = problemOf(valid.replace('http://127.0.0.1:9001', 'http://user:s3cr3t@127.0.0.1:9001'));
    expect(withSecret).toContain('url carries credentials');
    expect(withSecret).not.toContain('s3cr3t');
    expect(problemOf(valid.replace('http://127.0.0.1:9001', 'not a url'))).toContain('is not a URL');
    expect(problemOf(valid.replace('http://127.0.0.1:9001', 'http://127.0.0.1:9001/?a=1'))).toContain(
      'must have no query or fragment',
    );
  });

  it('refuses a second route for the same model, the wrong kind, and YAML that does not parse', () => {
    const twice = `${valid}  - model: fraud-detector\n    protocol: v1\n    versions: { "1": { url: "http://127.0.0.1:1" } }\n    serve: { "1": 100 }\n`;
    expect(problemOf(twice)).toContain(
      'gateway.yaml:11:5: model "fraud-detector" has a route already (at gateway.yaml:4:5)',
    );
    expect(problemOf(valid.replace('kind: Gateway', 'kind: Gateways'))).toContain('gateway.yaml:2:1: kind');
    expect(problemOf('routes: [\n')).toMatch(
      /^gateway\.yaml: the gateway config is not valid \(1 problem\):\n {2}gateway\.yaml:\d+:\d+: not valid YAML/,
    );
    expect(problemOf('- just a list\n')).toContain('a gateway config is a YAML mapping');
  });

  describe('from a file', () => {
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'warden-gateway-config-'));
    });
    afterAll(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it('resolves the baseline beside the config, reads it, and refuses one that is missing or not a baseline', async () => {
      await writeFile(
        join(dir, 'baseline.json'),
        await readFile('examples/fraud-detection/baseline-v1.json', 'utf8'),
      );
      const file = join(dir, 'gateway.yaml');
      await writeFile(file, `${valid}    baseline: baseline.json\n`);
      const [route] = (await loadGatewayConfig(file)).routes;
      expect(route?.baseline).toBe(join(dir, 'baseline.json'));
      expect(Object.keys(route?.baselineDocument?.features ?? {})).toContain('amount');
      await writeFile(join(dir, 'not-a-baseline.json'), '{}');
      await writeFile(file, `${valid}    baseline: not-a-baseline.json\n`);
      await expect(loadGatewayConfig(file)).rejects.toThrow(`${file}:11:5: `);
      await writeFile(file, `${valid}    baseline: missing.json\n`);
      await expect(loadGatewayConfig(file)).rejects.toThrow(
        `${file}:11:5: baseline ${join(dir, 'missing.json')} is not a file`,
      );
    });

    it('reads a route’s SLO file beside the config, and refuses one about another model at the route’s line', async () => {
      const file = join(dir, 'gateway.yaml');
      await writeFile(join(dir, 'slos.yaml'), await readFile('examples/fraud-detection/slos.yaml', 'utf8'));
      await writeFile(file, `${valid}    slos: slos.yaml\n`);
      const [route] = (await loadGatewayConfig(file)).routes;
      expect(route?.slos?.map((slo) => slo.metadata.name)).toEqual(['fraud-availability', 'fraud-latency']);
      await writeFile(
        file,
        `${valid.replace('model: fraud-detector', 'model: credit-risk')}    slos: slos.yaml\n`,
      );
      const message = await loadGatewayConfig(file).catch((error: Error) => error.message);
      expect(message).toContain(
        `${file}:11:5: ${join(dir, 'slos.yaml')}: the SLOs are not valid (2 problems):`,
      );
      expect(message).toContain(
        `${join(dir, 'slos.yaml')}:9:3: this SLO is about model "fraud-detector", but the route that names it serves "credit-risk"`,
      );
    });

    it('says when the config file does not exist', async () => {
      await expect(loadGatewayConfig(join(dir, 'nope.yaml'))).rejects.toMatchObject({
        code: 'WARDEN_ERR_INPUT_FILE_NOT_FOUND',
      });
    });
  });
});
