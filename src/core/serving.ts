/**
 * Where a model version is served: the inference protocols Warden's gateway speaks, and the rules a
 * model server's URL must meet (shared by the registry, which stores a version's endpoint, and the
 * gateway, which forwards to it).
 */

/** Open Inference Protocol (KServe V2), MLflow scoring, KServe V1. */
export const inferenceProtocols = ['v2', 'mlflow', 'v1'] as const;
export type InferenceProtocol = (typeof inferenceProtocols)[number];

/** A version's model server, as the registry records it. */
export interface ServingEndpoint {
  url: string;
  protocol: InferenceProtocol;
}

export const maxEndpointUrlLength = 2048;

/**
 * The bucket bounds (seconds) of the gateway's `warden_gateway_request_duration_seconds` histogram,
 * shared by its live latency quantiles and by latency SLOs, whose threshold must be one of them.
 */
export const requestDurationBuckets: readonly number[] = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

/** The rule for the names of models and of what the gateway serves (routes, versions, SLOs). */
export const servedNamePattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
export const servedNameRule =
  'must be 1–128 letters, digits, ".", "_" or "-", starting with a letter or digit';

/**
 * Why a model server's base URL cannot be forwarded to, or undefined when it can: http(s) only,
 * no credentials (a registry or a config file is not a secret store), no query or fragment (each
 * request brings its own). The message never repeats the URL's credentials.
 */
export function endpointUrlProblem(text: string): string | undefined {
  if (text.length > maxEndpointUrlLength) {
    return `url is ${text.length} characters; a model server's URL has at most ${maxEndpointUrlLength}`;
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return `url ${JSON.stringify(text.slice(0, 200))} is not a URL; write http://HOST:PORT of the model server`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return `url scheme "${url.protocol.slice(0, -1)}" is not served; the gateway forwards to http:// or https:// model servers only`;
  }
  if (url.username !== '' || url.password !== '') {
    return 'url carries credentials (user:password@); they are refused, because neither the registry nor a gateway config is a secret store';
  }
  if (url.search !== '' || url.hash !== '') {
    return `url ${JSON.stringify(`${url.origin}${url.pathname}`)} must have no query or fragment; the gateway appends each request's own path and query`;
  }
  return undefined;
}

/** The URL as the gateway joins paths to it: without trailing slashes. */
export function normalEndpointUrl(text: string): string {
  return text.replace(/\/+$/, '');
}
