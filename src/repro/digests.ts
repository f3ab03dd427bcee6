import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import type { Digest } from '../core/index.js';

/** The content of a file or directory as a capture records it. */
export interface PathDigest {
  digest: Digest;
  bytes: number;
  /** For a directory: how many files it holds. */
  files?: number;
}

/** Reads of 1 MiB: with the stream's default 64 KiB, a large file hashes at half the speed. */
const readChunkBytes = 1024 * 1024;

/** Small files are hashed this many at a time, so the disk and the hash overlap. */
const filesAtOnce = 8;

/** The hex digest of a file's bytes with `algorithm`, streamed. */
export function hashFile(path: string, algorithm: 'sha256' | 'md5'): Promise<{ hex: string; bytes: number }> {
  return new Promise((resolve, reject) => {
    const hash = createHash(algorithm);
    let bytes = 0;
    createReadStream(path, { highWaterMark: readChunkBytes })
      .on('data', (chunk) => {
        hash.update(chunk);
        bytes += chunk.length;
      })
      .on('error', reject)
      .on('end', () => resolve({ hex: hash.digest('hex'), bytes }));
  });
}

/** The files under `dir`, as POSIX paths relative to it, sorted by code unit. */
export async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const files: string[] = [];
  for (const entry of entries) {
    const full = join(entry.parentPath, entry.name);
    if (entry.isFile() || (entry.isSymbolicLink() && (await stat(full)).isFile())) {
      files.push(relative(dir, full).split(sep).join('/'));
    }
  }
  return files.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * The SHA-256 of a file, or of a directory: the digest of its listing in `sha256sum` form, one line
 * `<hex>  <relative path>\n` per file in sorted order, so a renamed, added or changed file changes it.
 * Undefined when nothing is at `path`.
 */
export async function pathDigest(path: string): Promise<PathDigest | undefined> {
  let found: Awaited<ReturnType<typeof stat>>;
  try {
    found = await stat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  if (!found.isDirectory()) {
    const { hex, bytes } = await hashFile(path, 'sha256');
    return { digest: `sha256:${hex}`, bytes };
  }
  const listing = createHash('sha256');
  let bytes = 0;
  const files = await filesUnder(path);
  const digests: { hex: string; bytes: number }[] = new Array(files.length);
  let next = 0;
  const worker = async () => {
    while (next < files.length) {
      const index = next++;
      digests[index] = await hashFile(join(path, files[index] as string), 'sha256');
    }
  };
  await Promise.all(Array.from({ length: Math.min(filesAtOnce, files.length) }, worker));
  files.forEach((file, index) => {
    const digest = digests[index] as { hex: string; bytes: number };
    bytes += digest.bytes;
    listing.update(`${digest.hex}  ${file}\n`);
  });
  return { digest: `sha256:${listing.digest('hex')}`, bytes, files: files.length };
}
