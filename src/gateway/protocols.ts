import type { InferenceProtocol } from '../core/index.js';

/**
 * Decoding inference requests into feature rows and inference answers into scores, for live drift.
 *
 * The gateway forwards every body byte for byte; decoding happens afterwards, off the request path,
 * and a body it cannot read only counts as undecodable. So nothing here throws on bad input: every
 * function answers `{ undecodable: reason }`, and a reason names the field and the problem, never a
 * value (a value may be personal data). Names taken from the body (input names, column names) are
 * quoted and cut to 64 characters.
 *
 * Protocols and what is read (anything else in the body is ignored):
 * - `v2`, the Open Inference Protocol (KServe V2, Triton, MLServer): request `inputs: [{name, shape,
 *   datatype, data}]`, answer `outputs: [...]` of the same form. `data` is row-major, flat or nested
 *   exactly as the shape says. The first dimension is the batch: `[n]` and `[n, 1]` give one column
 *   named after the input, `[n, k]` gives k columns `${name}_${j}`; higher ranks are refused (an image
 *   is not a feature row). Several inputs give several columns per row and must agree on n. BOOL gives
 *   booleans, the integer and float types numbers, BYTES strings (in JSON a BYTES element is a string;
 *   a base64 string is kept as it is, an opaque category). An input whose data travels in the binary
 *   extension (`parameters.binary_data_size`) is refused.
 * - `mlflow`, the MLflow scoring server (`/invocations`): a JSON object with exactly one of
 *   `dataframe_split` ({columns?, data, index?}), `dataframe_records` (list of objects), `instances`
 *   (list of objects, of lists, or of scalars) and `inputs` (columnar object of lists, or a list as
 *   `instances`); other keys (`params`) are ignored. A CSV body is refused.
 * - `v1`, KServe V1: `{"instances": [...]}` read as MLflow's `instances`.
 *
 * Column names: `featureNames`, when given, name the columns the body leaves unnamed: for V2 every
 * decoded column in order (inputs in request order, then index within an input; the count must match),
 * for rows given as lists the positions of a row. Without them a list position j is named `"j"` (as
 * pandas names the columns of a list of lists). A row's values must be scalars (number, string,
 * boolean, null).
 *
 * Scores, one per instance: V2 reads the output named `scoreOutput`, or the only output. An output
 * `[n]` or `[n, 1]` is the score; `[n, k]` gives column `scoreIndex`, by default the last (the positive
 * class of a probability pair). V1 and MLflow read `predictions` (MLflow also a bare list, or
 * `predictions` as a columnar object, whose column `scoreOutput` or `probability` is read). Each
 * prediction may be a number, a boolean (1 or 0), a list of numbers (column `scoreIndex`, by default
 * the last) or an object whose field `scoreOutput`, by default `probability`, is a number or such a list.
 *
 * Work is bounded: at most `maxRows` rows (100,000 by default) and `maxColumns` columns (4,096); nested
 * tensor data is walked only as deep as its shape says, and a shape is checked against the data it
 * came with before anything is allocated for it.
 */

export type { InferenceProtocol };
export type FeatureValue = number | string | boolean | null;
export type FeatureRow = Record<string, FeatureValue>;

export type DecodedRequest = { rows: FeatureRow[] } | { undecodable: string };
export type DecodedResponse = { scores: number[] } | { undecodable: string };

export interface DecodeLimits {
  /** Most rows one body may hold (default 100,000). */
  maxRows?: number;
  /** Most feature columns one body may hold (default 4,096). */
  maxColumns?: number;
}

export interface DecodeRequestOptions extends DecodeLimits {
  /** Names for the columns the body leaves unnamed (see the module comment). */
  featureNames?: readonly string[];
}

export interface DecodeResponseOptions extends DecodeLimits {
  /** V2: the output holding the scores; V1/MLflow: the field of an object prediction. */
  scoreOutput?: string;
  /** The column of a multi-column prediction (default the last). */
  scoreIndex?: number;
}

export const defaultMaxRows = 100_000;
export const defaultMaxColumns = 4_096;
const defaultProbabilityField = 'probability';
const mlflowFormats = ['dataframe_split', 'dataframe_records', 'instances', 'inputs'] as const;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/** Thrown inside this module only, and always caught at its two entry points. */
class Undecodable extends Error {}

function refuse(reason: string): never {
  throw new Undecodable(reason);
}

/** A name from the body, quoted and cut short, fit for a reason. */
function quoted(name: string): string {
  return JSON.stringify(name.length > 64 ? `${name.slice(0, 64)}…` : name);
}

interface Limits {
  maxRows: number;
  maxColumns: number;
}

function limitsOf(options: DecodeLimits): Limits {
  return {
    maxRows: options.maxRows ?? defaultMaxRows,
    maxColumns: options.maxColumns ?? defaultMaxColumns,
  };
}

function checkRowCount(rows: number, limits: Limits, where: string): void {
  if (rows > limits.maxRows) refuse(`${where} holds ${rows} rows, more than the limit of ${limits.maxRows}`);
}

function checkColumnCount(columns: number, limits: Limits, where: string): void {
  if (columns > limits.maxColumns) {
    refuse(`${where} holds ${columns} columns, more than the limit of ${limits.maxColumns}`);
  }
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseBody(body: Buffer | string): Json {
  const text = typeof body === 'string' ? body : body.toString('utf8');
  try {
    return JSON.parse(text) as Json;
  } catch {
    refuse('the body is not JSON (CSV and binary bodies are not decoded)');
  }
}

function guarded<T>(decode: () => T): T | { undecodable: string } {
  try {
    return decode();
  } catch (error) {
    if (error instanceof Undecodable) return { undecodable: error.message };
    // A bug of ours must not break the gateway either; its message may quote the body, so not shown.
    return { undecodable: 'the body could not be decoded (internal decoder error)' };
  }
}

export function decodeRequest(
  protocol: InferenceProtocol,
  body: Buffer | string,
  options: DecodeRequestOptions = {},
): DecodedRequest {
  return guarded(() => {
    const limits = limitsOf(options);
    const document = parseBody(body);
    switch (protocol) {
      case 'v2':
        return { rows: v2Rows(document, options.featureNames, limits) };
      case 'v1':
        return { rows: v1Rows(document, options.featureNames, limits) };
      case 'mlflow':
        return { rows: mlflowRows(document, options.featureNames, limits) };
      default:
        return refuse(`unknown protocol ${quoted(String(protocol))}: use v2, v1 or mlflow`);
    }
  });
}

export function decodeResponse(
  protocol: InferenceProtocol,
  body: Buffer | string,
  options: DecodeResponseOptions = {},
): DecodedResponse {
  return guarded(() => {
    const limits = limitsOf(options);
    const document = parseBody(body);
    switch (protocol) {
      case 'v2':
        return { scores: v2Scores(document, options, limits) };
      case 'v1':
        return { scores: v1Scores(document, options, limits) };
      case 'mlflow':
        return { scores: mlflowScores(document, options, limits) };
      default:
        return refuse(`unknown protocol ${quoted(String(protocol))}: use v2, v1 or mlflow`);
    }
  });
}

// ---------------------------------------------------------------------------------------------------
// Open Inference Protocol (V2) tensors

type ElementKind = 'number' | 'boolean' | 'string';

const v2ElementKinds: Readonly<Record<string, ElementKind>> = {
  BOOL: 'boolean',
  UINT8: 'number',
  UINT16: 'number',
  UINT32: 'number',
  UINT64: 'number',
  INT8: 'number',
  INT16: 'number',
  INT32: 'number',
  INT64: 'number',
  FP16: 'number',
  FP32: 'number',
  FP64: 'number',
  BF16: 'number',
  BYTES: 'string',
};

/** A V2 tensor with its data flattened row-major and checked against shape and datatype. */
interface Tensor {
  name: string;
  rows: number;
  columns: number;
  kind: ElementKind;
  values: readonly (number | boolean | string)[];
}

function readTensor(entry: Json, where: string, limits: Limits): Tensor {
  if (!isObject(entry)) refuse(`${where} is not an object`);
  const name = entry['name'];
  if (typeof name !== 'string' || name === '') refuse(`${where}.name is missing or not a string`);
  const label = `${where} ${quoted(name)}`;
  const datatype = entry['datatype'];
  if (typeof datatype !== 'string') refuse(`${label}: datatype is missing or not a string`);
  const kind = v2ElementKinds[datatype];
  if (kind === undefined) {
    refuse(
      `${label}: unknown datatype ${quoted(datatype)} (the protocol defines BOOL, UINT*, INT*, FP16/32/64, BF16, BYTES)`,
    );
  }
  const shape = entry['shape'];
  if (!Array.isArray(shape) || shape.length === 0)
    refuse(`${label}: shape is missing or has no batch dimension`);
  for (const dimension of shape) {
    if (typeof dimension !== 'number' || !Number.isInteger(dimension) || dimension < 0) {
      refuse(`${label}: shape holds a dimension that is not a non-negative integer`);
    }
  }
  const dimensions = shape as number[];
  if (dimensions.length > 2) {
    refuse(`${label}: shape has rank ${dimensions.length}; only [n], [n, 1] and [n, k] are decoded`);
  }
  const rows = dimensions[0] as number;
  const columns = dimensions.length === 2 ? (dimensions[1] as number) : 1;
  checkRowCount(rows, limits, label);
  checkColumnCount(columns, limits, label);
  const data = entry['data'];
  if (data === undefined && isObject(entry['parameters']) && 'binary_data_size' in entry['parameters']) {
    refuse(`${label}: the data travels in the binary extension, which is not decoded`);
  }
  if (!Array.isArray(data)) refuse(`${label}: data is missing or not an array`);
  const values = flattenTensorData(data, dimensions, rows * columns, label);
  for (let i = 0; i < values.length; i++) {
    if (typeof values[i] !== kind) refuse(`${label}: element ${i} is not a ${kind} as ${datatype} requires`);
  }
  return { name, rows, columns, kind, values: values as (number | boolean | string)[] };
}

/**
 * Row-major elements of `data`, which is either flat (`size` elements) or nested exactly as
 * `dimensions` (at most two levels here, so the walk is bounded by the shape, not by the body).
 */
function flattenTensorData(data: Json[], dimensions: readonly number[], size: number, label: string): Json[] {
  const nested = data.length > 0 && Array.isArray(data[0]);
  if (!nested) {
    if (data.length !== size) {
      refuse(
        `${label}: shape [${dimensions.join(', ')}] needs ${size} elements but data holds ${data.length}`,
      );
    }
    return data;
  }
  if (dimensions.length === 1) refuse(`${label}: data is nested deeper than shape [${dimensions[0]}]`);
  const [rows, columns] = dimensions as [number, number];
  if (data.length !== rows) {
    refuse(`${label}: shape [${rows}, ${columns}] needs ${rows} nested rows but data holds ${data.length}`);
  }
  const flat: Json[] = new Array(size);
  let at = 0;
  for (let i = 0; i < rows; i++) {
    const row = data[i];
    if (!Array.isArray(row) || row.length !== columns) {
      refuse(`${label}: nested row ${i} does not hold ${columns} elements as the shape says`);
    }
    for (let j = 0; j < columns; j++) flat[at++] = row[j] as Json;
  }
  return flat;
}

function tensorList(document: Json, field: 'inputs' | 'outputs', limits: Limits): Tensor[] {
  if (!isObject(document)) refuse(`the body is not a JSON object with ${field}`);
  const list = document[field];
  if (!Array.isArray(list) || list.length === 0) refuse(`${field} is missing, not an array, or empty`);
  checkColumnCount(list.length, limits, field);
  const singular = field === 'inputs' ? 'input' : 'output';
  return list.map((entry, i) => readTensor(entry, `${singular} ${i}`, limits));
}

function v2Rows(document: Json, featureNames: readonly string[] | undefined, limits: Limits): FeatureRow[] {
  const tensors = tensorList(document, 'inputs', limits);
  const first = tensors[0] as Tensor;
  let columnCount = 0;
  for (const tensor of tensors) {
    if (tensor.rows !== first.rows) {
      refuse(
        `inputs disagree on the batch size: ${quoted(first.name)} has ${first.rows} rows, ${quoted(tensor.name)} has ${tensor.rows}`,
      );
    }
    columnCount += tensor.columns;
  }
  checkColumnCount(columnCount, limits, 'inputs');
  if (featureNames !== undefined && featureNames.length !== columnCount) {
    refuse(`featureNames has ${featureNames.length} names but the inputs hold ${columnCount} columns`);
  }
  const names: string[] = [];
  for (const tensor of tensors) {
    if (tensor.columns === 1) names.push(featureNames?.[names.length] ?? tensor.name);
    else
      for (let j = 0; j < tensor.columns; j++)
        names.push(featureNames?.[names.length] ?? `${tensor.name}_${j}`);
  }
  checkColumnNames(names, 'inputs');

  const template = rowTemplate(names);
  const rows: FeatureRow[] = new Array(first.rows);
  for (let i = 0; i < first.rows; i++) {
    const row = { ...template };
    let column = 0;
    for (const { values, columns } of tensors) {
      for (let j = 0, at = i * columns; j < columns; j++, at++)
        row[names[column++] as string] = values[at] as FeatureValue;
    }
    rows[i] = row;
  }
  return rows;
}

/** Column names must differ, and "__proto__" cannot be a key of a plain row object. */
function checkColumnNames(names: readonly string[], where: string): void {
  const seen = new Set<string>();
  for (const name of names) {
    if (seen.has(name)) refuse(`${where} name the column ${quoted(name)} twice`);
    if (name === '__proto__') refuse(`${where} name a column "__proto__", which a row cannot hold`);
    seen.add(name);
  }
}

/** A row with every column present (null), so that filling it adds no keys and rows share one shape. */
function rowTemplate(names: readonly string[]): FeatureRow {
  const template: FeatureRow = {};
  for (const name of names) template[name] = null;
  return template;
}

function v2Scores(document: Json, options: DecodeResponseOptions, limits: Limits): number[] {
  const outputs = tensorList(document, 'outputs', limits);
  let output: Tensor | undefined;
  if (options.scoreOutput !== undefined) {
    output = outputs.find((tensor) => tensor.name === options.scoreOutput);
    if (output === undefined) refuse(`no output is named ${quoted(options.scoreOutput)} (set scoreOutput)`);
  } else if (outputs.length === 1) {
    output = outputs[0] as Tensor;
  } else {
    refuse(`the answer has ${outputs.length} outputs; set scoreOutput to the one holding the scores`);
  }
  if (output.kind === 'string') refuse(`output ${quoted(output.name)} holds BYTES, not scores`);
  const index = scoreColumn(output.columns, options.scoreIndex, `output ${quoted(output.name)}`);
  const scores: number[] = new Array(output.rows);
  for (let i = 0, at = index; i < output.rows; i++, at += output.columns) {
    const value = output.values[at];
    scores[i] = typeof value === 'boolean' ? Number(value) : (value as number);
  }
  return scores;
}

function scoreColumn(columns: number, scoreIndex: number | undefined, where: string): number {
  if (scoreIndex === undefined) return columns - 1;
  if (!Number.isInteger(scoreIndex) || scoreIndex < 0 || scoreIndex >= columns) {
    refuse(`scoreIndex ${scoreIndex} is outside the ${columns} columns of ${where}`);
  }
  return scoreIndex;
}

// ---------------------------------------------------------------------------------------------------
// Rows as lists or objects (KServe V1 instances, MLflow dataframes and TF-Serving formats)

function isScalar(value: Json): value is FeatureValue {
  return value === null || typeof value !== 'object';
}

/** The row objects of a list of objects, reused as they are once every value is a scalar. */
function objectRows(list: Json[], where: string): FeatureRow[] {
  for (let i = 0; i < list.length; i++) {
    const row = list[i];
    if (!isObject(row)) refuse(`${where}[${i}] is not an object like the first row`);
    for (const key in row) {
      if (!isScalar(row[key] as Json)) refuse(`${where}[${i}].${quoted(key)} is not a scalar`);
    }
  }
  return list as FeatureRow[];
}

/** Names for `count` unnamed positions: the given names (their count must match) or "0", "1", … */
function positionalNames(
  count: number,
  featureNames: readonly string[] | undefined,
  where: string,
): string[] {
  if (featureNames === undefined) return Array.from({ length: count }, (_, j) => String(j));
  if (featureNames.length !== count) {
    refuse(`featureNames has ${featureNames.length} names but ${where} rows hold ${count} values`);
  }
  checkColumnNames(featureNames, 'featureNames');
  return [...featureNames];
}

function listRows(list: Json[][], names: readonly string[], where: string): FeatureRow[] {
  const template = rowTemplate(names);
  const rows: FeatureRow[] = new Array(list.length);
  for (let i = 0; i < list.length; i++) {
    const values = list[i];
    if (!Array.isArray(values) || values.length !== names.length) {
      refuse(`${where}[${i}] is not a list of ${names.length} values like the first row`);
    }
    const row = { ...template };
    for (let j = 0; j < names.length; j++) {
      const value = values[j] as Json;
      if (!isScalar(value)) refuse(`${where}[${i}][${j}] is not a scalar`);
      row[names[j] as string] = value;
    }
    rows[i] = row;
  }
  return rows;
}

/** TF-Serving row format: a list of objects, of lists, or of scalars (a one-feature model). */
function instanceRows(
  list: Json,
  featureNames: readonly string[] | undefined,
  limits: Limits,
  where: string,
): FeatureRow[] {
  if (!Array.isArray(list)) refuse(`${where} is not a list`);
  checkRowCount(list.length, limits, where);
  if (list.length === 0) return [];
  const first = list[0] as Json;
  if (isObject(first)) {
    checkColumnCount(Object.keys(first).length, limits, where);
    return objectRows(list, where);
  }
  if (Array.isArray(first)) {
    checkColumnCount(first.length, limits, where);
    return listRows(list as Json[][], positionalNames(first.length, featureNames, where), where);
  }
  const [name] = positionalNames(1, featureNames, where) as [string];
  return list.map((value, i) => {
    if (!isScalar(value)) refuse(`${where}[${i}] is not a scalar like the first row`);
    return { [name]: value };
  });
}

function v1Rows(document: Json, featureNames: readonly string[] | undefined, limits: Limits): FeatureRow[] {
  if (!isObject(document) || !('instances' in document))
    refuse('the body is not a JSON object with instances');
  return instanceRows(document['instances'] as Json, featureNames, limits, 'instances');
}

function mlflowRows(
  document: Json,
  featureNames: readonly string[] | undefined,
  limits: Limits,
): FeatureRow[] {
  if (Array.isArray(document)) {
    refuse('the body is a bare list; MLflow 2 expects an object with one of ' + mlflowFormats.join(', '));
  }
  if (!isObject(document)) refuse('the body is not a JSON object');
  const present = mlflowFormats.filter((format) => format in document);
  if (present.length !== 1) {
    refuse(`the body must hold exactly one of ${mlflowFormats.join(', ')}; it holds ${present.length}`);
  }
  const format = present[0] as (typeof mlflowFormats)[number];
  const payload = document[format] as Json;
  switch (format) {
    case 'dataframe_split':
      return splitRows(payload, featureNames, limits);
    case 'dataframe_records':
      if (!Array.isArray(payload)) refuse('dataframe_records is not a list');
      checkRowCount(payload.length, limits, 'dataframe_records');
      if (payload.length > 0 && isObject(payload[0]))
        checkColumnCount(Object.keys(payload[0]).length, limits, format);
      return objectRows(payload, 'dataframe_records');
    case 'instances':
      return instanceRows(payload, featureNames, limits, 'instances');
    case 'inputs':
      return isObject(payload)
        ? columnarRows(payload, limits)
        : instanceRows(payload, featureNames, limits, 'inputs');
  }
}

/** pandas "split" orient: `{columns?, data, index?}`; the index is not a feature. */
function splitRows(payload: Json, featureNames: readonly string[] | undefined, limits: Limits): FeatureRow[] {
  if (!isObject(payload)) refuse('dataframe_split is not an object');
  const data = payload['data'];
  if (!Array.isArray(data)) refuse('dataframe_split.data is missing or not a list');
  checkRowCount(data.length, limits, 'dataframe_split.data');
  const columns = payload['columns'];
  let names: string[];
  if (columns === undefined) {
    const first = data[0];
    const width = Array.isArray(first) ? first.length : 0;
    checkColumnCount(width, limits, 'dataframe_split.data');
    names = positionalNames(width, featureNames, 'dataframe_split.data');
  } else {
    if (!Array.isArray(columns)) refuse('dataframe_split.columns is not a list');
    checkColumnCount(columns.length, limits, 'dataframe_split.columns');
    names = columns.map((column, j) => {
      if (typeof column !== 'string' && typeof column !== 'number') {
        refuse(`dataframe_split.columns[${j}] is not a string or number`);
      }
      return String(column);
    });
    checkColumnNames(names, 'dataframe_split.columns');
  }
  return listRows(data as Json[][], names, 'dataframe_split.data');
}

/** TF-Serving columnar format: `{feature: [v0, v1, …], …}`, every list as long as the first. */
function columnarRows(payload: JsonObject, limits: Limits): FeatureRow[] {
  const names = Object.keys(payload);
  checkColumnCount(names.length, limits, 'inputs');
  checkColumnNames(names, 'inputs');
  if (names.length === 0) return [];
  const length = (name: string): number => {
    const column = payload[name];
    if (!Array.isArray(column)) refuse(`inputs.${quoted(name)} is not a list`);
    return column.length;
  };
  const rowCount = length(names[0] as string);
  checkRowCount(rowCount, limits, 'inputs');
  for (const name of names) {
    if (length(name) !== rowCount) refuse(`inputs.${quoted(name)} is not as long as the other columns`);
  }
  const columns = names.map((name) => payload[name] as Json[]);
  const template = rowTemplate(names);
  const rows: FeatureRow[] = new Array(rowCount);
  for (let i = 0; i < rowCount; i++) {
    const row = { ...template };
    for (let j = 0; j < names.length; j++) {
      const value = (columns[j] as Json[])[i] as Json;
      if (!isScalar(value)) refuse(`inputs.${quoted(names[j] as string)}[${i}] is not a scalar`);
      row[names[j] as string] = value;
    }
    rows[i] = row;
  }
  return rows;
}

// ---------------------------------------------------------------------------------------------------
// Predictions (V1 and MLflow)

function predictionScore(prediction: Json, options: DecodeResponseOptions, where: string): number {
  if (typeof prediction === 'number') return prediction;
  if (typeof prediction === 'boolean') return Number(prediction);
  if (Array.isArray(prediction)) return scoreFromList(prediction, options.scoreIndex, where);
  if (isObject(prediction)) {
    const field = options.scoreOutput ?? defaultProbabilityField;
    const value = prediction[field];
    if (typeof value === 'number') return value;
    if (Array.isArray(value)) return scoreFromList(value, options.scoreIndex, `${where}.${quoted(field)}`);
    refuse(`${where} has no number or list of numbers in field ${quoted(field)} (set scoreOutput)`);
  }
  return refuse(`${where} is not a number, a list of numbers or an object`);
}

function scoreFromList(values: Json[], scoreIndex: number | undefined, where: string): number {
  if (values.length === 0) refuse(`${where} is an empty list`);
  const value = values[scoreColumn(values.length, scoreIndex, where)];
  if (typeof value !== 'number') refuse(`${where} holds a value that is not a number`);
  return value;
}

function predictionScores(predictions: Json[], options: DecodeResponseOptions, limits: Limits): number[] {
  checkRowCount(predictions.length, limits, 'predictions');
  const scores: number[] = new Array(predictions.length);
  for (let i = 0; i < predictions.length; i++) {
    scores[i] = predictionScore(predictions[i] as Json, options, `predictions[${i}]`);
  }
  return scores;
}

function v1Scores(document: Json, options: DecodeResponseOptions, limits: Limits): number[] {
  const predictions = isObject(document) ? document['predictions'] : undefined;
  if (!Array.isArray(predictions)) refuse('the answer is not a JSON object with a predictions list');
  return predictionScores(predictions, options, limits);
}

function mlflowScores(document: Json, options: DecodeResponseOptions, limits: Limits): number[] {
  if (Array.isArray(document)) return predictionScores(document, options, limits);
  const predictions = isObject(document) ? document['predictions'] : undefined;
  if (Array.isArray(predictions)) return predictionScores(predictions, options, limits);
  if (isObject(predictions)) {
    const field = options.scoreOutput ?? defaultProbabilityField;
    const column = predictions[field];
    if (!Array.isArray(column)) refuse(`predictions has no column ${quoted(field)} (set scoreOutput)`);
    return predictionScores(column, options, limits);
  }
  return refuse('the answer is neither a list nor a JSON object with predictions');
}
