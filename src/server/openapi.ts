import { z } from 'zod';
import { producer } from '../core/index.js';
import type { Route } from './route.js';

const errorSchema = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'status', 'message'],
      properties: {
        code: { type: 'string', description: 'A stable WARDEN_ERR_* code (docs/errors.md)' },
        status: { type: 'integer' },
        message: { type: 'string', description: 'What is wrong and how to fix it' },
        issues: {
          type: 'array',
          items: { type: 'object', properties: { path: { type: 'string' }, message: { type: 'string' } } },
        },
        requiredRole: { type: 'string', enum: ['viewer', 'contributor', 'approver', 'admin'] },
      },
    },
  },
};

function jsonSchema(schema: z.ZodType): Record<string, unknown> {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, {
    io: 'input',
    unrepresentable: 'any',
  }) as Record<string, unknown>;
  return rest;
}

function parameters(route: Route): unknown[] {
  const list: unknown[] = [];
  for (const [where, schema] of [
    ['path', route.params],
    ['query', route.query],
  ] as const) {
    if (schema === undefined) continue;
    const object = jsonSchema(schema) as { properties?: Record<string, unknown>; required?: string[] };
    for (const [name, property] of Object.entries(object.properties ?? {})) {
      list.push({
        name,
        in: where,
        required: where === 'path' || (object.required ?? []).includes(name),
        schema: property,
      });
    }
  }
  return list;
}

/** The OpenAPI 3.1 document of /api/v1, generated from the route table and its Zod schemas. */
export function openApiDocument(routes: readonly Route[]): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const path = route.path.replace(/:([A-Za-z]+)/g, '{$1}');
    const error = (description: string) => ({
      description,
      content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
    });
    paths[path] ??= {};
    paths[path][route.method.toLowerCase()] = {
      operationId: route.operationId,
      summary: route.summary,
      description: `Needs the ${route.role} role (or higher).`,
      'x-warden-role': route.role,
      parameters: parameters(route),
      ...(route.body === undefined
        ? {}
        : {
            requestBody: {
              required: true,
              content: { 'application/json': { schema: jsonSchema(route.body) } },
            },
          }),
      responses: {
        [String(route.status ?? 200)]: {
          description: 'Success',
          content: { 'application/json': { schema: { type: 'object' } } },
        },
        '400': error('Invalid request: bad JSON, an unknown or missing field, a wrong type'),
        '401': error('No valid token'),
        '403': error('The token’s role or teams do not allow this; requiredRole names the role'),
        '404': error('Not found'),
        '409': error('Conflict: the name is taken, or a concurrent writer won'),
        '413': error('Body too large'),
        '503': error('The database is unavailable; retry'),
      },
      security: [{ bearer: [] }],
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Warden control plane',
      version: producer.version,
      description: 'Model registry, evidence store and lineage. Send Authorization: Bearer wdn_…',
    },
    servers: [{ url: '/' }],
    paths,
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'A Warden API token (wdn_…)' },
      },
      schemas: { Error: errorSchema },
    },
  };
}
