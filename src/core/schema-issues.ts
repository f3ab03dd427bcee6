import type { z } from 'zod';
import { didYouMean } from './suggest.js';
import { type JsonPath, valueAtPath } from './yaml-locate.js';

/**
 * One Zod issue of a YAML document as a line naming its place (`file:line:col` from `locate`), the
 * bad value and the fix: "did you mean" for unknown fields and enum values.
 */
export function describeSchemaIssue(
  issue: z.core.$ZodIssue,
  json: unknown,
  schema: z.ZodType,
  locate: (path: JsonPath) => string,
): string {
  const path = issue.path.filter((segment): segment is string | number => typeof segment !== 'symbol');
  const dotted = path.join('.') || 'document';
  switch (issue.code) {
    case 'unrecognized_keys': {
      const known = knownKeys(schema, path);
      return issue.keys
        .map(
          (key) =>
            `${locate([...path, key])}: unknown field "${key}" in ${dotted}${didYouMean(key, known)}; the fields here are ${known.join(', ')}`,
        )
        .join('\n  ');
    }
    case 'invalid_type': {
      const value = valueAtPath(json, path);
      if (value === undefined) return `${locate(path)}: ${dotted} is required but missing`;
      return `${locate(path)}: ${dotted} must be ${issue.expected}, found ${JSON.stringify(value)}`;
    }
    case 'invalid_value': {
      const value = valueAtPath(json, path);
      if (value === undefined) return `${locate(path)}: ${dotted} is required but missing`;
      const allowed = issue.values.map(String);
      return `${locate(path)}: ${dotted} is ${JSON.stringify(value)}${typeof value === 'string' ? didYouMean(value, allowed) : ''}; use ${allowed.length === 1 ? allowed[0] : `one of ${allowed.join(', ')}`}`;
    }
    case 'invalid_key':
      return `${locate(path)}: ${path.slice(0, -1).join('.')}: ${issue.issues.map((inner) => inner.message).join('; ')}`;
    default:
      return `${locate(path)}: ${dotted}: ${issue.message}`;
  }
}

/** The field names a strict object schema allows at a path, for "did you mean". */
function knownKeys(schema: z.ZodType, path: JsonPath): string[] {
  let current: unknown = schema;
  const unwrap = () => {
    for (;;) {
      const def = (current as { _zod: { def: { type: string; innerType?: unknown } } })._zod.def;
      if ((def.type === 'optional' || def.type === 'default') && def.innerType) current = def.innerType;
      else
        return def as {
          type: string;
          shape?: Record<string, unknown>;
          element?: unknown;
          valueType?: unknown;
        };
    }
  };
  for (const segment of path) {
    const def = unwrap();
    if (def.type === 'object' && typeof segment === 'string') current = def.shape?.[segment];
    else if (def.type === 'array') current = def.element;
    else if (def.type === 'record') current = def.valueType;
    else return [];
    if (current === undefined) return [];
  }
  const def = unwrap();
  return def.type === 'object' ? Object.keys(def.shape ?? {}) : [];
}
