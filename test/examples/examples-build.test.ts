/**
 * The examples' build (tsconfig.examples.json) emits the examples and nothing else: Warden's own
 * modules come from its build (dist/<module>/), not from a second copy compiled beside the examples.
 * Type-checks against the built declarations, so build first (npm test does).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const scratch = mkdtempSync(join(tmpdir(), 'warden-examples-build-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('the examples build', () => {
  it('writes only the examples, each example file once, under the output directory', () => {
    const out = join(scratch, 'out');
    execFileSync(process.execPath, [tsc, '-p', 'tsconfig.examples.json', '--outDir', out], {
      cwd: repoRoot,
      encoding: 'utf8',
    });
    const emitted = readdirSync(out, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => relative(out, join(entry.parentPath, entry.name)))
      .sort();
    const sources = readdirSync(join(repoRoot, 'examples/fraud-detection'))
      .filter((name) => name.endsWith('.ts'))
      .flatMap((name) => [name.replace(/\.ts$/, '.js'), name.replace(/\.ts$/, '.js.map')])
      .map((name) => join('fraud-detection', name))
      .sort();
    expect(emitted).toEqual(sources);
  }, 120_000);
});
