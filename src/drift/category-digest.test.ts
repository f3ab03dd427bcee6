import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../core/index.js';
import { baselineFromColumns } from './baseline.js';
import { parseBaseline } from './baseline-document.js';
import { categoryDigest, newCategoryDigestKey } from './category-digest.js';
import { DriftAccumulator } from './drift-accumulator.js';
import { batchDriftReport } from './drift-report.js';

const source = { uri: 'reference.csv', digest: `sha256:${'ab'.repeat(32)}` };
const emails = ['ann@example.org', 'bob@example.org', 'cy@example.org', 'di@example.org'];
const plain = ['north', 'south', 'east', 'west'];

/** `rows` categories drawn from `values` with weights that tilt by `tilt`. */
function draw(values: readonly string[], rows: number, seed: number, tilt: number): string[] {
  const random = mulberry32(seed);
  return Array.from({ length: rows }, () => {
    const u = random() ** (1 + tilt);
    return values[Math.min(values.length - 1, Math.floor(u * values.length))] as string;
  });
}

describe('categories of a column holding personal data are stored as salted digests', () => {
  it('digest = sha256: + hex HMAC-SHA-256 of the value keyed by the salt', () => {
    const key = { algorithm: 'hmac-sha256' as const, salt: '00'.repeat(16) };
    const expected = createHmac('sha256', Buffer.alloc(16)).update('ann@example.org').digest('hex');
    expect(categoryDigest(key, 'ann@example.org')).toBe(`sha256:${expected}`);
    expect(newCategoryDigestKey().salt).not.toBe(newCategoryDigestKey().salt);
  });

  it('a batch report digests a column a detector flags, with its salt, and scores it as before', () => {
    const reference = draw(emails, 500, 1, 0);
    const current = draw(emails, 400, 2, 0.5);
    const column = (values: readonly string[][]) => ({
      name: 'contact',
      type: 'categorical' as const,
      role: 'feature' as const,
      reference: values[0] as string[],
      current: values[1] as string[],
    });
    const report = batchDriftReport([column([reference, current])]);
    const histogram = report.columns['contact']?.histogram;
    expect(histogram?.kind).toBe('categories');
    if (histogram?.kind !== 'categories') return;
    expect(histogram.digested).toBe(true);
    const key = report.categoryDigest;
    expect(key?.salt).toMatch(/^[0-9a-f]{32}$/);
    if (key === undefined) return;
    expect(histogram.categories.sort()).toEqual(emails.map((email) => categoryDigest(key, email)).sort());
    expect(JSON.stringify(report)).not.toMatch(/@example\.org/);

    // The same data under clean labels: the same scores, raw categories, no key.
    const relabel = (values: string[]) => values.map((value) => plain[emails.indexOf(value)] as string);
    const clean = batchDriftReport([column([relabel(reference), relabel(current)])]);
    const { histogram: _digested, ...scored } = report.columns['contact'] as object as Record<
      string,
      unknown
    >;
    const { histogram: cleanHistogram, ...cleanScored } = clean.columns['contact'] as object as Record<
      string,
      unknown
    >;
    expect(scored).toEqual(cleanScored);
    expect((cleanHistogram as { digested?: true }).digested).toBeUndefined();
    expect(clean.categoryDigest).toBeUndefined();
  });

  it('a column named as personal data is digested whatever its values', () => {
    const report = batchDriftReport(
      [
        {
          name: 'region',
          type: 'categorical',
          role: 'feature',
          reference: draw(plain, 300, 3, 0),
          current: draw(plain, 300, 4, 0),
        },
      ],
      { piiColumns: ['region'] },
    );
    const histogram = report.columns['region']?.histogram;
    expect(histogram?.kind === 'categories' && histogram.digested).toBe(true);
    expect(JSON.stringify(report)).not.toMatch(/north|south/);
  });

  it('a digested baseline keeps its salt, and the accumulator scores current data exactly as on raw categories', () => {
    const reference = draw(plain, 3000, 5, 0);
    const current = draw(plain, 1000, 6, 0.7);
    const options = { source, windowRows: 500, createdAt: '2026-01-01T00:00:00Z' };
    const raw = baselineFromColumns([{ name: 'region', type: 'categorical', values: reference }], options);
    const digested = baselineFromColumns([{ name: 'region', type: 'categorical', values: reference }], {
      ...options,
      piiColumns: ['region'],
    });
    const feature = digested.features['region'];
    expect(feature?.type === 'categorical' && feature.digested).toBe(true);
    expect(digested.categoryDigest?.salt).toMatch(/^[0-9a-f]{32}$/);
    expect(JSON.stringify(digested)).not.toMatch(/north|south|east|west/);
    expect(raw.categoryDigest).toBeUndefined();
    // Counts, shares and thresholds are those of the raw baseline; only the labels differ.
    const {
      categories: _c,
      buckets: _b,
      digested: _d,
      ...digestedRest
    } = feature as object as Record<string, unknown>;
    const {
      categories: _rc,
      buckets: _rb,
      ...rawRest
    } = raw.features['region'] as object as Record<string, unknown>;
    expect(digestedRest).toEqual(rawRest);

    // Written to a file and read back, it scores the current values as the raw baseline does.
    const reread = parseBaseline(JSON.stringify(digested), 'baseline.json');
    const scores = (baseline: typeof raw) => {
      const accumulator = new DriftAccumulator(baseline, { sliceMillis: 1, windowSlices: 1 });
      accumulator.addBatch({ region: current }, 0);
      for (const value of current.slice(0, 10)) accumulator.add({ region: value }, 0);
      return accumulator.scores().features['region'];
    };
    expect(scores(reread)).toEqual(scores(raw));

    // Two baselines of the same data do not share digests.
    const other = baselineFromColumns([{ name: 'region', type: 'categorical', values: reference }], {
      ...options,
      piiColumns: ['region'],
    });
    const categoriesOf = (baseline: typeof raw) =>
      (baseline.features['region'] as { categories: string[] }).categories;
    expect(categoriesOf(other)).not.toEqual(categoriesOf(digested));
  });

  it('a baseline with digested categories but no key is refused', () => {
    const digested = baselineFromColumns(
      [{ name: 'region', type: 'categorical', values: draw(plain, 100, 7, 0) }],
      { source, windowRows: 50, piiColumns: ['region'] },
    );
    const { categoryDigest: _key, ...keyless } = digested;
    expect(() => parseBaseline(JSON.stringify(keyless), 'baseline.json')).toThrow(/categoryDigest key/);
  });
});
