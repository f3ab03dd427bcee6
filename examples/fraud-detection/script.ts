/** The command-line frame of the example's scripts: `--name value` options and a clean exit on errors. */
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

/** The example's source folder (the scripts run from dist/examples/fraud-detection/). */
export const exampleFolder = fileURLToPath(new URL('../../../examples/fraud-detection/', import.meta.url));

/** An option: `--name value`, or with `flag` a bare `--name` that reads "true" when given, else "false". */
export interface ScriptOption {
  describe: string;
  default?: string;
  flag?: true;
}

/**
 * Parses `--name value` options. `options` maps each name to what it is (for messages) and its
 * default; an option without a default is required.
 */
export function scriptOptions<Name extends string>(
  options: Record<Name, ScriptOption>,
): Record<Name, string> {
  const names = Object.keys(options) as Name[];
  const isFlag = (name: string) => options[name as Name]?.flag === true;
  const { values, tokens } = parseArgs({
    options: Object.fromEntries(
      names.map((name) => [name, { type: isFlag(name) ? ('boolean' as const) : ('string' as const) }]),
    ),
    strict: false,
    tokens: true,
  });
  const known = names.map((name) => (isFlag(name) ? `--${name} (alone)` : `--${name}`)).join(', ');
  const valued = names.some(isFlag) ? 'the others with a value' : 'each with a value';
  for (const token of tokens) {
    if (token.kind === 'positional') {
      throw new Error(
        `unexpected argument ${JSON.stringify(token.value)}; the options are ${known}, ${valued}`,
      );
    }
    if (token.kind !== 'option') continue;
    if (!(names as string[]).includes(token.name)) {
      throw new Error(`unknown option ${token.rawName}; the options are ${known}`);
    }
    if (isFlag(token.name)) {
      if (token.value !== undefined) throw new Error(`${token.rawName} takes no value`);
      continue;
    }
    // `--url --data x` hands "--data" to --url as its value: no option here takes one like that.
    if (token.value === undefined || (!token.inlineValue && token.value.startsWith('--'))) {
      throw new Error(`${token.rawName} needs a value: ${options[token.name as Name].describe}`);
    }
  }
  return Object.fromEntries(
    names.map((name) => {
      if (isFlag(name)) return [name, values[name] === true ? 'true' : 'false'];
      const value = (values[name] as string | undefined) ?? options[name].default;
      if (value === undefined) throw new Error(`--${name} is required: ${options[name].describe}`);
      return [name, value];
    }),
  ) as Record<Name, string>;
}

/** A count option's value: a whole number of at least 1. */
export function wholeNumber(name: string, text: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isInteger(value) || value < 1) {
    throw new Error(`--${name} ${JSON.stringify(text)} is not a whole number ≥ 1`);
  }
  return value;
}

/** Runs a script's main: a failure prints one line and exits 2 (bad input) instead of a stack trace. */
export async function runScript(main: () => Promise<void>): Promise<void> {
  try {
    await main();
  } catch (error) {
    console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 2;
  }
}
