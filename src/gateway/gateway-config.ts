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
  servedNamePattern,
  servedNameRule,
  WardenError,
  yamlData,
  yamlErrorFix,
  yamlErrorSummary,
} from '../core/index.js';
import { type DriftBaseline, parseBaseline } from '../drift/index.js';
import { loadSloDocuments, type SloDocument } from '../slo/index.js';

export const gatewayApiVersion = 'warden.dev/v1';
export const gatewayProtocols = inferenceProtocols;
export type GatewayProtocol = InferenceProtocol;

/** Per route unless the config says otherwise. */
export const defaultTimeoutMs = 30_000;
export const defaultMaxBodyBytes = 4 * 1024 * 1024;
const maxConfigFileBytes = 1024 * 1024;

const name = z.string().regex(servedNamePattern, servedNameRule);

const routeSchema = z.strictObject({
  model: name,
  // With versions and serve the route is the config's own; without, it only sets how a model the
  // control plane routes is served (`warden gateway --server`), and the protocol is the endpoint's.
  protocol: z.enum(gatewayProtocols).optional(),
  versions: z.record(name, z.strictObject({ url: z.string() })).optional(),
  serve: z.record(z.string(), z.number().int().min(0).max(100)).optional(),
  timeoutMs: z.number().int().min(1).max(600_000).optional(),
  baseline: z.string().min(1).optional(),
  /** A file of ServiceLevelObjective documents about this model (docs/slo.md). */
  slos: z.string().min(1).optional(),
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

/** How one model is served, whoever routes it: defaults filled, paths resolved. */
export interface RouteSettings {
  model: string;
  timeoutMs: number;
  maxBodyBytes: number;
  /** Absolute path of the baseline file, when the config names one. */
  baseline?: string;
  monitoring?: RouteMonitoring;
  /** The baseline, read and checked against `monitoring` (loadGatewayConfig fills it). */
  baselineDocument?: DriftBaseline;
  /** Absolute path of the SLO file, when the config names one. */
  sloFile?: string;
  /** The model's SLOs, whose burn rates the gateway tracks (loadGatewayConfig reads them from sloFile). */
  slos?: readonly SloDocument[];
}

/** One model as the gateway serves it; URLs checked. */
export interface GatewayRoute extends RouteSettings {
  protocol: GatewayProtocol;
  /** Version → upstream base URL (no trailing slash). */
  versions: ReadonlyMap<string, string>;
  /** Traffic weights in percent, summing to 100, in the config's order. */
  serve: readonly { version: string; weight: number }[];
}

export interface RouteMonitoring {
  features?: string[] | undefined;
  scoreFeature?: string | undefined;
  scoreOutput?: string | undefined;
  windowSeconds?: number | undefined;
}

export interface GatewayConfig {
  file: string;
  /** The config's own routes (entries with versions and serve). */
  routes: readonly GatewayRoute[];
  /**
   * Entries without versions: settings for models the control plane routes. Only an attached
   * gateway (`--server`) accepts them.
   */
  settings: readonly RouteSettings[];
}

export interface GatewayConfigOptions {
  /** Routes also come from a control plane: entries may leave versions, serve and protocol out. */
  attached?: boolean;
}

/**
 * Reads a `kind: Gateway` YAML document and checks it whole: every problem is reported at once with
 * its `file:line:col` and the fix (WARDEN_ERR_GATEWAY_INVALID_CONFIG).
 */
export async function loadGatewayConfig(
  file: string,
  options: GatewayConfigOptions = {},
): Promise<GatewayConfig> {
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
  const config = parseGatewayConfig(file, content, options);
  await checkBaselinesExist(file, config);
  await readSlos(file, config);
  const { routes, settings } = await withBaselines(file, config);
  return { file, routes, settings };
}

/** {@link loadGatewayConfig} for text already read; `file` names it in messages and anchors relative paths. */
export function parseGatewayConfig(
  file: string,
  content: string,
  options: GatewayConfigOptions = {},
): GatewayConfig & { locate(path: JsonPath): string; entries: readonly ConfigEntry[] } {
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
  const entries = parsed.data.routes.map((route, index): ConfigEntry => {
    const first = seen.get(route.model);
    if (first === undefined) seen.set(route.model, index);
    else {
      problems.push(
        `${locate(['routes', index, 'model'])}: model "${route.model}" has a route already (at ${locate(['routes', first, 'model'])}); give each model one route with all its versions`,
      );
    }
    const settings: RouteSettings = {
      model: route.model,
      timeoutMs: route.timeoutMs ?? defaultTimeoutMs,
      maxBodyBytes: route.maxBodyBytes ?? defaultMaxBodyBytes,
      ...(route.baseline === undefined ? {} : { baseline: resolve(dirname(file), route.baseline) }),
      ...(route.monitoring === undefined ? {} : { monitoring: route.monitoring }),
      ...(route.slos === undefined ? {} : { sloFile: resolve(dirname(file), route.slos) }),
    };
    if (route.versions === undefined && route.serve === undefined && options.attached) {
      if (route.protocol !== undefined) {
        problems.push(
          `${locate(['routes', index, 'protocol'])}: a model the control plane routes is served with its endpoint's protocol (warden versions set-endpoint --protocol); remove protocol here, or give versions and serve to route it from this file`,
        );
      }
      return { index, settings };
    }
    const missing = (['protocol', 'versions', 'serve'] as const).filter(
      (field) => route[field] === undefined,
    );
    if (missing.length > 0) {
      problems.push(
        `${locate(['routes', index])}: the route of "${route.model}" has no ${missing.join(', ')}; a route lists its versions' URLs (versions), their traffic weights (serve) and the protocol${options.attached ? ', or leaves all three out to set how a model the control plane routes is served' : ' (or run attached, with --server, to take routes from the control plane)'}`,
      );
      return { index, settings };
    }
    const versions = new Map<string, string>();
    for (const [version, { url }] of Object.entries(route.versions ?? {})) {
      const problem = endpointUrlProblem(url);
      if (problem) problems.push(`${locate(['routes', index, 'versions', version, 'url'])}: ${problem}`);
      else versions.set(version, normalEndpointUrl(url));
    }
    const listed = route.versions ?? {};
    if (Object.keys(listed).length === 0) {
      problems.push(
        `${locate(['routes', index, 'versions'])}: a route needs at least one version with its url`,
      );
    }
    const serve = Object.entries(route.serve ?? {}).map(([version, weight]) => ({ version, weight }));
    for (const { version } of serve) {
      if (!(version in listed)) {
        problems.push(
          `${locate(['routes', index, 'serve', version])}: serve names version "${version}", which is not in versions (${Object.keys(listed).join(', ') || 'none'}); weigh only the versions listed`,
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
      index,
      settings,
      route: { ...settings, protocol: route.protocol as GatewayProtocol, versions, serve },
    };
  });
  if (problems.length > 0) throw invalidConfig(file, problems);
  return {
    file,
    routes: entries.flatMap((entry) => (entry.route ? [entry.route] : [])),
    settings: entries.flatMap((entry) => (entry.route ? [] : [entry.settings])),
    locate,
    entries,
  };
}

/** One `routes` entry of the file: a route of its own, or only settings. */
interface ConfigEntry {
  index: number;
  settings: RouteSettings;
  route?: GatewayRoute;
}

async function checkBaselinesExist(
  file: string,
  config: ReturnType<typeof parseGatewayConfig>,
): Promise<void> {
  const problems: string[] = [];
  for (const { index, settings } of config.entries) {
    if (settings.baseline === undefined) continue;
    const info = await stat(settings.baseline).catch(() => undefined);
    if (!info?.isFile()) {
      problems.push(
        `${config.locate(['routes', index, 'baseline'])}: baseline ${settings.baseline} is not a file; write it with warden baseline create, or give its path relative to the config`,
      );
    }
  }
  if (problems.length > 0) throw invalidConfig(file, problems);
}

/**
 * Reads each entry's SLO file into its settings (and route): every document must be about the
 * entry's model. The problems name the config's line and the SLO file's.
 */
async function readSlos(file: string, config: ReturnType<typeof parseGatewayConfig>): Promise<void> {
  const problems: string[] = [];
  for (const entry of config.entries) {
    const { sloFile, model } = entry.settings;
    if (sloFile === undefined) continue;
    try {
      const slos = await loadSloDocuments(sloFile, { model });
      entry.settings.slos = slos;
      if (entry.route) entry.route.slos = slos;
    } catch (error) {
      if (!(error instanceof WardenError)) throw error;
      problems.push(
        `${config.locate(['routes', entry.index, 'slos'])}: ${error.message.replace(/\n/g, '\n  ')}`,
      );
    }
  }
  if (problems.length > 0) throw invalidConfig(file, problems);
}

/**
 * Why a baseline cannot judge a model's traffic, or undefined when it can: every feature the
 * requests name and the score feature must be in it (a baseline of other data would judge nothing).
 * `source` names the baseline in the message.
 */
export function baselineMismatch(
  monitoring: RouteMonitoring | undefined,
  baseline: DriftBaseline,
  source: string,
): string | undefined {
  const known = Object.keys(baseline.features);
  const named = [
    ...(monitoring?.features ?? []),
    ...(monitoring?.scoreFeature ? [monitoring.scoreFeature] : []),
  ];
  const unknown = named.filter((name) => !known.includes(name));
  if (unknown.length === 0) return undefined;
  return `${unknown.map((n) => JSON.stringify(n)).join(', ')} ${unknown.length === 1 ? 'is' : 'are'} not in the baseline ${source}, whose features are ${known.join(', ')}; name the route's inputs as the baseline does, or make the baseline from the data the model was trained on`;
}

/**
 * Reads each entry's baseline and checks it against the entry's monitoring. A route of the config's
 * own with monitoring needs a baseline; a model the control plane routes may take its baseline from
 * its version's drift-baseline evidence instead.
 */
async function withBaselines(
  file: string,
  config: ReturnType<typeof parseGatewayConfig>,
): Promise<{ routes: GatewayRoute[]; settings: RouteSettings[] }> {
  const problems: string[] = [];
  const routes: GatewayRoute[] = [];
  const settings: RouteSettings[] = [];
  for (const entry of config.entries) {
    const keep = (baselineDocument?: DriftBaseline) => {
      if (entry.route) routes.push(baselineDocument ? { ...entry.route, baselineDocument } : entry.route);
      else settings.push(baselineDocument ? { ...entry.settings, baselineDocument } : entry.settings);
    };
    const { baseline: path, monitoring } = entry.settings;
    if (path === undefined) {
      if (monitoring !== undefined && entry.route) {
        problems.push(
          `${config.locate(['routes', entry.index, 'monitoring'])}: live drift needs the version's baseline; add baseline: FILE (warden baseline create)`,
        );
      }
      keep();
      continue;
    }
    let baseline: DriftBaseline;
    try {
      baseline = parseBaseline(await readFile(path, 'utf8'), path);
    } catch (error) {
      problems.push(
        `${config.locate(['routes', entry.index, 'baseline'])}: ${error instanceof WardenError ? error.message : String(error)}`,
      );
      continue;
    }
    const mismatch = baselineMismatch(monitoring, baseline, path);
    if (mismatch) problems.push(`${config.locate(['routes', entry.index, 'monitoring'])}: ${mismatch}`);
    keep(baseline);
  }
  if (problems.length > 0) throw invalidConfig(file, problems);
  return { routes, settings };
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
