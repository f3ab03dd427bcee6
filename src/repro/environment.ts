import { execFile } from 'node:child_process';
import { basename } from 'node:path';
import { WardenError } from '../core/index.js';
import type { CaptureEnvironment } from './evidence.js';
import { looksSecret } from './secrets.js';

/**
 * The variables named by --env as a capture records them: the value, or null when it looks secret
 * (recorded by name only). Unset variables are left out and returned in `unset`.
 */
export function recordVariables(
  names: readonly string[],
  env: NodeJS.ProcessEnv,
): { variables: Record<string, string | null>; unset: string[] } {
  const variables: Record<string, string | null> = {};
  const unset: string[] = [];
  for (const name of [...new Set(names)].sort()) {
    const value = env[name];
    if (value === undefined) unset.push(name);
    else variables[name] = looksSecret(name, value) ? null : value;
  }
  return { variables, unset };
}

const imagePattern = /^(.+@)?sha256:[0-9a-f]{64}$/;

/**
 * The container image the run happened in: --image, else WARDEN_IMAGE_DIGEST, else null. A
 * container id from /proc/self/cgroup names the container, not its image, so it is not used.
 */
export function imageDigest(given: string | undefined, env: NodeJS.ProcessEnv): string | null {
  const image = given ?? (env['WARDEN_IMAGE_DIGEST'] || undefined);
  if (image === undefined) return null;
  if (!imagePattern.test(image)) {
    const source = given === undefined ? 'WARDEN_IMAGE_DIGEST' : '--image';
    throw new WardenError(
      'WARDEN_ERR_USAGE_INVALID_OPTION',
      `${source} "${image}" is not an image digest; write sha256:<64 hex> or NAME@sha256:<64 hex> (docker inspect --format '{{index .RepoDigests 0}}' IMAGE prints it)`,
    );
  }
  return image;
}

/** True when the command runs Python: a python* interpreter, or a .py script run directly. */
export function isPythonCommand(command: readonly string[]): boolean {
  const program = basename(command[0] ?? '');
  return /^python[0-9.]*$/.test(program) || program.endsWith('.py');
}

const packagesScript =
  'import json, sys, importlib.metadata as m\n' +
  'print(json.dumps({"version": sys.version.split()[0], "packages": {d.metadata["Name"]: d.version for d in m.distributions() if d.metadata["Name"]}}))';

/**
 * The Python version and installed packages (importlib.metadata, what `pip freeze` lists) of the
 * interpreter the command runs, or undefined when it cannot be asked.
 */
export function pythonEnvironment(
  command: readonly string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
): Promise<CaptureEnvironment['python'] | undefined> {
  const program = command[0] ?? 'python3';
  const interpreter = /^python[0-9.]*$/.test(basename(program)) ? program : 'python3';
  return new Promise((resolve) => {
    execFile(
      interpreter,
      ['-c', packagesScript],
      { cwd, env, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout) => {
        if (error) return resolve(undefined);
        try {
          const parsed = JSON.parse(stdout) as { version: string; packages: Record<string, string> };
          const packages = Object.fromEntries(
            Object.entries(parsed.packages).sort(([a], [b]) => (a.toLowerCase() < b.toLowerCase() ? -1 : 1)),
          );
          resolve({ version: parsed.version, packages });
        } catch {
          resolve(undefined);
        }
      },
    );
  });
}

/** The platform and Node versions of this machine. */
export function machine(): { platform: string; node: string } {
  return { platform: `${process.platform}-${process.arch}`, node: process.version };
}

/** What differs between two recorded environments' versions, in words; empty when nothing does. */
export function environmentChanges(recorded: CaptureEnvironment, now: CaptureEnvironment): string[] {
  const changes: string[] = [];
  if (recorded.node !== now.node) changes.push(`node ${recorded.node} → ${now.node}`);
  if (recorded.platform !== now.platform) changes.push(`platform ${recorded.platform} → ${now.platform}`);
  if (recorded.image !== now.image)
    changes.push(`image ${recorded.image ?? 'none'} → ${now.image ?? 'none'}`);
  const before = recorded.python;
  const after = now.python;
  if (before !== null) {
    if (after === null) changes.push(`python ${before.version} → not found`);
    else {
      if (before.version !== after.version) changes.push(`python ${before.version} → ${after.version}`);
      const names = [...new Set([...Object.keys(before.packages), ...Object.keys(after.packages)])].sort();
      for (const name of names) {
        const was = before.packages[name];
        const is = after.packages[name];
        if (was !== is) changes.push(`${name} ${was ?? 'absent'} → ${is ?? 'absent'}`);
      }
    }
  }
  return changes;
}
