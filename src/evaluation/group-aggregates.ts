/**
 * How a disparity compares groups (Fairlearn's `method=`): `betweenGroups` compares the groups
 * with each other (`between_groups`, the default), `toOverall` compares each group with the
 * metric on all rows (`to_overall`).
 */
export type ComparisonMethod = 'betweenGroups' | 'toOverall';

/**
 * Fairlearn `MetricFrame.group_min()`: pandas `min` with `skipna`, so NaN groups (undefined
 * metrics, empty intersections) are ignored; NaN when no group has a value.
 */
export function groupMin(values: readonly number[]): number {
  let result = Number.NaN;
  for (const value of values) if (!Number.isNaN(value) && !(value >= result)) result = value;
  return result;
}

/** Fairlearn `MetricFrame.group_max()`: pandas `max` with `skipna`; NaN when no group has a value. */
export function groupMax(values: readonly number[]): number {
  let result = Number.NaN;
  for (const value of values) if (!Number.isNaN(value) && !(value <= result)) result = value;
  return result;
}

/**
 * Fairlearn `MetricFrame.difference(method)`: `betweenGroups` is group_max − group_min (≥ 0);
 * `toOverall` is max_g |m_g − overall|. NaN groups are skipped; NaN when none is left.
 *
 * @example difference([0.8, 0.6]) // 0.20000000000000007, as Fairlearn (not 0.2)
 */
export function difference(
  values: readonly number[],
  method: ComparisonMethod = 'betweenGroups',
  overall = Number.NaN,
): number {
  if (method === 'betweenGroups') return groupMax(values) - groupMin(values);
  return groupMax(values.map((value) => Math.abs(value - overall)));
}

/**
 * Fairlearn `MetricFrame.ratio(method)`: `betweenGroups` is group_min / group_max (≤ 1 for
 * non-negative metrics; 0/0 gives NaN, 0/positive gives 0); `toOverall` takes x_g = m_g / overall,
 * replaces x_g by 1/x_g when x_g > 1 (in that two-step form, which differs from overall/m_g in the
 * last bit) and returns the smallest x_g. NaN groups are skipped.
 *
 * @example ratio([0.8, 0.6]) // 0.7499999999999999
 */
export function ratio(
  values: readonly number[],
  method: ComparisonMethod = 'betweenGroups',
  overall = Number.NaN,
): number {
  if (method === 'betweenGroups') return groupMin(values) / groupMax(values);
  return groupMin(
    values.map((value) => {
      const x = value / overall;
      return x > 1 ? 1 / x : x;
    }),
  );
}

/**
 * Python's built-in `max` over a list, which Fairlearn's `equalized_odds_*(agg="worst_case")`
 * applies to `[tpr_value, fpr_value]`: a NaN in first place wins, a NaN later is ignored.
 */
export function pythonMax(values: readonly number[]): number {
  let result = values[0] ?? Number.NaN;
  for (let i = 1; i < values.length; i++) if ((values[i] as number) > result) result = values[i] as number;
  return result;
}

/** Python's built-in `min` over a list (same NaN order rule as {@link pythonMax}). */
export function pythonMin(values: readonly number[]): number {
  let result = values[0] ?? Number.NaN;
  for (let i = 1; i < values.length; i++) if ((values[i] as number) < result) result = values[i] as number;
  return result;
}

/** pandas `Series.mean()` (skipna): the mean of the values that are not NaN; NaN when none is. */
export function meanSkipNaN(values: readonly number[]): number {
  let sum = 0;
  let count = 0;
  for (const value of values) {
    if (Number.isNaN(value)) continue;
    sum += value;
    count++;
  }
  return count === 0 ? Number.NaN : sum / count;
}
