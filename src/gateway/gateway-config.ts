import { readFile, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { isMap, LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import {
  describeSchemaIssue,
  endpointUrlProblem,
  fileReadError,
  type InferenceProtocol,
  inferenceProtocols,
  type JsonPath,
  locateInYaml,
  normalEndpointUrl,
  WardenError,
  yamlData,
  yamlErrorFix,
  yamlErrorSummary,
} from '../core/index.js';
import { type DriftBaseline, parseBaseline } from '../drift/index.js';

export const gatewayApiVersion = 'warden.dev/v1';
export const gatewayProtocols = inferenceProtocols;
export type GatewayProtocol = InferenceProtocol;

/** Per route unless the config says otherwise. */
export const defaultTimeoutMs = 30_000;
export const defaultMaxBodyBytes = 4 * 1024 * 1024;
const maxConfigFileBytes = 1024 * 1024;

const name = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/,
    'must be 1–128 letters, digits, ".", "_" or "-", starting with a letter or digit',
  );

const routeSchema = z.strictObject({
  model: name,
  protocol: z.enum(gatewayProtocols),
  versions: z.record(name, z.strictObject({ url: z.string() })),
  serve: z.record(z.string(), z.number().int().min(0).max(100)),
  timeoutMs: z.number().int().min(1).max(600_000).optional(),
  baseline: z.string().min(1).optional(),
  /** Live drift against the baseline (docs/gateway.md, "Live drift"). */
  monitoring: z
    .strictObject({
      /** Names of the columns a request leaves unnamed, in order (a V2 tensor's columns). */
      features: z.array(z.string().min(1)).min(1).optional(),
      /** The baseline feature holding the model's score: its drift is the prediction drift. */
      scoreFeature: z.string().min(1).optional(),
      /** The V2 output or prediction field holding the score. */
      scoreOutput: z.string().min(1).optional(),
      windowSeconds: z.number().int().min(1).max(86_400).optional(),
    })
    .optional(),
  maxBodyBytes: z
    .number()
    .int()
    .min(1)
    .max(1024 ** 3)
    .optional(),
});

const gatewaySchema = z.strictObject({
  apiVersion: z.literal(gatewayApiVersion),
  kind: z.literal('Gateway'),
  routes: z.array(routeSchema).min(1),
});

/** One model as the gateway serves it; defaults filled, URLs checked, paths resolved. */
export interface GatewayRoute {
  model: string;
  protocol: GatewayProtocol;
  /** Version → upstream base URL (no trailing slash). */
  versions: ReadonlyMap<string, string>;
  /** Traffic weights in percent, summing to 100, in the config's order. */
  serve: readonly { version: string; weight: number }[];
  timeoutMs: number;
  maxBodyBytes: number;
  /** Absolute path of the baseline file, when the config names one. */
  baseline?: string;
  monitoring?: RouteMonitoring;
  /** The baseline, read and checked against `monitoring` (loadGatewayConfig fills it). */
  baselineDocument?: DriftBaseline;
}

export interface RouteMonitoring {
  features?: string[] | undefined;
  scoreFeature?: string | undefined;
  scoreOutput?: string | undefined;
  windowSeconds?: number | undefined;
}

export interface GatewayConfig {
  file: string;
  routes: readonly GatewayRoute[];
}

/**
 * Reads a `kind: Gateway` YAML document and checks it whole: every problem is reported at once with
 * its `file:line:col` and the fix (WARDEN_ERR_GATEWAY_INVALID_CONFIG).
 */
export async function loadGatewayConfig(file: string): Promise<GatewayConfig> {
  let content: string;
  try {
    const info = await stat(file);
    if (info.isFile() && info.size > maxConfigFileBytes) {
      throw invalidConfig(file, [
        `${file}: is ${info.size} bytes; a gateway config may hold at most ${maxConfigFileBytes}`,
      ]);
    }
    content = await readFile(file, 'utf8');
  } catch (error) {
    if (error instanceof WardenError) throw error;
    throw fileReadError(file, error, 'gateway config');
  }
  const config = parseGatewayConfig(file, content);
  await checkBaselinesExist(file, config);
  return { ...config, routes: await withBaselines(file, config) };
}

/** {@link loadGatewayConfig} for text already read; `file` names it in messages and anchors relative paths. */
export function parseGatewayConfig(
  file: string,
  content: string,
): GatewayConfig & { locate(path: JsonPath): string } {
  const lineCounter = new LineCounter();
  const document = parseDocument(content, { lineCounter, uniqueKeys: true });
  const locate = (path: JsonPath) => locateInYaml(file, document, lineCounter, path);
  const yamlError = document.errors[0];
  if (yamlError) {
    const position = yamlError.linePos?.[0];
    throw invalidConfig(file, [
      `${position ? `${file}:${position.line}:${position.col}` : file}: not valid YAML: ${yamlErrorSummary(yamlError.message)}; ${yamlErrorFix(yamlError.code)}`,
    ]);
  }
  if (!isMap(document.contents)) {
    throw invalidConfig(file, [
      `${locate([])}: a gateway config is a YAML mapping with apiVersion: ${gatewayApiVersion}, kind: Gateway and routes`,
    ]);
  }
  const converted = yamlData(document);
  if ('problem' in converted)
    throw invalidConfig(file, [`${locate([])}: not valid YAML: ${converted.problem}`]);
  const parsed = gatewaySchema.safeParse(converted.data);
  if (!parsed.success) {
    throw invalidConfig(
      file,
      parsed.error.issues.map((issue) => describeSchemaIssue(issue, converted.data, gatewaySchema, locate)),
    );
  }
  const problems: string[] = [];
  const seen = new Map<string, number>();
  const routes = parsed.data.routes.map((route, index): GatewayRoute => {
    const first = seen.get(route.model);
    if (first === undefined) seen.set(route.model, index);
    else {
      problems.push(
        `${locate(['routes', index, 'model'])}: model "${route.model}" has a route already (at ${locate(['routes', first, 'model'])}); give each model one route with all its versions`,
      );
    }
    const versions = new Map<string, string>();
    for (const [version, { url }] of Object.entries(route.versions)) {
      const problem = endpointUrlProblem(url);
      if (problem) problems.push(`${locate(['routes', index, 'versions', version, 'url'])}: ${problem}`);
      else versions.set(version, normalEndpointUrl(url));
    }
    if (Object.keys(route.versions).length === 0) {
      problems.push(
        `${locate(['routes', index, 'versions'])}: a route needs at least one version with its url`,
      );
    }
    const serve = Object.entries(route.serve).map(([version, weight]) => ({ version, weight }));
    for (const { version } of serve) {
      if (!(version in route.versions)) {
        problems.push(
          `${locate(['routes', index, 'serve', version])}: serve names version "${version}", which is not in versions (${Object.keys(route.versions).join(', ') || 'none'}); weigh only the versions listed`,
        );
      }
    }
    const total = serve.reduce((sum, entry) => sum + entry.weight, 0);
    if (total !== 100) {
      problems.push(
        `${locate(['routes', index, 'serve'])}: the weights sum to ${total}; they are percentages of the traffic and must sum to 100`,
      );
    }
    return {
      model: route.model,
      protocol: route.protocol,
      versions,
      serve,
      timeoutMs: route.timeoutMs ?? defaultTimeoutMs,
      maxBodyBytes: route.maxBodyBytes ?? defaultMaxBodyBytes,
      ...(route.baseline === undefined ? {} : { baseline: resolve(dirname(file), route.baseline) }),
      ...(route.monitoring === undefined ? {} : { monitoring: route.monitoring }),
    };
  });
  if (problems.length > 0) throw invalidConfig(file, problems);
  return { file, routes, locate };
}

async function checkBaselinesExist(
  file: string,
  config: ReturnType<typeof parseGatewayConfig>,
): Promise<void> {
  const problems: string[] = [];
  for (const [index, route] of config.routes.entries()) {
    if (route.baseline === undefined) continue;
    const info = await stat(route.baseline).catch(() => undefined);
    if (!info?.isFile()) {
      problems.push(
        `${config.locate(['routes', index, 'baseline'])}: baseline ${route.baseline} is not a file; write it with warden baseline create, or give its path relative to the config`,
      );
    }
  }
  if (problems.length > 0) throw invalidConfig(file, problems);
}

/**
 * Reads each route's baseline and checks it against the route's monitoring: every feature the
 * requests name and the score feature must be in the baseline (a baseline of other data would judge
 * nothing). A route with monitoring needs a baseline.
 */
async function withBaselines(
  file: string,
  config: ReturnType<typeof parseGatewayConfig>,
): Promise<GatewayRoute[]> {
  const problems: string[] = [];
  const routes: GatewayRoute[] = [];
  for (const [index, route] of config.routes.entries()) {
    if (route.baseline === undefined) {
      if (route.monitoring !== undefined) {
        problems.push(
          `${config.locate(['routes', index, 'monitoring'])}: live drift needs the version's baseline; add baseline: FILE (warden baseline create)`,
        );
      }
      routes.push(route);
      continue;
    }
    let baseline: DriftBaseline;
    try {
      baseline = parseBaseline(await readFile(route.baseline, 'utf8'), route.baseline);
    } catch (error) {
      problems.push(
        `${config.locate(['routes', index, 'baseline'])}: ${error instanceof WardenError ? error.message : String(error)}`,
      );
      continue;
    }
    const known = Object.keys(baseline.features);
    const named = [
      ...(route.monitoring?.features ?? []),
      ...(route.monitoring?.scoreFeature ? [route.monitoring.scoreFeature] : []),
    ];
    const unknown = named.filter((name) => !known.includes(name));
    if (unknown.length > 0) {
      problems.push(
        `${config.locate(['routes', index, 'monitoring'])}: ${unknown.map((n) => JSON.stringify(n)).join(', ')} ${unknown.length === 1 ? 'is' : 'are'} not in the baseline ${route.baseline}, whose features are ${known.join(', ')}; name the route's inputs as the baseline does, or make the baseline from the data the model was trained on`,
      );
    }
    routes.push({ ...route, baselineDocument: baseline });
  }
  if (problems.length > 0) throw invalidConfig(file, problems);
  return routes;
}

function invalidConfig(file: string, problems: string[]): WardenError {
  const shown = problems.slice(0, 20);
  const more = problems.length > shown.length ? `\n  … and ${problems.length - shown.length} more` : '';
  return new WardenError(
    'WARDEN_ERR_GATEWAY_INVALID_CONFIG',
    `${file}: the gateway config is not valid (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n  ${shown.join('\n  ')}${more}`,
    { where: file },
  );
}
