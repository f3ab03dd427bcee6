import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { posix } from 'node:path';
import { parseYamlData, WardenError } from '../core/index.js';
import { filesUnder, hashFile } from './digests.js';
import { listFiles } from './git.js';
import { pathIn } from './paths.js';

/** A file or directory DVC tracks, as `dvc.lock` or a `.dvc` file records it. */
export interface DvcEntry {
  /** The dvc.lock or .dvc file, relative to the repository root. */
  file: string;
  /** What it tracks, relative to the repository root. */
  path: string;
  md5: string;
  /** DVC 3 records `hash: md5` (the bytes as they are); older records hash text files with CRLF as LF. */
  legacy: boolean;
  /** The stage of a dvc.lock, for messages. */
  stage?: string;
}

interface DvcOut {
  path?: unknown;
  md5?: unknown;
  hash?: unknown;
}

function entriesOf(file: string, outs: unknown, stage?: string): DvcEntry[] {
  if (!Array.isArray(outs)) return [];
  const dir = posix.dirname(file);
  const entries: DvcEntry[] = [];
  for (const out of outs as DvcOut[]) {
    if (typeof out?.path !== 'string' || typeof out.md5 !== 'string') continue;
    entries.push({
      file,
      path: posix.normalize(posix.join(dir, out.path)),
      md5: out.md5,
      legacy: out.hash !== 'md5',
      ...(stage === undefined ? {} : { stage }),
    });
  }
  return entries;
}

/** The entries of every dvc.lock and .dvc file in the repository (not under .dvc/ itself). */
export async function dvcEntries(root: string): Promise<DvcEntry[]> {
  const files = (await listFiles(root, ['dvc.lock', '*/dvc.lock', '*.dvc'])).filter(
    (file) => !file.startsWith('.dvc/') && (posix.basename(file) === 'dvc.lock' || file.endsWith('.dvc')),
  );
  const entries: DvcEntry[] = [];
  for (const file of files) {
    let data: unknown;
    try {
      data = parseYamlData(await readFile(pathIn(root, file), 'utf8'));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw new WardenError(
        'WARDEN_ERR_REPRO_DVC_MISMATCH',
        `${file}: not a DVC file DVC can read (${(error as Error).message.split('\n')[0]}); restore it from git (git checkout -- ${file}) or regenerate it with dvc commit`,
        { where: file },
      );
    }
    const record = (data ?? {}) as {
      outs?: unknown;
      stages?: Record<string, { deps?: unknown; outs?: unknown }>;
    };
    if (posix.basename(file) === 'dvc.lock') {
      for (const [stage, body] of Object.entries(record.stages ?? {})) {
        entries.push(...entriesOf(file, body?.deps, stage), ...entriesOf(file, body?.outs, stage));
      }
    } else {
      entries.push(...entriesOf(file, record.outs));
    }
  }
  return entries;
}

/** DVC's md5 of a file: of its bytes, or for a legacy record of a text file, with CRLF read as LF. */
async function fileMd5(path: string, legacy: boolean): Promise<string> {
  const raw = (await hashFile(path, 'md5')).hex;
  if (!legacy) return raw;
  const bytes = await readFile(path);
  if (bytes.subarray(0, 8000).includes(0)) return raw;
  return createHash('md5').update(bytes.toString('latin1').replace(/\r\n/g, '\n'), 'latin1').digest('hex');
}

/**
 * DVC's md5 of a directory: the md5 of its `.dir` listing, the JSON Python's json.dumps(…,
 * sort_keys=True) writes for [{"md5": …, "relpath": …}] in relpath order, with ".dir" appended.
 */
async function directoryMd5(path: string, legacy: boolean): Promise<string> {
  const parts: string[] = [];
  for (const file of await filesUnder(path)) {
    parts.push(
      `{"md5": "${await fileMd5(posix.join(path, file), legacy)}", "relpath": ${JSON.stringify(file)}}`,
    );
  }
  return `${createHash('md5')
    .update(`[${parts.join(', ')}]`)
    .digest('hex')}.dir`;
}

/** The md5 DVC would record for what is at `path` now, or undefined when nothing is there. */
export async function dvcMd5(path: string, legacy: boolean): Promise<string | undefined> {
  try {
    const found = await stat(path);
    return found.isDirectory() ? directoryMd5(path, legacy) : fileMd5(path, legacy);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** The coded error for a DVC record that disagrees with the data it names. */
export function dvcMismatch(entry: DvcEntry, actual: string): WardenError {
  const where = entry.stage === undefined ? entry.file : `${entry.file} (stage ${entry.stage})`;
  return new WardenError(
    'WARDEN_ERR_REPRO_DVC_MISMATCH',
    `${where} records md5 ${entry.md5} for ${entry.path}, but the file's md5 is ${actual}: the data changed since DVC recorded it. If the new data is right, record it (dvc commit, or dvc repro to re-run the stage) and commit ${entry.file}; if not, restore it (dvc checkout ${entry.path})`,
    { where: entry.path },
  );
}
