/**
 * JSON Canonicalization Scheme (RFC 8785): object keys sorted by UTF-16 code units, no
 * whitespace, numbers and strings serialised as ECMAScript's JSON.stringify does (which RFC 8785
 * adopts). Used for content digests, so two documents with the same content get the same id.
 *
 * @example canonicalJson({ b: 1, a: [true, null] }) // '{"a":[true,null],"b":1}'
 */
export function canonicalJson(value: unknown): string {
  try {
    const text = JSON.stringify(value, sortingReplacer);
    if (text !== undefined) return text;
  } catch (error) {
    if (error !== integerKeys) throw error;
  }
  return serialise(value);
}

/**
 * The canonical JSON of an object, and of the same object without one of its top-level keys, from
 * one serialisation of each member: an evidence document's stored text and its id's preimage (the
 * document without "id") in one pass.
 */
export function canonicalJsonWithout(
  value: Record<string, unknown>,
  omitted: string,
): { whole: string; without: string } {
  const members: string[] = [];
  let omittedAt = -1;
  for (const key of Object.keys(value).sort(byCodeUnits)) {
    const item = value[key];
    if (item === undefined) continue;
    if (key === omitted) omittedAt = members.length;
    members.push(`${JSON.stringify(key)}:${canonicalJson(item)}`);
  }
  const whole = `{${members.join(',')}}`;
  if (omittedAt < 0) return { whole, without: whole };
  const without = `{${members.filter((_, index) => index !== omittedAt).join(',')}}`;
  return { whole, without };
}

/**
 * The fast path: the native serialiser, handed each object with its keys in sorted order. It cannot
 * order keys that look like array indices ("1", "10"): JavaScript objects always list those first
 * in numeric order, so such documents take the slower path.
 */
const integerKeys = new Error('integer-like keys');

function sortingReplacer(_key: string, item: unknown): unknown {
  switch (typeof item) {
    case 'number':
      return checkedNumber(item);
    case 'function':
    case 'symbol':
    case 'bigint':
      return unsupported(item);
    case 'object': {
      if (item === null || Array.isArray(item)) return item;
      const keys = Object.keys(item);
      let inOrder = true;
      for (let index = 0; index < keys.length; index++) {
        const key = keys[index] as string;
        const first = key.charCodeAt(0);
        if (first >= 48 && first <= 57 && /^(0|[1-9]\d*)$/.test(key)) throw integerKeys;
        if (index > 0 && (keys[index - 1] as string) > key) inOrder = false;
      }
      if (inOrder) return item;
      keys.sort(byCodeUnits);
      // Without a prototype, a "__proto__" member is a member like any other (on a plain object the
      // assignment would set the prototype, and the member would vanish from the digest).
      const sorted: Record<string, unknown> = Object.create(null);
      for (const key of keys) sorted[key] = (item as Record<string, unknown>)[key];
      return sorted;
    }
    default:
      return item;
  }
}

function serialise(value: unknown): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') return JSON.stringify(checkedNumber(value));
  if (Array.isArray(value)) {
    return `[${value.map((item) => (item === undefined ? 'null' : serialise(item))).join(',')}]`;
  }
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => byCodeUnits(a, b));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${serialise(item)}`).join(',')}}`;
  }
  return unsupported(value);
}

const byCodeUnits = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function checkedNumber(value: number): number {
  if (!Number.isFinite(value)) throw new TypeError(`canonical JSON cannot hold the number ${value}`);
  return value;
}

function unsupported(value: unknown): never {
  throw new TypeError(`canonical JSON cannot hold a value of type ${typeof value}`);
}
