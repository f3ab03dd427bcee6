/** The command-line frame of the example's scripts: `--name value` options and a clean exit on errors. */
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

/** The example's source folder (the scripts run from dist/examples/fraud-detection/). */
export const exampleFolder = fileURLToPath(new URL('../../../examples/fraud-detection/', import.meta.url));

/**
 * Parses `--name value` options. `options` maps each name to what it is (for messages) and its
 * default; an option without a default is required.
 */
export function scriptOptions<Name extends string>(
  options: Record<Name, { describe: string; default?: string }>,
): Record<Name, string> {
  const names = Object.keys(options) as Name[];
  const { values, tokens } = parseArgs({
    options: Object.fromEntries(names.map((name) => [name, { type: 'string' as const }])),
    strict: false,
    tokens: true,
  });
  const known = names.map((name) => `--${name}`).join(', ');
  for (const token of tokens) {
    if (token.kind === 'positional') {
      throw new Error(
        `unexpected argument ${JSON.stringify(token.value)}; the options are ${known}, each with a value`,
      );
    }
    if (token.kind !== 'option') continue;
    if (!(names as string[]).includes(token.name)) {
      throw new Error(`unknown option ${token.rawName}; the options are ${known}`);
    }
    // `--url --data x` hands "--data" to --url as its value: no option here takes one like that.
    if (token.value === undefined || (!token.inlineValue && token.value.startsWith('--'))) {
      throw new Error(`${token.rawName} needs a value: ${options[token.name as Name].describe}`);
    }
  }
  return Object.fromEntries(
    names.map((name) => {
      const value = (values[name] as string | undefined) ?? options[name].default;
      if (value === undefined) throw new Error(`--${name} is required: ${options[name].describe}`);
      return [name, value];
    }),
  ) as Record<Name, string>;
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
