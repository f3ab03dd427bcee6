import { WardenError } from '../core/index.js';
import type { ServerClient } from './server-client.js';

/** A model version as the commands name it. */
export interface VersionRef {
  model: string;
  version: string;
}

/** `MODEL@ALIAS` split in two, or undefined when the text names no alias (`MODEL@3` names a version). */
export function aliasRef(model: string): { model: string; alias: string } | undefined {
  const at = model.lastIndexOf('@');
  if (at <= 0 || at === model.length - 1 || /^[0-9]+$/.test(model.slice(at + 1))) return undefined;
  return { model: model.slice(0, at), alias: model.slice(at + 1) };
}

/**
 * `MODEL VERSION`, or `MODEL@VERSION`, or `MODEL@ALIAS` (looked up on the server) as a model and
 * version number.
 */
export async function resolveVersion(
  client: ServerClient,
  model: string,
  version: string | undefined,
): Promise<VersionRef> {
  if (version !== undefined) return { model, version };
  const at = model.lastIndexOf('@');
  if (at <= 0 || at === model.length - 1) {
    throw new WardenError(
      'WARDEN_ERR_USAGE_INVALID_OPTION',
      `name the version: MODEL VERSION, MODEL@VERSION or MODEL@ALIAS (e.g. credit-risk 3, credit-risk@production), not "${model}"`,
    );
  }
  const name = model.slice(0, at);
  const ref = model.slice(at + 1);
  if (/^[0-9]+$/.test(ref)) return { model: name, version: ref };
  const found = await client.call('getVersionByAlias', { params: { model: name, alias: ref } });
  return { model: name, version: found.version };
}
