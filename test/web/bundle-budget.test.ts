import { existsSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';

// The first page must stay small: the console is opened on slow links and air-gapped networks.
// Measured on the build (`npm run build`), as the browser downloads it: index.html and every
// script, module preload and style sheet it names, gzipped.

const firstPageBudgetBytes = 250 * 1024;
const web = new URL('../../dist/web/', import.meta.url);

describe('the dashboard bundle', () => {
  it('keeps the first page within 250 KB gzipped, with nothing loaded from another origin', () => {
    const indexPath = new URL('index.html', web);
    if (!existsSync(indexPath)) throw new Error('dist/web/index.html is missing: run `npm run build` first');
    const html = readFileSync(indexPath, 'utf8');
    const referenced = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1] as string);
    expect(referenced.filter((url) => /^(https?:)?\/\//.test(url))).toEqual([]);
    const entry = referenced.filter((url) => url.startsWith('/assets/'));
    expect(entry.some((url) => url.endsWith('.js'))).toBe(true);
    const sizes = [html, ...entry.map((url) => readFileSync(new URL(`.${url}`, web)))].map(
      (content) => gzipSync(content, { level: 9 }).length,
    );
    const total = sizes.reduce((sum, size) => sum + size, 0);
    expect(total, `first page: ${(total / 1024).toFixed(1)} KB gzipped`).toBeLessThanOrEqual(
      firstPageBudgetBytes,
    );
  });
});
