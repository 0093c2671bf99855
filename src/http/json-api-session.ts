/**
 * What every RMM API client shares: one exchange measured and reported, transient failures retried
 * with backoff (p-retry), each answer classified once by the system's own rules, bodies read
 * through a schema, and no secret in any message. A system's client extends JsonApiClient (one per
 * process) and its session extends JsonApiSession (one per connector), adding only what its API
 * does differently: how it authenticates, pages and limits.
 */
import type { AxiosInstance } from 'axios';
import pRetry from 'p-retry';
import type { z } from 'zod';
import { redact } from './redact';
import { RemoteUnavailableError, RemoteUnexpectedAnswerError, type RemoteError, type RemoteSystem } from './remote-errors';
import { createHttp, exchange, TransportFailure, type HttpRequest, type HttpResponse } from './transport';

export interface RemoteCallInfo {
  connectorId: string;
  method: string;
  /** The route with ids left out: `/api/v1/tickets/{id}`. */
  route: string;
  /** HTTP status; 0 when no answer arrived (network error, timeout). */
  status: number;
  durationMs: number;
}

export interface JsonApiClientOptions {
  timeoutMs?: number;
  /** Retries after a RemoteUnavailableError. */
  retries?: number;
  minRetryDelayMs?: number;
  maxRetryDelayMs?: number;
  /** Called after every HTTP exchange; the composition root logs or measures here. */
  onCall?: (info: RemoteCallInfo) => void;
}

export type JsonApiSettings = Required<Omit<JsonApiClientOptions, 'onCall'>> & Pick<JsonApiClientOptions, 'onCall'>;

export interface JsonApiCall {
  method: HttpRequest['method'];
  /** Below the API URL, with its query string. */
  path: string;
  /** For reports, with ids left out. */
  route: string;
  body?: unknown;
  /** Sent form-encoded instead of a JSON body (an OAuth token request). */
  form?: Record<string, string>;
  /** Statuses that answer the call rather than fail it (a GET by id: 404 means "no such thing"). */
  answers?: readonly number[];
}

/** Which system a session talks to, as its errors and messages name it. */
export interface RemoteSystemName {
  system: RemoteSystem;
  /** The product as an operator knows it: `PCSM`, `Datto RMM`. */
  product: string;
}

/** One per process and system: the kept-alive connections, the settings and the observer. */
export class JsonApiClient {
  readonly settings: JsonApiSettings;
  private readonly http: AxiosInstance;
  private readonly formHttp: AxiosInstance;

  constructor(options: JsonApiClientOptions = {}) {
    this.settings = { timeoutMs: 15_000, retries: 3, minRetryDelayMs: 500, maxRetryDelayMs: 10_000, ...options };
    this.http = createHttp();
    this.formHttp = formHttp();
  }

  /** One HTTP exchange, measured and reported. */
  async send(connectorId: string, route: string, request: HttpRequest, form = false): Promise<HttpResponse> {
    const started = Date.now();
    let status = 0;
    try {
      const response = await exchange(form ? this.formHttp : this.http, request);
      status = response.status;
      return response;
    } finally {
      this.report({ connectorId, method: request.method, route, status, durationMs: Date.now() - started });
    }
  }

  private report(info: RemoteCallInfo): void {
    try {
      this.settings.onCall?.(info);
    } catch {
      // An observer must not change the outcome of a call.
    }
  }
}

/**
 * transport.ts sends every body as JSON; an OAuth token request is a form. This instance undoes that
 * encoding, so the form string goes out as written while timeouts, TransportFailure and header
 * handling stay exactly those of `exchange`.
 */
function formHttp(): AxiosInstance {
  const http = createHttp();
  http.defaults.transformRequest = [(data: unknown) => (typeof data === 'string' ? (JSON.parse(data) as unknown) : data)];
  return http;
}

/** `Call`: the system's own call description, when it needs more than JsonApiCall says. */
export abstract class JsonApiSession<Call extends JsonApiCall = JsonApiCall> {
  protected readonly baseUrl: string;
  private requests = 0;

  constructor(
    protected readonly client: JsonApiClient,
    protected readonly connectorId: string,
    protected readonly remote: RemoteSystemName,
    apiUrl: string,
  ) {
    this.baseUrl = apiBase(apiUrl, remote.product);
  }

  /** Requests this session has sent so far, retries included. */
  get requestCount(): number {
    return this.requests;
  }

  /** One try of a call: the exchange(s) it takes and the verdict on the answer. */
  protected abstract attempt(call: Call): Promise<HttpResponse>;

  /** The system's reading of an answer: null when it is a success, otherwise the error to throw. */
  protected abstract classify(response: HttpResponse, call: string): RemoteError | null;

  /** Values that must never appear in a message: keys, secrets, tokens. */
  protected abstract secrets(): ReadonlyArray<string | null | undefined>;

  /** Every call the API sees is idempotent or harmless to repeat, so a RemoteUnavailableError is retried here. */
  protected perform(call: Call): Promise<HttpResponse> {
    const { retries, minRetryDelayMs, maxRetryDelayMs } = this.client.settings;
    return pRetry(() => this.attempt(call), {
      retries,
      minTimeout: minRetryDelayMs,
      maxTimeout: Math.max(minRetryDelayMs, maxRetryDelayMs),
      factor: 2,
      randomize: true,
      shouldRetry: ({ error }) => error instanceof RemoteUnavailableError,
    });
  }

  /** Sends the call once; an answer of any status comes back, no answer at all is a RemoteUnavailableError. */
  protected async exchange(call: JsonApiCall, headers: Record<string, string>): Promise<HttpResponse> {
    this.requests += 1;
    const request: HttpRequest = { method: call.method, url: `${this.baseUrl}${call.path}`, headers: { Accept: 'application/json', ...headers }, timeoutMs: this.client.settings.timeoutMs };
    if (call.form !== undefined) {
      request.body = new URLSearchParams(call.form).toString();
      request.headers!['Content-Type'] = 'application/x-www-form-urlencoded';
    } else if (call.body !== undefined) {
      request.body = call.body;
      request.headers!['Content-Type'] = 'application/json';
    }
    try {
      return await this.client.send(this.connectorId, call.route, request, call.form !== undefined);
    } catch (error) {
      if (!(error instanceof TransportFailure)) throw error;
      throw new RemoteUnavailableError(this.remote.system, this.redact(`${this.remote.product} unreachable (${call.method} ${call.route}): ${error.message}`), undefined, {
        cause: { code: error.code },
      });
    }
  }

  /** The answer, or the error its status means. */
  protected judge(call: JsonApiCall, response: HttpResponse): HttpResponse {
    if (call.answers?.includes(response.status)) return response;
    const failure = this.classify(response, `${call.method} ${call.path}`);
    if (failure) throw failure;
    return response;
  }

  /** The body as the schema promises it; otherwise an error naming the fields that broke it (never their values). */
  protected read<T>(schema: z.ZodType<T>, response: HttpResponse, call: string): T {
    const parsed = schema.safeParse(response.data);
    if (parsed.success) return parsed.data;
    const fields = [...new Set(parsed.error.issues.map((issue) => (issue.path.length > 0 ? issue.path.join('.') : '(body)')))].slice(0, 10);
    throw this.unexpected(`${this.remote.product} gave an unexpected answer to ${call} (HTTP ${response.status}): ${fields.join(', ')} not as the API promises`, response.status);
  }

  protected unexpected(message: string, status: number): RemoteUnexpectedAnswerError {
    return new RemoteUnexpectedAnswerError(this.remote.system, this.redact(message), status);
  }

  protected redact(text: string): string {
    return redact(text, this.secrets());
  }
}

/** The API URL without a trailing slash; a path prefix (a reverse proxy's) is kept. */
export function apiBase(apiUrl: string, product: string): string {
  let url: URL;
  try {
    url = new URL(apiUrl);
  } catch {
    throw new RangeError(`the ${product} API URL is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new RangeError(`the ${product} API URL must be http or https`);
  if (url.username || url.password) throw new RangeError(`the ${product} API URL must not carry credentials`);
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}
