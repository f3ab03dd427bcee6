import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { errorRegistry, WardenError } from './errors.js';

const documentation = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');

describe('error registry', () => {
  it.each(Object.keys(errorRegistry))(
    'documents %s in docs/errors.md with its exit code and HTTP status',
    (code) => {
      const entry = errorRegistry[code as keyof typeof errorRegistry];
      const row = documentation.split('\n').find((line) => line.startsWith(`| \`${code}\``));
      expect(row, `docs/errors.md has no row for ${code}`).toBeDefined();
      expect(row?.split('|').map((cell) => cell.trim())).toEqual(
        expect.arrayContaining([String(entry.exitCode), String(entry.httpStatus)]),
      );
    },
  );

  it('documents no code the registry lacks', () => {
    const documented = [...documentation.matchAll(/^\| `(WARDEN_ERR_[A-Z_]+)`/gm)].map((match) => match[1]);
    expect(documented.sort()).toEqual(Object.keys(errorRegistry).sort());
  });

  it('follows the naming rule WARDEN_ERR_<AREA>_<PROBLEM>', () => {
    for (const code of Object.keys(errorRegistry)) expect(code).toMatch(/^WARDEN_ERR_[A-Z]+_[A-Z_]+$/);
  });

  it('carries the exit code and HTTP status of its code', () => {
    const error = new WardenError('WARDEN_ERR_ENGINE_FAILURE', 'disk full');
    expect(error.exitCode).toBe(3);
    expect(error.httpStatus).toBe(500);
    expect(new WardenError('WARDEN_ERR_DATA_MALFORMED', 'x').exitCode).toBe(2);
  });
});
