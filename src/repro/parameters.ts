import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fileReadError, parseYamlData, sha256Digest, WardenError } from '../core/index.js';
import type { CaptureSections } from './evidence.js';
import { withoutSecrets } from './secrets.js';

/** A parameters file (JSON or YAML) as a capture records it: its digest and its values. */
export async function readParameters(
  file: string,
  cwd: string,
  recorded: string,
): Promise<NonNullable<CaptureSections['parameters']>> {
  let bytes: Buffer;
  try {
    bytes = await readFile(resolve(cwd, file));
  } catch (error) {
    throw fileReadError(file, error, 'parameters');
  }
  let values: unknown;
  try {
    values = parseYamlData(bytes.toString('utf8'));
  } catch (error) {
    throw new WardenError(
      'WARDEN_ERR_REPRO_INVALID_PARAMS',
      `${file}: the parameters file is neither JSON nor YAML (${(error as Error).message.split('\n')[0]}); fix the syntax at the place named`,
      { where: file },
    );
  }
  return { file: recorded, digest: sha256Digest(bytes), values: withoutSecrets(values ?? null) };
}
