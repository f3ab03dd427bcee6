import {
  canonicalJson,
  endpointUrlProblem,
  inferenceProtocols,
  normalEndpointUrl,
  WardenError,
} from '../core/index.js';
import type { DriftBaseline } from '../drift/index.js';
import { parseSloDocuments, type SloDocument } from '../slo/index.js';
import type { GatewayReadiness } from './gateway.js';
import {
  baselineMismatch,
  defaultMaxBodyBytes,
  defaultTimeoutMs,
  type GatewayProtocol,
  type GatewayRoute,
  type RouteSettings,
} from './gateway-config.js';
import type { GatewayMetrics } from './metrics.js';

/** One model as the control plane routes it (`GET /api/v1/gateway/routes`). */
export interface ControlPlaneRoute {
  model: string;
  protocol: string;
  versions: Record<string, { url: string }>;
  serve: Record<string, number>;
  baseline: { evidence: string; signer?: string } | null;
  /** During a canary rollout: the monitoring window, equal to the rollout's interval. */
  windowSeconds?: number;
  /** The model's SLOs as the control plane holds them; checked again here, they win over the config's. */
  slos?: readonly unknown[];
}

/** The control plane's routing table; `revision` changes whenever any of it does. */
export interface ControlPlaneTable {
  revision: string;
  routes: ControlPlaneRoute[];
  /** What keeps a production version from being served, or served with live drift. */
  problems: { model: string; version: string; problem: string }[];
}

export interface AttachedRoutingOptions {
  /** Reads the control plane's table; throws when it cannot. */
  fetchTable: () => Promise<ControlPlaneTable>;
  /** Reads the drift baseline held by a drift-baseline evidence document. */
  fetchBaseline: (evidenceId: string) => Promise<DriftBaseline>;
  /** The config's own routes: they win for their model. */
  staticRoutes?: readonly GatewayRoute[];
  /** How models the control plane routes are served (timeouts, monitoring, a fallback baseline). */
  settings?: readonly RouteSettings[];
  /** Receives each new table (the gateway's and the monitor's replaceRoutes). */
  apply: (routes: readonly GatewayRoute[]) => void;
  metrics?: GatewayMetrics;
  /** One line for the operator: a change, a problem, the control plane lost or back. */
  report?: (line: string) => void;
  pollSeconds?: number;
  clock?: () => number;
}

export const defaultPollSeconds = 1;

/**
 * The routing of a gateway attached to a control plane: polls its table, turns it into routes (with
 * the config's settings and the versions' baselines), and applies each change at once, so requests
 * in flight finish where they were sent. When the control plane cannot be reached the last table
 * stays in force; `readiness` says so, and so does `warden_gateway_control_plane_up`.
 */
export class AttachedRouting {
  readonly #options: AttachedRoutingOptions;
  readonly #clock: () => number;
  readonly #baselines = new Map<string, DriftBaseline>();
  /** Built routes by what they were built from, so an unchanged model keeps its route (and monitor). */
  #built = new Map<string, GatewayRoute>();
  #revision: string | undefined;
  #lastSync: number | undefined;
  #lastError: string | undefined;
  #reported = new Set<string>();
  #timer: NodeJS.Timeout | undefined;
  #polling: Promise<boolean> | undefined;

  constructor(options: AttachedRoutingOptions) {
    this.#options = options;
    this.#clock = options.clock ?? Date.now;
  }

  /** Polls once; true when the control plane answered (whether or not the table changed). */
  sync(): Promise<boolean> {
    this.#polling ??= this.#sync().finally(() => {
      this.#polling = undefined;
    });
    return this.#polling;
  }

  async #sync(): Promise<boolean> {
    let table: ControlPlaneTable;
    let routes: GatewayRoute[];
    try {
      table = await this.#options.fetchTable();
      routes = table.revision === this.#revision ? [] : await this.#routesOf(table);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (this.#lastError === undefined) {
        this.#report(
          this.#revision === undefined
            ? `cannot read the routing table from the control plane (${message}); retrying every ${this.#pollSeconds} s`
            : `the control plane cannot be reached (${message}); serving the routing table of ${new Date(this.#lastSync as number).toISOString()} until it can`,
        );
      }
      this.#lastError = message;
      this.#options.metrics?.controlPlanePolled(false, this.#clock());
      return false;
    }
    const now = this.#clock();
    this.#options.metrics?.controlPlanePolled(true, now);
    if (this.#lastError !== undefined && this.#revision !== undefined)
      this.#report('the control plane is back');
    this.#lastError = undefined;
    this.#lastSync = now;
    if (table.revision === this.#revision) return true;
    for (const { problem, model } of table.problems) this.#reportOnce(`${model}: ${problem}`);
    const all = [...(this.#options.staticRoutes ?? []), ...routes];
    this.#options.apply(all);
    const served = routes.map(
      (route) => `${route.model} ${route.serve.map((s) => `v${s.version} ${s.weight}%`).join(', ')}`,
    );
    this.#report(
      `routing table ${table.revision.slice(7, 19)}: ${served.join('; ') || 'no model in production with an endpoint'}`,
    );
    this.#revision = table.revision;
    return true;
  }

  /** The routes of a table; reuses the route objects of models whose routing and baseline did not change. */
  async #routesOf(table: ControlPlaneTable): Promise<GatewayRoute[]> {
    const own = new Set((this.#options.staticRoutes ?? []).map((route) => route.model));
    const built = new Map<string, GatewayRoute>();
    const routes: GatewayRoute[] = [];
    for (const served of table.routes) {
      if (own.has(served.model)) {
        this.#reportOnce(
          `${served.model}: routed by the gateway config, not by the control plane (remove its versions and serve from the config to follow the control plane)`,
        );
        continue;
      }
      const key = canonicalJson(served);
      const route = this.#built.get(key) ?? (await this.#routeOf(served));
      if (route === undefined) continue;
      built.set(key, route);
      routes.push(route);
    }
    this.#built = built;
    return routes;
  }

  async #routeOf(served: ControlPlaneRoute): Promise<GatewayRoute | undefined> {
    const problem = routeProblem(served);
    if (problem !== undefined) {
      this.#reportOnce(`${served.model}: not served: ${problem}`);
      return undefined;
    }
    const settings = this.#options.settings?.find((entry) => entry.model === served.model) ?? {
      model: served.model,
      timeoutMs: defaultTimeoutMs,
      maxBodyBytes: defaultMaxBodyBytes,
    };
    const { baselineDocument: configBaseline, ...rest } = settings;
    let baseline = configBaseline;
    if (served.baseline !== null) {
      const id = served.baseline.evidence;
      baseline = this.#baselines.get(id) ?? (await this.#options.fetchBaseline(id));
      this.#baselines.set(id, baseline);
    }
    const mismatch =
      baseline === undefined
        ? undefined
        : baselineMismatch(
            settings.monitoring,
            baseline,
            served.baseline?.evidence ?? settings.baseline ?? '',
          );
    if (mismatch !== undefined) {
      this.#reportOnce(`${served.model}: live drift off: ${mismatch}`);
      baseline = undefined;
    }
    const monitoring =
      served.windowSeconds === undefined
        ? rest.monitoring
        : { ...rest.monitoring, windowSeconds: served.windowSeconds };
    const slos = this.#slosOf(served) ?? settings.slos;
    return {
      ...rest,
      ...(monitoring === undefined ? {} : { monitoring }),
      ...(slos === undefined ? {} : { slos }),
      protocol: served.protocol as GatewayProtocol,
      versions: new Map(
        Object.entries(served.versions).map(([version, { url }]) => [version, normalEndpointUrl(url)]),
      ),
      serve: Object.entries(served.serve).map(([version, weight]) => ({ version, weight })),
      ...(baseline === undefined ? {} : { baselineDocument: baseline }),
    };
  }

  /** The control plane's SLOs of a model, checked; undefined (and said) when it sent none or bad ones. */
  #slosOf(served: ControlPlaneRoute): readonly SloDocument[] | undefined {
    if (served.slos === undefined || served.slos.length === 0) return undefined;
    try {
      return parseSloDocuments(served.slos, `the control plane's SLOs of ${served.model}`, {
        model: served.model,
      });
    } catch (error) {
      if (!(error instanceof WardenError)) throw error;
      this.#reportOnce(`${served.model}: the control plane's SLOs are not used: ${error.message}`);
      return undefined;
    }
  }

  /** Polls every pollSeconds until stop(). */
  start(): void {
    this.#timer = setInterval(() => void this.sync(), this.#pollSeconds * 1000);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#polling;
  }

  /** Ready once a table has been applied; says where routes come from and how fresh they are. */
  readonly readiness = (): GatewayReadiness => ({
    ready: this.#revision !== undefined,
    detail: {
      routing: 'control-plane',
      revision: this.#revision ?? null,
      controlPlane: {
        reachable: this.#lastError === undefined && this.#lastSync !== undefined,
        lastSync: this.#lastSync === undefined ? null : new Date(this.#lastSync).toISOString(),
        ...(this.#lastError === undefined ? {} : { error: this.#lastError }),
      },
    },
  });

  get #pollSeconds(): number {
    return this.#options.pollSeconds ?? defaultPollSeconds;
  }

  #report(line: string): void {
    this.#options.report?.(line);
  }

  #reportOnce(line: string): void {
    if (this.#reported.has(line)) return;
    this.#reported.add(line);
    this.#report(line);
  }
}

/** Why the gateway cannot serve a route the control plane sent, or undefined when it can. */
function routeProblem(route: ControlPlaneRoute): string | undefined {
  if (!(inferenceProtocols as readonly string[]).includes(route.protocol)) {
    return `protocol "${route.protocol}" is not one the gateway speaks (${inferenceProtocols.join(', ')})`;
  }
  const versions = Object.entries(route.versions);
  if (versions.length === 0) return 'no version has an endpoint';
  for (const [version, { url }] of versions) {
    const problem = endpointUrlProblem(url);
    if (problem !== undefined) return `version ${version}: ${problem}`;
  }
  const weights = Object.entries(route.serve);
  if (weights.some(([version]) => route.versions[version] === undefined))
    return 'the weights name a version without an endpoint';
  const total = weights.reduce((sum, [, weight]) => sum + weight, 0);
  if (total !== 100) return `the weights sum to ${total}, not 100`;
  return undefined;
}
