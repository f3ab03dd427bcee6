/**
 * The fraud-detection example's model server: the Open Inference Protocol (KServe V2, REST) for one
 * version of the fraud model. It is the example's upstream, not part of Warden.
 *
 *   node dist/examples/fraud-detection/model-server.js --model model-v1.json --port 9001 --version 1
 *     [--fault errors:0.2|slow:250|score-shift:1]
 *
 * Inputs: `features` FP32 [n, 6] (the columns of `numericInputs`, row-major, flat or nested) and
 * `merchant_category` BYTES [n]. Output: `probability` FP32 [n]. Errors: `{"error": "..."}`.
 * `--fault` plants a fault in the version served (faults.ts), for the rollout scene (rollout.ts).
 */
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { describeFault, type Fault, failsRequest, faultKinds, parseFault, withScoreShift } from './faults.js';
import { checkModel, type FraudModel, fraudProbability } from './scoring.js';
import { runScript, scriptOptions } from './script.js';
import { numericInputs } from './transactions.js';

const modelName = 'fraud-detector';
const maxBodyBytes = 4 * 1024 * 1024;

class RequestError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

interface InferInput {
  name?: unknown;
  shape?: unknown;
  datatype?: unknown;
  data?: unknown;
}

function modelMetadata(model: FraudModel, version: string) {
  return {
    name: modelName,
    versions: [version],
    platform: 'warden-example-typescript',
    inputs: [
      { name: 'features', datatype: 'FP32', shape: [-1, numericInputs.length] },
      { name: 'merchant_category', datatype: 'BYTES', shape: [-1] },
    ],
    outputs: [{ name: 'probability', datatype: 'FP32', shape: [-1] }],
    parameters: { feature_names: model.numericInputs, description: model.description },
  };
}

function inputNamed(inputs: InferInput[], name: string): InferInput {
  const input = inputs.find((candidate) => candidate.name === name);
  if (input === undefined) throw new RequestError(400, `the request has no input named "${name}"`);
  return input;
}

function shapeOf(input: InferInput, name: string, rank: number): number[] {
  const { shape } = input;
  if (!Array.isArray(shape) || shape.length !== rank || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
    throw new RequestError(400, `input "${name}": "shape" must be ${rank === 2 ? '[n, 6]' : '[n]'}`);
  }
  return shape as number[];
}

function infer(model: FraudModel, version: string, body: unknown) {
  const request = body as { id?: unknown; inputs?: unknown } | null;
  if (typeof request !== 'object' || request === null || !Array.isArray(request.inputs)) {
    throw new RequestError(400, 'the request body needs an "inputs" array');
  }
  const inputs = request.inputs as InferInput[];
  const features = inputNamed(inputs, 'features');
  const categories = inputNamed(inputs, 'merchant_category');
  if (features.datatype !== 'FP32' && features.datatype !== 'FP64') {
    throw new RequestError(400, 'input "features": "datatype" must be FP32');
  }
  if (categories.datatype !== 'BYTES') {
    throw new RequestError(400, 'input "merchant_category": "datatype" must be BYTES');
  }
  const [rows = 0, width] = shapeOf(features, 'features', 2);
  if (width !== numericInputs.length) {
    throw new RequestError(400, `input "features": shape [n, ${width}] must be [n, ${numericInputs.length}]`);
  }
  const [categoryRows] = shapeOf(categories, 'merchant_category', 1);
  if (categoryRows !== rows) {
    throw new RequestError(400, `input "merchant_category" has ${categoryRows} rows, "features" has ${rows}`);
  }
  const values = Array.isArray(features.data) ? features.data.flat(2) : [];
  if (values.length !== rows * width || !values.every((v) => typeof v === 'number' && Number.isFinite(v))) {
    throw new RequestError(400, `input "features": "data" must hold ${rows * width} finite numbers`);
  }
  const names = Array.isArray(categories.data) ? categories.data.flat() : [];
  if (names.length !== rows || !names.every((v) => typeof v === 'string')) {
    throw new RequestError(400, `input "merchant_category": "data" must hold ${rows} strings`);
  }
  const probabilities = Array.from({ length: rows }, (_, row) =>
    Math.fround(
      fraudProbability(model, values.slice(row * width, (row + 1) * width) as number[], names[row] as string),
    ),
  );
  return {
    model_name: modelName,
    model_version: version,
    ...(typeof request.id === 'string' ? { id: request.id } : {}),
    outputs: [{ name: 'probability', datatype: 'FP32', shape: [rows], data: probabilities }],
  };
}

async function readJsonBody(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBodyBytes) throw new RequestError(413, `the request body is over ${maxBodyBytes} bytes`);
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new RequestError(400, 'the request body is not valid JSON');
  }
}

function send(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  response.end(text);
}

/** What the planted fault does to each inference answer, before it is computed: fail it, delay it, or nothing. */
function faultOfEachInference(fault: Fault): () => Promise<void> {
  let inferences = 0;
  return async () => {
    inferences += 1;
    if (fault.kind === 'errors' && failsRequest(fault.share, inferences)) {
      throw new RequestError(500, `planted fault errors:${fault.share}: this request fails on purpose`);
    }
    if (fault.kind === 'slow') await sleep(fault.milliseconds);
  };
}

async function route(
  model: FraudModel,
  version: string,
  request: IncomingMessage,
  plantedFault: () => Promise<void>,
): Promise<[number, unknown]> {
  const path = new URL(request.url ?? '/', 'http://model-server').pathname;
  const modelPath = path.match(/^\/v2\/models\/([^/]+)(?:\/versions\/([^/]+))?(\/ready|\/infer)?$/);
  if (request.method === 'GET' && path === '/v2/health/live') return [200, { live: true }];
  if (request.method === 'GET' && path === '/v2/health/ready') return [200, { ready: true }];
  if (request.method === 'GET' && path === '/v2') {
    return [200, { name: 'fraud-detection-example', version: '1', extensions: [] }];
  }
  if (modelPath === null) throw new RequestError(404, `no route ${request.method} ${path}`);
  const [, name, pinned, action] = modelPath;
  if (name !== modelName || (pinned !== undefined && pinned !== version)) {
    throw new RequestError(
      404,
      `this server serves ${modelName} version ${version}, not ${name} ${pinned ?? ''}`.trim(),
    );
  }
  if (request.method === 'GET' && action === undefined) return [200, modelMetadata(model, version)];
  if (request.method === 'GET' && action === '/ready') return [200, { name: modelName, ready: true }];
  if (request.method === 'POST' && action === '/infer') {
    const body = await readJsonBody(request);
    await plantedFault();
    return [200, infer(model, version, body)];
  }
  throw new RequestError(405, `${request.method} is not allowed on ${path}`);
}

async function readModelFile(path: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    const reason = error instanceof SyntaxError ? 'is not JSON' : 'cannot be read';
    throw new Error(`--model ${path} ${reason}; write it with model.js (see the example's README)`);
  }
}

async function main(): Promise<void> {
  const options = scriptOptions({
    model: { describe: 'the model file, e.g. examples/fraud-detection/model-v1.json' },
    port: { describe: 'the port (0: any free port)', default: '9001' },
    host: { describe: 'the address to listen on', default: '127.0.0.1' },
    version: { describe: "the version this server reports (default: the model file's)", default: '' },
    fault: { describe: `a fault to plant in the answers: ${faultKinds}`, default: 'none' },
  });
  const port = Number(options.port);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new Error(`--port ${options.port} is not a port number (0–65535)`);
  }
  const fault = parseFault(options.fault);
  const trained = checkModel(await readModelFile(options.model), options.model);
  const model = fault.kind === 'score-shift' ? withScoreShift(trained, fault.deviations) : trained;
  const version = options.version || model.version;
  const plantedFault = faultOfEachInference(fault);
  const server = createServer((request, response) => {
    route(model, version, request, plantedFault).then(
      ([status, body]) => send(response, status, body),
      (error: unknown) => {
        if (error instanceof RequestError) send(response, error.status, { error: error.message });
        else send(response, 500, { error: 'internal error' });
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, options.host, resolve);
  });
  const address = server.address();
  const boundPort = typeof address === 'object' && address !== null ? address.port : port;
  console.log(`${modelName} version ${version} listening on http://${options.host}:${boundPort}`);
  if (fault.kind !== 'none') console.log(`planted fault: ${describeFault(fault)}`);
  process.once('SIGTERM', () => server.close());
  process.once('SIGINT', () => server.close());
}

await runScript(main);
