import { invalidDriftArgument } from './drift-errors.js';

/** Evidently's default share of drifted columns at which the whole dataset counts as drifted. */
export const defaultDriftShare = 0.5;

export interface DatasetDriftResult {
  columns: number;
  driftedColumns: number;
  /** driftedColumns / columns. */
  driftedShare: number;
  driftShare: number;
  /** driftedShare ≥ driftShare. */
  datasetDrift: boolean;
}

/** Evidently's `get_dataset_drift`: the dataset drifts when the share of drifted columns reaches `driftShare`. */
export function datasetDrift(
  columns: readonly { drifted: boolean }[],
  driftShare: number = defaultDriftShare,
): DatasetDriftResult {
  if (columns.length === 0)
    throw invalidDriftArgument('datasetDrift: there are no column results to combine');
  if (!(driftShare >= 0 && driftShare <= 1)) {
    throw invalidDriftArgument(`datasetDrift: the drift share ${driftShare} is not a number from 0 to 1`);
  }
  const driftedColumns = columns.filter((column) => column.drifted).length;
  const driftedShare = driftedColumns / columns.length;
  return {
    columns: columns.length,
    driftedColumns,
    driftedShare,
    driftShare,
    datasetDrift: driftedShare >= driftShare,
  };
}
