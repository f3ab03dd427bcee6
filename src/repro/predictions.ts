import { parseCsvLine, sniffDelimiter } from '../core/index.js';

/** How two predictions files compare: equal within the tolerance or not, and why. */
export interface PredictionsComparison {
  withinTolerance: boolean;
  /** The largest absolute difference between numeric cells (0 when every cell is equal). */
  maxAbsDiff: number;
  detail: string;
}

function rows(text: string): string[][] {
  const delimiter = sniffDelimiter(text);
  return text
    .split(/\r?\n/)
    .filter((line) => line !== '')
    .map((line) => parseCsvLine(line, delimiter));
}

const numeric = (cell: string) => cell.trim() !== '' && Number.isFinite(Number(cell));

/**
 * Compares two CSV predictions files cell by cell: numeric cells within `tolerance` (absolute), every
 * other cell exactly. The header and the row count must match. Both files are read whole, which
 * suits held-out predictions, not full training sets.
 */
export function comparePredictions(
  expected: string,
  actual: string,
  tolerance: number,
): PredictionsComparison {
  const before = rows(expected);
  const after = rows(actual);
  const header = before[0] ?? [];
  if ((after[0] ?? []).join('\u0000') !== header.join('\u0000')) {
    return {
      withinTolerance: false,
      maxAbsDiff: Number.POSITIVE_INFINITY,
      detail: `the columns differ: ${header.join(',')} → ${(after[0] ?? []).join(',')}`,
    };
  }
  if (before.length !== after.length) {
    return {
      withinTolerance: false,
      maxAbsDiff: Number.POSITIVE_INFINITY,
      detail: `${before.length - 1} rows → ${after.length - 1} rows`,
    };
  }
  let max = { diff: 0, row: 0, column: '' };
  for (let row = 1; row < before.length; row++) {
    const was = before[row] as string[];
    const is = after[row] as string[];
    for (let column = 0; column < Math.max(was.length, is.length); column++) {
      const a = was[column] ?? '';
      const b = is[column] ?? '';
      if (a === b) continue;
      if (!numeric(a) || !numeric(b)) {
        return {
          withinTolerance: false,
          maxAbsDiff: Number.POSITIVE_INFINITY,
          detail: `row ${row}, column ${header[column] ?? column + 1}: ${JSON.stringify(a)} → ${JSON.stringify(b)}`,
        };
      }
      const diff = Math.abs(Number(a) - Number(b));
      if (diff > max.diff) max = { diff, row, column: header[column] ?? String(column + 1) };
    }
  }
  const withinTolerance = max.diff <= tolerance;
  return {
    withinTolerance,
    maxAbsDiff: max.diff,
    detail:
      max.diff === 0
        ? `every value is equal over ${before.length - 1} rows`
        : `max abs diff ${max.diff.toPrecision(3)} (row ${max.row}, column ${max.column}) ${withinTolerance ? '≤' : '>'} tolerance ${tolerance}`,
  };
}
