import type { z } from 'zod';
import type { AuditLog } from '../audit/index.js';
import type { Role } from '../core/index.js';
import type { Governance } from '../governance/index.js';
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
}

/** One API operation: its path, the role it needs, its input schemas and its handler. */
export interface Route {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  operationId: string;
  summary: string;
  role: Role;
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
  /** The success status (200 unless said). */
  status?: number;
  /** A raw JSON text answer (stored evidence, byte for byte) instead of an object. */
  rawJson?: boolean;
  handler(context: RouteContext<unknown, unknown, unknown>): Promise<unknown>;
}

export function route<P = undefined, Q = undefined, B = undefined>(
  spec: Omit<Route, 'handler' | 'params' | 'query' | 'body'> & {
    params?: z.ZodType<P>;
    query?: z.ZodType<Q>;
    body?: z.ZodType<B>;
    handler(context: RouteContext<P, Q, B>): Promise<unknown>;
  },
): Route {
  return spec as unknown as Route;
}
