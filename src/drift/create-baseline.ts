import {
  type DatasetOptions,
  datasetInput,
  didYouMean,
  type EvidenceInput,
  WardenError,
} from '../core/index.js';
import { type BaselineColumn, baselineFromColumns, defaultTopCategories } from './baseline.js';
import type { DriftBaseline } from './baseline-document.js';
import { type DriftBaselineEvidence, sealBaselineEvidence } from './baseline-evidence.js';
import { type DriftFile, openDriftFile, streamDriftColumns } from './drift-input.js';

/** The rows of one production window when none is given. */
export const defaultBaselineWindowRows = 1000;

export interface CreateBaselineOptions {
  /** The reference data (CSV, Parquet, JSON Lines), rows in time order. */
  file: string;
  /** Only these features, in file order; every column (but typed dates and times) when absent. */
  columns?: readonly string[];
  /** Rows of one production window: the thresholds are calibrated on reference chunks of this size (default 1000). */
  windowRows?: number;
  /** The most frequent categories a categorical feature keeps as their own bucket (default 20). */
  topCategories?: number;
  /** How to read the file (format, CSV delimiter, missing-value markers, encoding). */
  read?: DatasetOptions;
  /** Columns holding personal data (e.g. classified so by a data contract): their categories are digested. */
  piiColumns?: readonly string[];
  /** Reading progress in percent, for a progress bar. */
  onProgress?: (percent: number) => void;
}

/**
 * Reads reference data and builds its fixed-bin drift baseline (see `baselineFromColumns`), for
 * `runBaselineDriftCheck` and live monitoring. The file is read where it is, in file order.
 *
 * @example
 * const baseline = await createBaseline({ file: 'train.csv', windowRows: 500 });
 * await writeFile('baseline.json', `${JSON.stringify(baseline, null, 2)}\n`);
 */
export async function createBaseline(options: CreateBaselineOptions): Promise<DriftBaseline> {
  return (await readBaseline(options)).baseline;
}

/**
 * Builds the baseline as `createBaseline` does and seals it as drift-baseline evidence about the
 * reference file (as given), which can be signed and attached to a model version.
 *
 * @example
 * const evidence = await createBaselineEvidence({ file: 'train.csv', windowRows: 500 });
 * await writeFile('baseline-evidence.json', `${JSON.stringify(evidence, null, 2)}\n`);
 */
export async function createBaselineEvidence(options: CreateBaselineOptions): Promise<DriftBaselineEvidence> {
  const { baseline, input } = await readBaseline(options);
  return sealBaselineEvidence(baseline, input, options.file);
}

async function readBaseline(
  options: CreateBaselineOptions,
): Promise<{ baseline: DriftBaseline; input: EvidenceInput }> {
  // One engine thread keeps the rows in file order: the thresholds come from consecutive chunks.
  const data = await openDriftFile(options.file, 'data', {
    ...(options.read === undefined ? {} : { read: options.read }),
    engine: { threads: 1 },
    inPlace: true,
    ...(options.columns === undefined ? {} : { wanted: options.columns }),
    ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
  });
  try {
    const columns = await readBaselineColumns(data, options.columns);
    const digest = await data.digest;
    const baseline = baselineFromColumns(columns, {
      source: { uri: data.dataset.file, digest },
      windowRows: options.windowRows ?? defaultBaselineWindowRows,
      topCategories: options.topCategories ?? defaultTopCategories,
      ...(options.piiColumns === undefined ? {} : { piiColumns: options.piiColumns }),
    });
    return { baseline, input: datasetInput(data.dataset, digest, data.rows) };
  } finally {
    await data.close();
  }
}

/**
 * The reference columns in file order: numbers where the file holds numbers (or nothing),
 * categories otherwise; typed date and time columns are left out unless listed.
 */
async function readBaselineColumns(
  data: DriftFile,
  listed: readonly string[] | undefined,
): Promise<BaselineColumn[]> {
  for (const name of listed ?? []) {
    if (!data.allColumnNames.includes(name)) {
      throw new WardenError(
        'WARDEN_ERR_USAGE_INVALID_OPTION',
        `--columns names ${JSON.stringify(name)}, which ${data.dataset.file} does not have${didYouMean(name, data.allColumnNames)}; its columns are ${data.allColumnNames.map((column) => JSON.stringify(column)).join(', ')}`,
      );
    }
  }
  const chosen = data.columns.filter((column) => listed !== undefined || column.kind !== 'datetime');
  const readings = chosen.map((column) => ({
    name: column.name,
    reading: column.kind === 'numeric' || column.kind === 'empty' ? ('number' as const) : ('text' as const),
  }));
  const values = readings.map((column) =>
    column.reading === 'number' ? new Float64Array(data.rows) : new Array<string | null>(data.rows),
  );
  let row = 0;
  await streamDriftColumns(data, readings, (batch, rows) => {
    batch.forEach((chunk, index) => {
      const into = values[index] as Float64Array | (string | null)[];
      if (into instanceof Float64Array) into.set(chunk as Float64Array, row);
      else
        for (let offset = 0; offset < rows; offset++)
          into[row + offset] = (chunk as (string | null)[])[offset] ?? null;
    });
    row += rows;
  });
  return readings.map((column, index) => ({
    name: column.name,
    type: column.reading === 'number' ? 'numeric' : 'categorical',
    values: values[index] as Float64Array | (string | null)[],
  }));
}
