import { isAbsolute, join, relative, resolve, sep } from 'node:path';

/**
 * How a capture writes a path: relative to the repository root with POSIX separators, so a re-run
 * in another checkout finds it at the same place; a path outside the repository stays absolute.
 */
export function recordedPath(root: string, cwd: string, given: string): string {
  const absolute = resolve(cwd, given);
  const inside = relative(root, absolute);
  if (inside === '') return '.';
  if (inside.startsWith('..') || isAbsolute(inside)) return absolute;
  return inside.split(sep).join('/');
}

/** True when a recorded path lies inside the repository (it moves with a checkout). */
export function insideRepository(path: string): boolean {
  return !isAbsolute(path);
}

/** Where a recorded path is in the checkout at `root`. */
export function pathIn(root: string, path: string): string {
  return isAbsolute(path) ? path : join(root, ...path.split('/'));
}
