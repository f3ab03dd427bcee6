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
