import { type Document, isMap, isSeq, type LineCounter, parse, type Node as YamlNode } from 'yaml';

export type JsonPath = readonly (string | number)[];

/**
 * `file:line:col` of the place a JSON path points to in a parsed YAML document: the key of the
 * last mapping entry found, or the item of a sequence. Stops at the deepest place that exists, so
 * a path into a missing field points at its parent.
 */
export function locateInYaml(
  file: string,
  document: Document.Parsed | Document,
  lineCounter: LineCounter,
  path: JsonPath,
): string {
  let node: unknown = document.contents;
  let offset: number | undefined = (node as YamlNode | null)?.range?.[0];
  for (const segment of path) {
    if (isMap(node)) {
      const pair = node.items.find(
        (item) => String((item.key as { value?: unknown } | null)?.value) === String(segment),
      );
      if (!pair) break;
      offset = (pair.key as YamlNode | null)?.range?.[0] ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number') {
      node = node.items[segment];
      offset = (node as YamlNode | null)?.range?.[0] ?? offset;
    } else {
      break;
    }
  }
  if (offset === undefined) return file;
  const { line, col } = lineCounter.linePos(offset);
  return `${file}:${line}:${col}`;
}

/** What to do about a YAML parser error, by its code. */
export function yamlErrorFix(code: string | undefined): string {
  if (code === 'DUPLICATE_KEY') return 'a key appears twice in the same mapping; keep one';
  if (code === 'TAB_AS_INDENT') return 'indent with spaces, not tabs';
  return 'fix the syntax at that place (indentation, an unclosed quote or bracket)';
}

/** The first line of a YAML parser message, without its own "at line …" suffix. */
export function yamlErrorSummary(message: string): string {
  return message.split('\n')[0]?.replace(/ at line \d+, column \d+:?$/, '') ?? message;
}

/** The value at a JSON path in a parsed document, or undefined where the path leaves it. */
export function valueAtPath(json: unknown, path: JsonPath): unknown {
  let current = json;
  for (const segment of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string | number, unknown>)[segment];
  }
  return current;
}

/**
 * How many aliases a YAML document may expand (the `yaml` package's `maxAliasCount`): Warden's
 * documents need a few at most, while an anchor "bomb" (billion laughs) expands millions.
 */
export const maxYamlAliasCount = 100;

/**
 * A parsed YAML document as plain data, or why it cannot be: an alias whose anchor is missing, or
 * more alias expansions than {@link maxYamlAliasCount}. The reason is words for the caller's
 * coded error, never a thrown engine fault.
 */
export function yamlData(document: Document): { data: unknown } | { problem: string } {
  try {
    return { data: document.toJS({ maxAliasCount: maxYamlAliasCount }) };
  } catch (error) {
    return { problem: yamlAliasProblem(error) };
  }
}

/** Parses YAML (or JSON) text to plain data like `yaml`'s `parse`; alias failures say why in words. */
export function parseYamlData(text: string): unknown {
  try {
    return parse(text, { maxAliasCount: maxYamlAliasCount });
  } catch (error) {
    if (error instanceof ReferenceError) throw new Error(yamlAliasProblem(error));
    throw error;
  }
}

function yamlAliasProblem(error: unknown): string {
  const message = (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
  if (/alias count/i.test(message)) {
    return `too many aliases: its *aliases expand more than ${maxYamlAliasCount} times (an anchor "bomb" multiplies a small file into a huge document); write the values out or use fewer aliases`;
  }
  return `${message}; define each &anchor before its *alias`;
}
