/**
 * One HTTP exchange with Autotask or PCSM through axios. Every status comes back as a response
 * (each client classifies it); failures without a response become a TransportFailure that carries
 * no request config, so headers with credentials can never travel along as an error's cause.
 */
import http from 'node:http';
import https from 'node:https';
import axios, { type AxiosInstance } from 'axios';

export interface HttpResponse {
  status: number;
  /** Lower-cased header names. */
  headers: Record<string, string | undefined>;
  data: unknown;
}

export interface HttpRequest {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  url: string;
  headers?: Record<string, string>;
  body?: unknown;
  timeoutMs: number;
}

// Connection never established: the request cannot have reached the other system.
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

export class TransportFailure extends Error {
  constructor(
    message: string,
    readonly code: string,
    /** false only when the connection was never made. */
    readonly requestSent: boolean,
  ) {
    super(message);
    this.name = 'TransportFailure';
    Object.setPrototypeOf(this, new.target.prototype);
  }
}

/** Proxy variables axios would honour (proxy-from-env); read once, not on every request. */
const PROXY_VARIABLES = ['http_proxy', 'https_proxy', 'all_proxy', 'npm_config_proxy', 'npm_config_https_proxy'];

function proxyFromEnvironment(env: NodeJS.ProcessEnv): boolean {
  return Object.keys(env).some((name) => PROXY_VARIABLES.includes(name.toLowerCase()) && Boolean(env[name]));
}

export function createHttp(env: NodeJS.ProcessEnv = process.env): AxiosInstance {
  return axios.create({
    validateStatus: () => true,
    maxRedirects: 0,
    // axios looks for proxy variables on every request (about half its cost per call); without
    // any set there is nothing to find. With HTTPS_PROXY and the like set, axios uses them as usual.
    ...(proxyFromEnvironment(env) ? {} : { proxy: false as const }),
    // Connections are kept and reused: a TLS handshake per Autotask call would cost more than the call.
    httpAgent: new http.Agent({ keepAlive: true }),
    httpsAgent: new https.Agent({ keepAlive: true }),
    responseType: 'json',
    transitional: { clarifyTimeoutError: true, silentJSONParsing: true, forcedJSONParsing: true },
  });
}

function lowerCaseHeaders(headers: unknown): Record<string, string | undefined> {
  const result: Record<string, string | undefined> = {};
  if (typeof headers !== 'object' || headers === null) return result;
  for (const [name, value] of Object.entries(headers as Record<string, unknown>)) {
    result[name.toLowerCase()] = Array.isArray(value) ? value.map(String).join(', ') : value === undefined || value === null ? undefined : String(value);
  }
  return result;
}

export async function exchange(http: AxiosInstance, request: HttpRequest): Promise<HttpResponse> {
  try {
    const response = await http.request({
      method: request.method,
      url: request.url,
      headers: request.headers,
      data: request.body === undefined ? undefined : JSON.stringify(request.body),
      timeout: request.timeoutMs,
    });
    return { status: response.status, headers: lowerCaseHeaders(response.headers), data: response.data as unknown };
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const codeText = typeof code === 'string' ? code : 'UNKNOWN';
    const timedOut = codeText === 'ETIMEDOUT' || codeText === 'ECONNABORTED';
    const message = timedOut
      ? `no answer within ${request.timeoutMs} ms`
      : `${codeText}${error instanceof Error && error.message ? ` (${error.message})` : ''}`;
    throw new TransportFailure(message, codeText, !NOT_SENT_CODES.has(codeText));
  }
}
