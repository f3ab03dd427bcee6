import { createHash } from 'node:crypto';
import type { GatewayRoute } from './gateway-config.js';

/** Why a request got its version: the path named it, its route key chose it, or chance did. */
export type RouteChoice = 'pinned' | 'sticky' | 'weighted';

export interface ChosenVersion {
  route: GatewayRoute;
  version: string;
  /** Upstream base URL of that version. */
  upstream: string;
  choice: RouteChoice;
}

export type RouteLookup =
  | { found: true; chosen: ChosenVersion }
  | { found: false; reason: 'unknown-model' | 'unknown-version'; route?: GatewayRoute };

/**
 * Model → versions and weights, immutable once built. The gateway swaps whole tables
 * ({@link Router.replace}), so a request sees either the old routes or the new ones, never a mix.
 */
export class RoutingTable {
  private readonly routes: ReadonlyMap<string, GatewayRoute>;

  constructor(routes: readonly GatewayRoute[]) {
    this.routes = new Map(routes.map((route) => [route.model, route]));
  }

  get models(): readonly GatewayRoute[] {
    return [...this.routes.values()];
  }

  route(model: string): GatewayRoute | undefined {
    return this.routes.get(model);
  }

  /**
   * The version for one request: the pinned one when the path names it; else by weight, at a point
   * in [0, 100) taken from the hash of the route key when there is one (the same key lands on the
   * same version while the weights stay the same), or uniformly at random.
   */
  choose(
    model: string,
    options: { pinned?: string; routeKey?: string; random?: () => number } = {},
  ): RouteLookup {
    const route = this.routes.get(model);
    if (!route) return { found: false, reason: 'unknown-model' };
    if (options.pinned !== undefined) {
      const upstream = route.versions.get(options.pinned);
      if (upstream === undefined) return { found: false, reason: 'unknown-version', route };
      return { found: true, chosen: { route, version: options.pinned, upstream, choice: 'pinned' } };
    }
    const sticky = options.routeKey !== undefined && options.routeKey !== '';
    const point = sticky
      ? routeKeyPoint(options.routeKey as string)
      : (options.random ?? Math.random)() * 100;
    const version = versionAt(route, point);
    return {
      found: true,
      chosen: {
        route,
        version,
        upstream: route.versions.get(version) as string,
        choice: sticky ? 'sticky' : 'weighted',
      },
    };
  }
}

/** Holds the current table; `replace` swaps it in one assignment, so in-flight requests keep theirs. */
export class Router {
  constructor(private current: RoutingTable) {}

  get table(): RoutingTable {
    return this.current;
  }

  replace(table: RoutingTable): RoutingTable {
    const previous = this.current;
    this.current = table;
    return previous;
  }
}

/** A route key's place in [0, 100): the first 48 bits of its SHA-256, so keys spread evenly. */
export function routeKeyPoint(key: string): number {
  const digest = createHash('sha256').update(key).digest();
  return (digest.readUIntBE(0, 6) / 2 ** 48) * 100;
}

/** The version whose weight interval [from, from + weight) holds the point; zero weights hold none. */
function versionAt(route: GatewayRoute, point: number): string {
  let upper = 0;
  let last: string | undefined;
  for (const { version, weight } of route.serve) {
    if (weight === 0) continue;
    upper += weight;
    last = version;
    if (point < upper) return version;
  }
  // The weights sum to 100 (the config checks it), so only rounding at the very top lands here.
  return last as string;
}
