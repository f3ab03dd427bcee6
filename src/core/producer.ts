import { readFileSync } from 'node:fs';

const packageJson = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  name: string;
  version: string;
};

/** Who produced a piece of evidence: this tool and its version. */
export const producer = { name: packageJson.name, version: packageJson.version } as const;

/** The root of the installed package (where `schemas/` and `examples/` live). */
export const packageRoot = new URL('../../', import.meta.url);
