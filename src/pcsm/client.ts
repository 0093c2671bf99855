/**
 * The PCSM API client: one per process, one session per connector.
 *
 * Retry policy, decided once per failure (classify.ts):
 * - every call is a GET or a PATCH, and a PATCH with the same body leaves PCSM in the same state,
 *   so PcsmUnavailableError (network, timeout, 408, 5xx) is retried here with backoff (p-retry);
 * - rate limits are not retried here: the job layer waits `retryAfterMs`;
 * - auth failures, 404s and other refusals are permanent.
 */
import type { AxiosInstance } from 'axios';
import pRetry from 'p-retry';
import type { z } from 'zod';
import { redact } from '../http/redact';
import {
  pcsmAccountSchema,
  pcsmApiTicketSchema,
  pcsmProfilePageSchema,
  pcsmTicketPageSchema,
  pcsmTicketStatusesSchema,
} from './answers';
import { classifyPcsmResponse, type PcsmHttpResponse } from './classify';
import { PcsmUnavailableError, PcsmUnexpectedAnswerError } from './errors';
import type { PcsmProfile } from './events';
import { createHttp, exchange, TransportFailure, type HttpRequest } from '../http/transport';
import type { PcsmAccount, PcsmApiTicket, PcsmCredentials, PcsmSession, PcsmTicketPatch } from './types';

export interface PcsmCallInfo {
  connectorId: string;
  method: string;
  /** The route with ids left out: `/api/v1/tickets/{id}`. */
  route: string;
  /** HTTP status; 0 when no answer arrived (network error, timeout). */
  status: number;
  durationMs: number;
}

export interface PcsmClientOptions {
  timeoutMs?: number;
  /** Retries after PcsmUnavailableError. */
  retries?: number;
  minRetryDelayMs?: number;
  maxRetryDelayMs?: number;
  /** Called after every HTTP exchange; the composition root logs or measures here. */
  onCall?: (info: PcsmCallInfo) => void;
}

export const PROFILE_PAGE_SIZE = 100;
/** A paging loop stops here whatever `nextPage` says: far beyond any real account. */
export const MAX_PAGES = 10_000;

interface Call {
  method: HttpRequest['method'];
  /** Below the API URL, with its query string. */
  path: string;
  route: string;
  body?: unknown;
  /** GET /tickets/{id}: a 404 means "no such ticket", not a failure. */
  notFoundIsNull?: boolean;
}

export class PcsmClient {
  private readonly http: AxiosInstance;
  private readonly options: Required<Omit<PcsmClientOptions, 'onCall'>> & Pick<PcsmClientOptions, 'onCall'>;

  constructor(options: PcsmClientOptions = {}) {
    this.options = { timeoutMs: 15_000, retries: 3, minRetryDelayMs: 500, maxRetryDelayMs: 10_000, ...options };
    this.http = createHttp();
  }

  session(connectorId: string, credentials: PcsmCredentials): PcsmSession {
    return new ConnectorSession(this, connectorId, credentials);
  }

  /** @internal */
  get settings(): PcsmClient['options'] {
    return this.options;
  }

  /** @internal one HTTP exchange, measured and reported. */
  async send(connectorId: string, route: string, request: HttpRequest): Promise<PcsmHttpResponse> {
    const started = Date.now();
    let status = 0;
    try {
      const response = await exchange(this.http, request);
      status = response.status;
      return response;
    } finally {
      this.report({ connectorId, method: request.method, route, status, durationMs: Date.now() - started });
    }
  }

  private report(info: PcsmCallInfo): void {
    try {
      this.options.onCall?.(info);
    } catch {
      // An observer must not change the outcome of a call.
    }
  }
}

class ConnectorSession implements PcsmSession {
  private readonly baseUrl: string;
  private requests = 0;

  /** Requests this session has sent so far, retries included. */
  get requestCount(): number {
    return this.requests;
  }

  constructor(
    private readonly client: PcsmClient,
    private readonly connectorId: string,
    private readonly credentials: PcsmCredentials,
  ) {
    this.baseUrl = apiBase(credentials.apiUrl);
  }

  async getAccount(): Promise<PcsmAccount> {
    const response = await this.perform({ method: 'GET', path: '/api/v1/account', route: '/api/v1/account' });
    return this.read(pcsmAccountSchema, response, 'GET /api/v1/account');
  }

  async listProfiles(): Promise<PcsmProfile[]> {
    const profiles: PcsmProfile[] = [];
    for await (const page of this.pages('/api/v1/profiles', (page) => `page=${page}&pageSize=${PROFILE_PAGE_SIZE}`, pcsmProfilePageSchema)) {
      profiles.push(...page);
    }
    return profiles;
  }

  async listTicketStatuses(): Promise<string[]> {
    const response = await this.perform({ method: 'GET', path: '/api/v1/ticket-statuses', route: '/api/v1/ticket-statuses' });
    return this.read(pcsmTicketStatusesSchema, response, 'GET /api/v1/ticket-statuses').items;
  }

  async getTicket(id: string): Promise<PcsmApiTicket | null> {
    const path = `/api/v1/tickets/${ticketSegment(id)}`;
    const response = await this.perform({ method: 'GET', path, route: '/api/v1/tickets/{id}', notFoundIsNull: true });
    if (response.status === 404) return null;
    return this.read(pcsmApiTicketSchema, response, `GET ${path}`);
  }

  ticketsUpdatedSince(since: Date): AsyncGenerator<PcsmApiTicket[]> {
    if (Number.isNaN(since.getTime())) throw new RangeError('ticketsUpdatedSince needs a valid date');
    const updatedSince = encodeURIComponent(since.toISOString());
    return this.pages('/api/v1/tickets', (page) => `updatedSince=${updatedSince}&page=${page}`, pcsmTicketPageSchema);
  }

  async updateTicket(id: string, patch: PcsmTicketPatch): Promise<PcsmApiTicket> {
    const path = `/api/v1/tickets/${ticketSegment(id)}`;
    const body: PcsmTicketPatch = {};
    if (patch.status !== undefined) body.status = patch.status;
    if (patch.autotask !== undefined) body.autotask = { ticketId: patch.autotask.ticketId, ticketNumber: patch.autotask.ticketNumber };
    const response = await this.perform({ method: 'PATCH', path, route: '/api/v1/tickets/{id}', body });
    return this.read(pcsmApiTicketSchema, response, `PATCH ${path}`);
  }

  /** Follows `nextPage` from page 1; a server that does not move forward is an unexpected answer, not a loop. */
  private async *pages<T>(
    path: string,
    query: (page: number) => string,
    schema: z.ZodType<{ items: T[]; nextPage?: number | null }>,
  ): AsyncGenerator<T[]> {
    let page = 1;
    for (let fetched = 1; ; fetched += 1) {
      const call = `GET ${path}?${query(page)}`;
      const response = await this.perform({ method: 'GET', path: `${path}?${query(page)}`, route: path });
      const { items, nextPage } = this.read(schema, response, call);
      if (items.length > 0) yield items;
      if (nextPage === null || nextPage === undefined || items.length === 0) return;
      if (nextPage <= page) throw new PcsmUnexpectedAnswerError(`PCSM answered ${call} with nextPage ${nextPage}, which does not move forward`, response.status);
      if (fetched >= MAX_PAGES) throw new PcsmUnexpectedAnswerError(`PCSM kept paging ${path} past ${MAX_PAGES} pages`, response.status);
      page = nextPage;
    }
  }

  private read<T>(schema: z.ZodType<T>, response: PcsmHttpResponse, call: string): T {
    const parsed = schema.safeParse(response.data);
    if (parsed.success) return parsed.data;
    const fields = [...new Set(parsed.error.issues.map((issue) => (issue.path.length > 0 ? issue.path.join('.') : '(body)')))].slice(0, 10);
    throw new PcsmUnexpectedAnswerError(
      redact(`PCSM gave an unexpected answer to ${call} (HTTP ${response.status}): ${fields.join(', ')} not as the API promises`, this.secrets()),
      response.status,
    );
  }

  private perform(call: Call): Promise<PcsmHttpResponse> {
    const { retries, minRetryDelayMs, maxRetryDelayMs } = this.client.settings;
    return pRetry(() => this.attempt(call), {
      retries,
      minTimeout: minRetryDelayMs,
      maxTimeout: Math.max(minRetryDelayMs, maxRetryDelayMs),
      factor: 2,
      randomize: true,
      shouldRetry: ({ error }) => error instanceof PcsmUnavailableError,
    });
  }

  private async attempt(call: Call): Promise<PcsmHttpResponse> {
    let response: PcsmHttpResponse;
    this.requests += 1;
    try {
      response = await this.client.send(this.connectorId, call.route, {
        method: call.method,
        url: `${this.baseUrl}${call.path}`,
        headers: this.headers(call),
        body: call.body,
        timeoutMs: this.client.settings.timeoutMs,
      });
    } catch (error) {
      if (!(error instanceof TransportFailure)) throw error;
      throw new PcsmUnavailableError(redact(`PCSM unreachable (${call.method} ${call.route}): ${error.message}`, this.secrets()), undefined, {
        cause: { code: error.code },
      });
    }
    if (call.notFoundIsNull && response.status === 404) return response;
    const failure = classifyPcsmResponse(response, { call: `${call.method} ${call.path}`, secrets: this.secrets() });
    if (failure) throw failure;
    return response;
  }

  private headers(call: Call): Record<string, string> {
    const headers: Record<string, string> = {
      Authorization: `Bearer ${this.credentials.apiKey}`,
      Accept: 'application/json',
    };
    if (call.body !== undefined) headers['Content-Type'] = 'application/json';
    return headers;
  }

  private secrets(): string[] {
    return [this.credentials.apiKey];
  }
}

/** The API URL without a trailing slash; a path prefix (a reverse proxy's) is kept. */
function apiBase(apiUrl: string): string {
  let url: URL;
  try {
    url = new URL(apiUrl);
  } catch {
    throw new RangeError('the PCSM API URL is not a URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new RangeError('the PCSM API URL must be http or https');
  if (url.username || url.password) throw new RangeError('the PCSM API URL must not carry credentials');
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

function ticketSegment(id: string): string {
  if (typeof id !== 'string' || id.length === 0 || id.length > 100) throw new RangeError('not a PCSM ticket id');
  return encodeURIComponent(id);
}
