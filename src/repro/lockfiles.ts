import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Digest } from '../core/index.js';
import { hashFile } from './digests.js';
import { pathIn } from './paths.js';

/** The lockfiles a capture looks for: they pin the environment a run was built from. */
const lockfileNames = new Set([
  'package-lock.json',
  'poetry.lock',
  'uv.lock',
  'Pipfile.lock',
  'environment.yml',
  'renv.lock',
]);

export function isLockfileName(name: string): boolean {
  return lockfileNames.has(name) || /^requirements.*\.txt$/.test(name);
}

export interface RecordedLockfile {
  path: string;
  digest: Digest;
}

/**
 * The lockfiles at the repository root and in the working directory (a path relative to the root,
 * `.` for the root itself), with their digests, sorted by path.
 */
export async function findLockfiles(root: string, workingDirectory: string): Promise<RecordedLockfile[]> {
  const found: RecordedLockfile[] = [];
  const directories = [...new Set(['.', workingDirectory])];
  for (const directory of directories) {
    let names: string[];
    try {
      names = await readdir(pathIn(root, directory));
    } catch {
      continue;
    }
    for (const name of names.filter(isLockfileName).sort()) {
      const path = directory === '.' ? name : `${directory}/${name}`;
      const { hex } = await hashFile(join(pathIn(root, directory), name), 'sha256');
      found.push({ path, digest: `sha256:${hex}` });
    }
  }
  return found.sort((a, b) => (a.path < b.path ? -1 : 1));
}
