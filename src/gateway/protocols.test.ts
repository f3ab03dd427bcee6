import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../core/index.js';
import {
  type DecodedRequest,
  type DecodedResponse,
  type DecodeRequestOptions,
  type DecodeResponseOptions,
  decodeRequest,
  decodeResponse,
  type FeatureRow,
  type InferenceProtocol,
} from './protocols.js';

const json = (value: unknown): string => JSON.stringify(value);

function rowsOf(result: DecodedRequest): FeatureRow[] {
  if ('undecodable' in result) throw new Error(`expected rows, got undecodable: ${result.undecodable}`);
  return result.rows;
}

function scoresOf(result: DecodedResponse): number[] {
  if ('undecodable' in result) throw new Error(`expected scores, got undecodable: ${result.undecodable}`);
  return result.scores;
}

function reasonOf(result: DecodedRequest | DecodedResponse): string {
  if (!('undecodable' in result)) throw new Error(`expected undecodable, got ${json(result)}`);
  return result.undecodable;
}

const tensor = (name: string, shape: number[], datatype: string, data: unknown) => ({
  name,
  shape,
  datatype,
  data,
});
const v2Request = (...inputs: unknown[]) => json({ id: '1', inputs });
const v2Answer = (...outputs: unknown[]) => json({ model_name: 'm', outputs });

describe('Open Inference Protocol (V2) requests', () => {
  // kserve/kserve docs/predict-api/v2/required_api.md, "Inference Request Examples" (also the first
  // x-example of rest_predict_v2.yaml): input1 says shape [3] but carries one element, so the spec's
  // own example is refused as it stands...
  const specExample = {
    id: '42',
    inputs: [
      { name: 'input0', shape: [2, 2], datatype: 'UINT32', data: [1, 2, 3, 4] },
      { name: 'input1', shape: [3], datatype: 'BOOL', data: [true] },
    ],
    outputs: [{ name: 'output0' }],
  };

  it("refuses the spec's example, whose input1 shape does not match its data", () => {
    expect(reasonOf(decodeRequest('v2', json(specExample)))).toBe(
      'input 1 "input1": shape [3] needs 3 elements but data holds 1',
    );
  });

  it('decodes the example with input1 corrected to a batch of two: k columns per [n,k] input, one per [n]', () => {
    const corrected = {
      ...specExample,
      inputs: [specExample.inputs[0], { name: 'input1', shape: [2], datatype: 'BOOL', data: [true, false] }],
    };
    expect(rowsOf(decodeRequest('v2', Buffer.from(json(corrected))))).toEqual([
      { input0_0: 1, input0_1: 2, input1: true },
      { input0_0: 3, input0_1: 4, input1: false },
    ]);
  });

  // required_api.md, "Tensor Data": [[1, 2], [4, 5]] may be sent nested or flattened row-major.
  it.each([
    ['flat', [1, 2, 4, 5]],
    [
      'nested',
      [
        [1, 2],
        [4, 5],
      ],
    ],
  ])('reads %s data of shape [2, 2] the same way', (_, data) => {
    expect(rowsOf(decodeRequest('v2', v2Request(tensor('x', [2, 2], 'FP32', data))))).toEqual([
      { x_0: 1, x_1: 2 },
      { x_0: 4, x_1: 5 },
    ]);
  });

  it('names the columns of an [n, k] tensor with featureNames', () => {
    const body = v2Request(tensor('x', [2, 3], 'FP64', [0.5, 10, 1, 0.25, 20, 0]));
    expect(rowsOf(decodeRequest('v2', body, { featureNames: ['ratio', 'amount', 'foreign'] }))).toEqual([
      { ratio: 0.5, amount: 10, foreign: 1 },
      { ratio: 0.25, amount: 20, foreign: 0 },
    ]);
  });

  it('featureNames name every column across several inputs, in request order', () => {
    const body = v2Request(tensor('a', [2, 2], 'INT64', [1, 2, 3, 4]), tensor('b', [2], 'BYTES', ['x', 'y']));
    expect(rowsOf(decodeRequest('v2', body, { featureNames: ['p', 'q', 'r'] }))).toEqual([
      { p: 1, q: 2, r: 'x' },
      { p: 3, q: 4, r: 'y' },
    ]);
  });

  it('[n, 1] (flat or nested) and [n] give one column named after the input', () => {
    const expected = [{ amount: 12.5 }, { amount: 7 }];
    expect(rowsOf(decodeRequest('v2', v2Request(tensor('amount', [2], 'FP32', [12.5, 7]))))).toEqual(
      expected,
    );
    expect(rowsOf(decodeRequest('v2', v2Request(tensor('amount', [2, 1], 'FP32', [12.5, 7]))))).toEqual(
      expected,
    );
    expect(rowsOf(decodeRequest('v2', v2Request(tensor('amount', [2, 1], 'FP32', [[12.5], [7]]))))).toEqual(
      expected,
    );
  });

  // rest_predict_v2.yaml, tensor_data: elements are numbers, strings or booleans; BYTES travel as strings
  // (MLServer's pandas codec sends one BYTES input per text column). A base64 string stays as it is.
  it('BYTES elements are strings, kept as they are (base64 included)', () => {
    const body = v2Request(
      tensor('country', [3], 'BYTES', ['FR', 'DE', 'aGVsbG8=']),
      tensor('amount', [3, 1], 'FP16', [1.5, 2, 3]),
    );
    expect(rowsOf(decodeRequest('v2', body))).toEqual([
      { country: 'FR', amount: 1.5 },
      { country: 'DE', amount: 2 },
      { country: 'aGVsbG8=', amount: 3 },
    ]);
  });

  it.each([
    'BOOL',
    'UINT8',
    'UINT16',
    'UINT32',
    'UINT64',
    'INT8',
    'INT16',
    'INT32',
    'INT64',
    'FP16',
    'FP32',
    'FP64',
    'BF16',
    'BYTES',
  ])('accepts datatype %s', (datatype) => {
    const value = datatype === 'BOOL' ? true : datatype === 'BYTES' ? 'a' : 3;
    expect(rowsOf(decodeRequest('v2', v2Request(tensor('x', [1], datatype, [value]))))).toEqual([
      { x: value },
    ]);
  });

  it('an empty batch gives no rows, and extra request fields (parameters, outputs) are ignored', () => {
    const body = json({
      parameters: { content_type: 'pd' },
      inputs: [tensor('x', [0, 3], 'FP32', [])],
      outputs: [],
    });
    expect(rowsOf(decodeRequest('v2', body))).toEqual([]);
  });

  const personal = 'ann@example.org';
  it.each<[string, string, string, DecodeRequestOptions?]>([
    ['a CSV body', 'amount,country\n1,FR\n', 'the body is not JSON (CSV and binary bodies are not decoded)'],
    ['a body that is not an object', json([1, 2]), 'the body is not a JSON object with inputs'],
    ['no inputs', json({ id: '1' }), 'inputs is missing, not an array, or empty'],
    ['empty inputs', json({ inputs: [] }), 'inputs is missing, not an array, or empty'],
    ['an input that is not an object', json({ inputs: [personal] }), 'input 0 is not an object'],
    [
      'an input without a name',
      v2Request({ shape: [1], datatype: 'FP32', data: [1] }),
      'input 0.name is missing or not a string',
    ],
    [
      'no datatype',
      v2Request({ name: 'x', shape: [1], data: [1] }),
      'input 0 "x": datatype is missing or not a string',
    ],
    [
      'an unknown datatype',
      v2Request(tensor('x', [1], 'FP8', [1])),
      'input 0 "x": unknown datatype "FP8" (the protocol defines BOOL, UINT*, INT*, FP16/32/64, BF16, BYTES)',
    ],
    [
      'no shape',
      v2Request({ name: 'x', datatype: 'FP32', data: [1] }),
      'input 0 "x": shape is missing or has no batch dimension',
    ],
    [
      'a scalar shape',
      v2Request(tensor('x', [], 'FP32', [1])),
      'input 0 "x": shape is missing or has no batch dimension',
    ],
    [
      'a negative dimension',
      v2Request(tensor('x', [-1], 'FP32', [1])),
      'input 0 "x": shape holds a dimension that is not a non-negative integer',
    ],
    [
      'a fractional dimension',
      v2Request(tensor('x', [1.5], 'FP32', [1])),
      'input 0 "x": shape holds a dimension that is not a non-negative integer',
    ],
    [
      'rank 3 (an image)',
      v2Request(tensor('image', [1, 2, 2], 'UINT8', [1, 2, 3, 4])),
      'input 0 "image": shape has rank 3; only [n], [n, 1] and [n, k] are decoded',
    ],
    [
      'data missing',
      v2Request({ name: 'x', shape: [1], datatype: 'FP32' }),
      'input 0 "x": data is missing or not an array',
    ],
    [
      'data in the binary extension',
      v2Request({ name: 'x', shape: [1], datatype: 'FP32', parameters: { binary_data_size: 4 } }),
      'input 0 "x": the data travels in the binary extension, which is not decoded',
    ],
    [
      'too few elements',
      v2Request(tensor('x', [2, 2], 'FP32', [1, 2, 3])),
      'input 0 "x": shape [2, 2] needs 4 elements but data holds 3',
    ],
    [
      'too many elements',
      v2Request(tensor('x', [1], 'FP32', [1, 2])),
      'input 0 "x": shape [1] needs 1 elements but data holds 2',
    ],
    [
      'a ragged nested row',
      v2Request(tensor('x', [2, 2], 'FP32', [[1, 2], [3]])),
      'input 0 "x": nested row 1 does not hold 2 elements as the shape says',
    ],
    [
      'the wrong number of nested rows',
      v2Request(tensor('x', [3, 1], 'FP32', [[1], [2]])),
      'input 0 "x": shape [3, 1] needs 3 nested rows but data holds 2',
    ],
    [
      'nesting deeper than the shape',
      v2Request(tensor('x', [2], 'FP32', [[1], [2]])),
      'input 0 "x": data is nested deeper than shape [2]',
    ],
    [
      'nesting deeper than [n, k]',
      v2Request(tensor('x', [1, 2], 'FP32', [[[1], [2]]])),
      'input 0 "x": element 0 is not a number as FP32 requires',
    ],
    [
      'a string in FP32',
      v2Request(tensor('x', [2], 'FP32', [1, personal])),
      'input 0 "x": element 1 is not a number as FP32 requires',
    ],
    [
      'a number in BOOL',
      v2Request(tensor('x', [1], 'BOOL', [1])),
      'input 0 "x": element 0 is not a boolean as BOOL requires',
    ],
    [
      'a number in BYTES',
      v2Request(tensor('x', [1], 'BYTES', [1])),
      'input 0 "x": element 0 is not a string as BYTES requires',
    ],
    [
      'null in INT32',
      v2Request(tensor('x', [1], 'INT32', [null])),
      'input 0 "x": element 0 is not a number as INT32 requires',
    ],
    [
      'inputs that disagree on the batch size',
      v2Request(tensor('a', [2], 'FP32', [1, 2]), tensor('b', [3], 'FP32', [1, 2, 3])),
      'inputs disagree on the batch size: "a" has 2 rows, "b" has 3',
    ],
    [
      'featureNames of the wrong count',
      v2Request(tensor('x', [1, 2], 'FP32', [1, 2])),
      'featureNames has 3 names but the inputs hold 2 columns',
      { featureNames: ['a', 'b', 'c'] },
    ],
    [
      'two inputs of the same name',
      v2Request(tensor('x', [1], 'FP32', [1]), tensor('x', [1], 'FP32', [2])),
      'inputs name the column "x" twice',
    ],
    [
      'more rows than maxRows',
      v2Request(tensor('x', [3], 'FP32', [1, 2, 3])),
      'input 0 "x" holds 3 rows, more than the limit of 2',
      { maxRows: 2 },
    ],
    [
      'more columns than maxColumns',
      v2Request(tensor('x', [1, 3], 'FP32', [1, 2, 3])),
      'input 0 "x" holds 3 columns, more than the limit of 2',
      { maxColumns: 2 },
    ],
  ])('refuses %s, naming the field and never the value', (_, body, reason, options) => {
    const result = reasonOf(decodeRequest('v2', body, options));
    expect(result).toBe(reason);
    expect(result).not.toContain(personal);
  });

  it('refuses a huge declared shape from its data, before allocating for it', () => {
    const body = v2Request(tensor('x', [100_000, 4_096], 'FP32', [1]));
    expect(reasonOf(decodeRequest('v2', body))).toBe(
      'input 0 "x": shape [100000, 4096] needs 409600000 elements but data holds 1',
    );
    expect(reasonOf(decodeRequest('v2', v2Request(tensor('x', [100_001], 'FP32', [1]))))).toBe(
      'input 0 "x" holds 100001 rows, more than the limit of 100000',
    );
  });

  it('cuts a long name from the body short in a reason', () => {
    const name = 'n'.repeat(500);
    expect(reasonOf(decodeRequest('v2', v2Request(tensor(name, [1], 'FP8', [1]))))).toContain(
      `"${'n'.repeat(64)}…"`,
    );
  });
});

describe('Open Inference Protocol (V2) answers', () => {
  // required_api.md, "Inference Request Examples": output0 is a [3, 2] FP32 tensor.
  const specAnswer = json({
    id: '42',
    outputs: [{ name: 'output0', shape: [3, 2], datatype: 'FP32', data: [1.0, 1.1, 2.0, 2.1, 3.0, 3.1] }],
  });

  it("reads the last column of the spec's [3, 2] answer (the positive class), or the column asked for", () => {
    expect(scoresOf(decodeResponse('v2', specAnswer))).toEqual([1.1, 2.1, 3.1]);
    expect(scoresOf(decodeResponse('v2', Buffer.from(specAnswer), { scoreIndex: 0 }))).toEqual([1, 2, 3]);
  });

  it('reads an [n] or [n, 1] output as the scores, BOOL as 1 and 0', () => {
    expect(scoresOf(decodeResponse('v2', v2Answer(tensor('p', [2], 'FP64', [0.2, 0.9]))))).toEqual([
      0.2, 0.9,
    ]);
    expect(scoresOf(decodeResponse('v2', v2Answer(tensor('p', [2, 1], 'FP32', [[0.2], [0.9]]))))).toEqual([
      0.2, 0.9,
    ]);
    expect(scoresOf(decodeResponse('v2', v2Answer(tensor('fraud', [2], 'BOOL', [true, false]))))).toEqual([
      1, 0,
    ]);
  });

  it('picks the output named scoreOutput among several', () => {
    const body = v2Answer(
      tensor('label', [2], 'INT64', [0, 1]),
      tensor('proba', [2, 2], 'FP32', [0.7, 0.3, 0.1, 0.9]),
    );
    expect(scoresOf(decodeResponse('v2', body, { scoreOutput: 'proba' }))).toEqual([0.3, 0.9]);
    expect(scoresOf(decodeResponse('v2', body, { scoreOutput: 'label' }))).toEqual([0, 1]);
  });

  it.each<[string, string, string, DecodeResponseOptions?]>([
    ['an error answer', json({ error: 'model not ready' }), 'outputs is missing, not an array, or empty'],
    [
      'several outputs without scoreOutput',
      v2Answer(tensor('a', [1], 'FP32', [1]), tensor('b', [1], 'FP32', [1])),
      'the answer has 2 outputs; set scoreOutput to the one holding the scores',
    ],
    [
      'a missing scoreOutput',
      v2Answer(tensor('a', [1], 'FP32', [1])),
      'no output is named "proba" (set scoreOutput)',
      { scoreOutput: 'proba' },
    ],
    [
      'a BYTES output',
      v2Answer(tensor('label', [1], 'BYTES', ['fraud'])),
      'output "label" holds BYTES, not scores',
    ],
    [
      'a scoreIndex outside the columns',
      v2Answer(tensor('p', [1, 2], 'FP32', [0.1, 0.9])),
      'scoreIndex 2 is outside the 2 columns of output "p"',
      { scoreIndex: 2 },
    ],
    [
      'a shape that does not match',
      v2Answer(tensor('p', [2, 2], 'FP32', [0.1, 0.9])),
      'output 0 "p": shape [2, 2] needs 4 elements but data holds 2',
    ],
  ])('refuses %s', (_, body, reason, options) => {
    expect(reasonOf(decodeResponse('v2', body, options))).toBe(reason);
  });
});

describe('MLflow scoring server requests', () => {
  // mlflow/mlflow-website docs/latest/genai/serving.md ("Make Predictions") and
  // mlflow/mlflow docs/rst_to_migrate/deployment/deploy-model-locally.rst.
  it('dataframe_split: columns name the values; the index is not a feature', () => {
    const body = json({
      dataframe_split: { columns: ['feature1', 'feature2', 'feature3', 'feature4'], data: [[1, 2, 3, 4]] },
    });
    expect(rowsOf(decodeRequest('mlflow', body))).toEqual([
      { feature1: 1, feature2: 2, feature3: 3, feature4: 4 },
    ]);
    const indexed = json({
      dataframe_split: {
        index: [7, 8],
        columns: ['a', 'b'],
        data: [
          [1, 'x'],
          [null, true],
        ],
      },
    });
    expect(rowsOf(decodeRequest('mlflow', indexed))).toEqual([
      { a: 1, b: 'x' },
      { a: null, b: true },
    ]);
  });

  it('dataframe_split without columns is named by featureNames or by position; numeric columns become strings', () => {
    const body = json({ dataframe_split: { data: [[1, 2]] } });
    expect(rowsOf(decodeRequest('mlflow', body))).toEqual([{ 0: 1, 1: 2 }]);
    expect(rowsOf(decodeRequest('mlflow', body, { featureNames: ['a', 'b'] }))).toEqual([{ a: 1, b: 2 }]);
    expect(
      rowsOf(decodeRequest('mlflow', json({ dataframe_split: { columns: [0, 1], data: [[5, 6]] } }))),
    ).toEqual([{ 0: 5, 1: 6 }]);
  });

  it('dataframe_records: each object is a row, its keys as given', () => {
    const body = json({ dataframe_records: [{ a: 1, b: 'x' }, { a: 2 }], params: { temperature: 0.1 } });
    expect(rowsOf(decodeRequest('mlflow', body))).toEqual([{ a: 1, b: 'x' }, { a: 2 }]);
  });

  it('inputs as a list of lists (deploy-model-locally.rst) is read positionally', () => {
    const body = json({
      inputs: [
        [1, 2],
        [3, 4],
        [5, 6],
      ],
    });
    expect(rowsOf(decodeRequest('mlflow', body))).toEqual([
      { 0: 1, 1: 2 },
      { 0: 3, 1: 4 },
      { 0: 5, 1: 6 },
    ]);
    expect(rowsOf(decodeRequest('mlflow', body, { featureNames: ['x', 'y'] }))[2]).toEqual({ x: 5, y: 6 });
  });

  it('inputs as a columnar object: one list per feature', () => {
    const body = json({ inputs: { amount: [10, 20], country: ['FR', 'DE'] } });
    expect(rowsOf(decodeRequest('mlflow', body))).toEqual([
      { amount: 10, country: 'FR' },
      { amount: 20, country: 'DE' },
    ]);
  });

  it('instances as objects, lists or scalars', () => {
    expect(rowsOf(decodeRequest('mlflow', json({ instances: [{ a: 1 }, { a: 2 }] })))).toEqual([
      { a: 1 },
      { a: 2 },
    ]);
    expect(
      rowsOf(decodeRequest('mlflow', json({ instances: [[1, 'x']] }), { featureNames: ['a', 'b'] })),
    ).toEqual([{ a: 1, b: 'x' }]);
    expect(
      rowsOf(decodeRequest('mlflow', json({ instances: [0.5, 0.7] }), { featureNames: ['score'] })),
    ).toEqual([{ score: 0.5 }, { score: 0.7 }]);
    expect(rowsOf(decodeRequest('mlflow', json({ instances: [] })))).toEqual([]);
  });

  const personal = 'ann@example.org';
  it.each<[string, string, string, DecodeRequestOptions?]>([
    ['a CSV body', 'a,b\n1,2\n', 'the body is not JSON (CSV and binary bodies are not decoded)'],
    [
      'a bare list (refused by MLflow 2 as well)',
      json([[1, 2]]),
      'the body is a bare list; MLflow 2 expects an object with one of dataframe_split, dataframe_records, instances, inputs',
    ],
    ['a string body', json(personal), 'the body is not a JSON object'],
    [
      'no format key',
      json({ data: [[1]] }),
      'the body must hold exactly one of dataframe_split, dataframe_records, instances, inputs; it holds 0',
    ],
    [
      'two format keys',
      json({ instances: [[1]], inputs: [[1]] }),
      'the body must hold exactly one of dataframe_split, dataframe_records, instances, inputs; it holds 2',
    ],
    ['dataframe_split that is a list', json({ dataframe_split: [[1]] }), 'dataframe_split is not an object'],
    [
      'dataframe_split without data',
      json({ dataframe_split: { columns: ['a'] } }),
      'dataframe_split.data is missing or not a list',
    ],
    [
      'dataframe_split columns that are not a list',
      json({ dataframe_split: { columns: 'a', data: [] } }),
      'dataframe_split.columns is not a list',
    ],
    [
      'a column name that is an object',
      json({ dataframe_split: { columns: [{}], data: [] } }),
      'dataframe_split.columns[0] is not a string or number',
    ],
    [
      'duplicate columns',
      json({ dataframe_split: { columns: ['a', 'a'], data: [[1, 2]] } }),
      'dataframe_split.columns name the column "a" twice',
    ],
    [
      'a row longer than the columns',
      json({ dataframe_split: { columns: ['a'], data: [[1, personal]] } }),
      'dataframe_split.data[0] is not a list of 1 values like the first row',
    ],
    [
      'a nested value',
      json({ dataframe_split: { columns: ['a'], data: [[[personal]]] } }),
      'dataframe_split.data[0][0] is not a scalar',
    ],
    [
      'records that are not a list',
      json({ dataframe_records: { a: [1] } }),
      'dataframe_records is not a list',
    ],
    [
      'a record that is a list',
      json({ dataframe_records: [{ a: 1 }, [1]] }),
      'dataframe_records[1] is not an object like the first row',
    ],
    [
      'a record with an object value',
      json({ dataframe_records: [{ a: { b: personal } }] }),
      'dataframe_records[0]."a" is not a scalar',
    ],
    ['instances that are not a list', json({ instances: { a: 1 } }), 'instances is not a list'],
    [
      'mixed instances',
      json({ instances: [[1], { a: 1 }] }),
      'instances[1] is not a list of 1 values like the first row',
    ],
    [
      'a scalar after a scalar row',
      json({ instances: [1, [personal]] }),
      'instances[1] is not a scalar like the first row',
    ],
    [
      'columnar lists of different lengths',
      json({ inputs: { a: [1, 2], b: [1] } }),
      'inputs."b" is not as long as the other columns',
    ],
    ['a columnar value that is not a list', json({ inputs: { a: 1 } }), 'inputs."a" is not a list'],
    ['a nested columnar value', json({ inputs: { a: [[personal]] } }), 'inputs."a"[0] is not a scalar'],
    [
      'featureNames of the wrong count',
      json({ instances: [[1, 2]] }),
      'featureNames has 1 names but instances rows hold 2 values',
      { featureNames: ['a'] },
    ],
    [
      'more rows than maxRows',
      json({ dataframe_records: [{}, {}, {}] }),
      'dataframe_records holds 3 rows, more than the limit of 2',
      { maxRows: 2 },
    ],
    [
      'more columns than maxColumns',
      json({ dataframe_split: { columns: ['a', 'b', 'c'], data: [] } }),
      'dataframe_split.columns holds 3 columns, more than the limit of 2',
      { maxColumns: 2 },
    ],
  ])('refuses %s, never quoting a value', (_, body, reason, options) => {
    const result = reasonOf(decodeRequest('mlflow', body, options));
    expect(result).toBe(reason);
    expect(result).not.toContain(personal);
  });
});

describe('KServe V1 requests', () => {
  // KServe's first-InferenceService walk-through (sklearn-iris): iris-input.json, sent to
  // POST /v1/models/sklearn-iris:predict.
  it('reads instances as rows', () => {
    const body = json({
      instances: [
        [6.8, 2.8, 4.8, 1.4],
        [6.0, 3.4, 4.5, 1.6],
      ],
    });
    const names = ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'];
    expect(rowsOf(decodeRequest('v1', body, { featureNames: names }))).toEqual([
      { sepal_length: 6.8, sepal_width: 2.8, petal_length: 4.8, petal_width: 1.4 },
      { sepal_length: 6.0, sepal_width: 3.4, petal_length: 4.5, petal_width: 1.6 },
    ]);
    expect(rowsOf(decodeRequest('v1', json({ instances: [{ a: 'x' }] })))).toEqual([{ a: 'x' }]);
  });

  it.each([
    ['no instances', json({ inputs: [[1]] }), 'the body is not a JSON object with instances'],
    ['instances that are not a list', json({ instances: 3 }), 'instances is not a list'],
    ['not JSON', '\u0000\u0001', 'the body is not JSON (CSV and binary bodies are not decoded)'],
  ])('refuses %s', (_, body, reason) => {
    expect(reasonOf(decodeRequest('v1', body))).toBe(reason);
  });
});

describe('V1 and MLflow answers', () => {
  it.each<[InferenceProtocol, string, number[], DecodeResponseOptions?]>([
    // The same walk-through: the iris classifier answers {"predictions": [1, 1]}.
    ['v1', json({ predictions: [1, 1] }), [1, 1]],
    [
      'v1',
      json({
        predictions: [
          [0.2, 0.8],
          [0.6, 0.4],
        ],
      }),
      [0.8, 0.4],
    ],
    ['v1', json({ predictions: [[0.2, 0.8]] }), [0.2], { scoreIndex: 0 }],
    ['v1', json({ predictions: [[0.3]] }), [0.3]],
    ['v1', json({ predictions: [true, false] }), [1, 0]],
    ['mlflow', json({ predictions: [0.1, 0.95] }), [0.1, 0.95]],
    ['mlflow', json([0.1, 0.95]), [0.1, 0.95]],
    ['mlflow', json({ predictions: [{ probability: 0.7, label: 1 }] }), [0.7]],
    ['mlflow', json({ predictions: [{ probability: [0.3, 0.7] }] }), [0.7]],
    ['mlflow', json({ predictions: [{ fraud_score: 0.4 }] }), [0.4], { scoreOutput: 'fraud_score' }],
    ['mlflow', json({ predictions: { probability: [0.2, 0.3], label: [0, 0] } }), [0.2, 0.3]],
    ['mlflow', json({ predictions: { label: [0, 1] } }), [0, 1], { scoreOutput: 'label' }],
    ['mlflow', json({ predictions: [] }), []],
  ])('%s answer %s gives %j', (protocol, body, scores, options) => {
    expect(scoresOf(decodeResponse(protocol, body, options))).toEqual(scores);
  });

  it.each<[InferenceProtocol, string, string, DecodeResponseOptions?]>([
    ['v1', json({ error: 'bad input' }), 'the answer is not a JSON object with a predictions list'],
    ['v1', json([0.1]), 'the answer is not a JSON object with a predictions list'],
    [
      'v1',
      json({ predictions: ['fraud'] }),
      'predictions[0] is not a number, a list of numbers or an object',
    ],
    ['v1', json({ predictions: [null] }), 'predictions[0] is not a number, a list of numbers or an object'],
    ['v1', json({ predictions: [[]] }), 'predictions[0] is an empty list'],
    ['v1', json({ predictions: [['a', 'b']] }), 'predictions[0] holds a value that is not a number'],
    [
      'v1',
      json({ predictions: [[0.1, 0.9]] }),
      'scoreIndex -1 is outside the 2 columns of predictions[0]',
      { scoreIndex: -1 },
    ],
    [
      'mlflow',
      json({ predictions: [{ label: 1 }] }),
      'predictions[0] has no number or list of numbers in field "probability" (set scoreOutput)',
    ],
    [
      'mlflow',
      json({ predictions: { label: [1] } }),
      'predictions has no column "probability" (set scoreOutput)',
    ],
    [
      'mlflow',
      json({ error_code: 'BAD_REQUEST' }),
      'the answer is neither a list nor a JSON object with predictions',
    ],
    ['mlflow', 'not json', 'the body is not JSON (CSV and binary bodies are not decoded)'],
    [
      'mlflow',
      json({ predictions: [1, 2, 3] }),
      'predictions holds 3 rows, more than the limit of 2',
      { maxRows: 2 },
    ],
  ])('%s refuses %s', (protocol, body, reason, options) => {
    expect(reasonOf(decodeResponse(protocol, body, options))).toBe(reason);
  });
});

describe('any body is answered, never thrown at', () => {
  it.each<[InferenceProtocol, string, string, DecodeRequestOptions?]>([
    [
      'v2',
      v2Request(tensor('__proto__', [1], 'FP32', [1])),
      'inputs name a column "__proto__", which a row cannot hold',
    ],
    ['mlflow', '{"inputs":{"__proto__":[1]}}', 'inputs name a column "__proto__", which a row cannot hold'],
    [
      'mlflow',
      json({ dataframe_split: { columns: ['__proto__'], data: [[1]] } }),
      'dataframe_split.columns name a column "__proto__", which a row cannot hold',
    ],
    [
      'v1',
      json({ instances: [[1]] }),
      'featureNames name a column "__proto__", which a row cannot hold',
      { featureNames: ['__proto__'] },
    ],
  ])('%s refuses a column named __proto__ rather than lose it: %s', (protocol, body, reason, options) => {
    expect(reasonOf(decodeRequest(protocol, body, options))).toBe(reason);
  });

  it('a record key "__proto__" stays an ordinary key of its row', () => {
    const [row] = rowsOf(decodeRequest('mlflow', '{"dataframe_records":[{"__proto__":1,"a":2}]}'));
    expect(Object.keys(row as FeatureRow)).toEqual(['__proto__', 'a']);
    expect(Object.getPrototypeOf(row)).toBe(Object.prototype);
  });

  it('an unknown protocol is undecodable', () => {
    expect(reasonOf(decodeRequest('grpc' as InferenceProtocol, '{}'))).toBe(
      'unknown protocol "grpc": use v2, v1 or mlflow',
    );
    expect(reasonOf(decodeResponse('grpc' as InferenceProtocol, '{}'))).toBe(
      'unknown protocol "grpc": use v2, v1 or mlflow',
    );
  });

  it('deeply nested data costs no more than its shape says', () => {
    const deep = `${'['.repeat(200_000)}${']'.repeat(200_000)}`;
    const body = `{"inputs":[{"name":"x","shape":[1],"datatype":"FP32","data":${deep}}]}`;
    expect('undecodable' in decodeRequest('v2', body)).toBe(true);
    expect('undecodable' in decodeRequest('mlflow', `{"instances":${deep}}`)).toBe(true);
  });

  it('truncated and mutated valid bodies always give rows, scores or a reason', () => {
    const random = mulberry32(17);
    const valid: [InferenceProtocol, string][] = [
      [
        'v2',
        v2Request(
          tensor('a', [2, 2], 'FP32', [
            [1, 2],
            [3, 4],
          ]),
          tensor('b', [2], 'BYTES', ['x', 'y']),
        ),
      ],
      ['v2', v2Answer(tensor('p', [2, 2], 'FP32', [0.1, 0.9, 0.2, 0.8]))],
      [
        'mlflow',
        json({
          dataframe_split: {
            columns: ['a', 'b'],
            data: [
              [1, 'x'],
              [2, 'y'],
            ],
          },
        }),
      ],
      ['mlflow', json({ inputs: { a: [1, 2], b: ['x', 'y'] }, predictions: [{ probability: [0.1, 0.9] }] })],
      ['v1', json({ instances: [{ a: 1 }, [1, 2]], predictions: [[0.1, 0.9]] })],
    ];
    const pieces = ['[', ']', '{', '}', ',', '"', '0', 'null', '-1', '1e400', 'true', '"shape"', '"data"'];
    for (let trial = 0; trial < 3_000; trial++) {
      const [protocol, body] = valid[trial % valid.length] as [InferenceProtocol, string];
      const at = Math.floor(random() * body.length);
      const piece = pieces[Math.floor(random() * pieces.length)] as string;
      const mutated = random() < 0.3 ? body.slice(0, at) : body.slice(0, at) + piece + body.slice(at + 1);
      const request = decodeRequest(protocol, mutated, {
        featureNames: random() < 0.5 ? ['a', 'b', 'c'] : undefined,
      } as DecodeRequestOptions);
      const response = decodeResponse(protocol, mutated, { scoreIndex: Math.floor(random() * 3) - 1 });
      for (const result of [request, response]) {
        if ('undecodable' in result) expect(result.undecodable).not.toContain('internal decoder error');
        else expect(Array.isArray('rows' in result ? result.rows : result.scores)).toBe(true);
      }
    }
  });
});

describe('decode cost', () => {
  it('a 1,000-row V2 batch of 10 FP32 features decodes in a few milliseconds at most (figures printed)', () => {
    const random = mulberry32(1);
    const data = Array.from({ length: 10_000 }, () => Math.round(random() * 1e6) / 1e3);
    const body = Buffer.from(v2Request(tensor('features', [1_000, 10], 'FP32', data)));
    const answer = Buffer.from(v2Answer(tensor('proba', [1_000, 2], 'FP32', data.slice(0, 2_000))));
    for (let i = 0; i < 20; i++) decodeRequest('v2', body);
    const iterations = 200;
    let started = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) decodeRequest('v2', body);
    const decodeMs = Number(process.hrtime.bigint() - started) / 1e6 / iterations;
    started = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) JSON.parse(body.toString('utf8'));
    const parseMs = Number(process.hrtime.bigint() - started) / 1e6 / iterations;
    started = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) decodeResponse('v2', answer);
    const answerMs = Number(process.hrtime.bigint() - started) / 1e6 / iterations;
    console.log(
      `V2 decode, 1,000 rows x 10 FP32 (${body.length} bytes): ${decodeMs.toFixed(3)} ms a batch ` +
        `(JSON.parse alone ${parseMs.toFixed(3)} ms); answer of 1,000 x 2: ${answerMs.toFixed(3)} ms`,
    );
    const rows = rowsOf(decodeRequest('v2', body));
    expect(rows).toHaveLength(1_000);
    expect(rows[999]?.['features_9']).toBe(data[9_999]);
    // Generous for a shared 2-core machine; a quiet run is far below it (see the printed figures).
    expect(decodeMs).toBeLessThan(10);
  });
});
