import type { z } from 'zod';
import type { AuditLog } from '../audit/index.js';
import type { Role } from '../core/index.js';
import type { Governance } from '../governance/index.js';
import type { RuntimeControl } from '../monitor/index.js';
import type { Registry } from '../registry/index.js';
import type { Store } from '../store/index.js';
import type { Principal } from './auth.js';

export interface RouteContext<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  principal: Principal;
  registry: Registry;
  store: Store;
  audit: AuditLog;
  governance: Governance;
  runtime: RuntimeControl;
}

type Schema = z.ZodType | undefined;
/** What a handler sees: the schema's parsed output (undefined when the route has no such part). */
type Parsed<S extends Schema> = S extends z.ZodType ? z.output<S> : undefined;

/** A stored JSON document sent byte for byte (a `rawJson` route's answer). */
export type RawJson = string & { readonly rawJson: unique symbol };

export function rawJson(text: string): RawJson {
  return text as RawJson;
}

/**
 * One API operation: its path, the role it needs, its input schemas and its handler. The type
 * parameters keep the schemas and the handler's answer, so a client can be typed from the table.
 */
export interface Route<
  PS extends Schema = Schema,
  QS extends Schema = Schema,
  BS extends Schema = Schema,
  Answer = unknown,
> {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  operationId: string;
  summary: string;
  role: Role;
  params?: PS;
  query?: QS;
  body?: BS;
  /** The success status (200 unless said). */
  status?: number;
  /** A raw JSON text answer (stored evidence, byte for byte) instead of an object. */
  rawJson?: boolean;
  handler(context: RouteContext<Parsed<PS>, Parsed<QS>, Parsed<BS>>): Promise<Answer>;
}

/** A route as written in a table: the table's key is its operationId. */
export type RouteSpec<PS extends Schema, QS extends Schema, BS extends Schema, Answer> = Omit<
  Route<PS, QS, BS, Answer>,
  'operationId'
>;

export function route<
  PS extends Schema = undefined,
  QS extends Schema = undefined,
  BS extends Schema = undefined,
  Answer = unknown,
>(spec: RouteSpec<PS, QS, BS, Answer>): RouteSpec<PS, QS, BS, Answer> {
  return spec;
}

type Operations<T> = {
  [K in keyof T & string]: T[K] extends RouteSpec<infer PS, infer QS, infer BS, infer Answer>
    ? Route<PS, QS, BS, Answer> & { operationId: K }
    : never;
};

/** A table of routes keyed by operationId, each route given its key as its operationId. */
export function operations<T extends Record<string, RouteSpec<Schema, Schema, Schema, unknown>>>(
  table: T,
): Operations<T> {
  return Object.fromEntries(
    Object.entries(table).map(([operationId, spec]) => [operationId, { ...spec, operationId }]),
  ) as Operations<T>;
}
