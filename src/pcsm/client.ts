/**
 * The PCSM API client: one per process, one session per connector, on the shared JSON API skeleton
 * (src/http/json-api-session.ts).
 *
 * Retry policy, decided once per failure (classify.ts):
 * - every call is a GET or a PATCH, and a PATCH with the same body leaves PCSM in the same state,
 *   so PcsmUnavailableError (network, timeout, 408, 5xx) is retried with backoff;
 * - rate limits are not retried here: the job layer waits `retryAfterMs`;
 * - auth failures, 404s and other refusals are permanent.
 */
import type { z } from 'zod';
import { JsonApiClient, JsonApiSession, type JsonApiCall, type JsonApiClientOptions, type RemoteCallInfo } from '../http/json-api-session';
import type { RemoteError } from '../http/remote-errors';
import type { HttpResponse } from '../http/transport';
import {
  pcsmAccountSchema,
  pcsmApiTicketSchema,
  pcsmProfilePageSchema,
  pcsmTicketPageSchema,
  pcsmTicketStatusesSchema,
} from './answers';
import { classifyPcsmResponse } from './classify';
import type { PcsmProfile } from './events';
import type { PcsmAccount, PcsmApiTicket, PcsmCredentials, PcsmSession, PcsmTicketPatch } from './types';

export type PcsmCallInfo = RemoteCallInfo;
export type PcsmClientOptions = JsonApiClientOptions;

export const PROFILE_PAGE_SIZE = 100;
/** A paging loop stops here whatever `nextPage` says: far beyond any real account. */
export const MAX_PAGES = 10_000;

export class PcsmClient extends JsonApiClient {
  session(connectorId: string, credentials: PcsmCredentials): PcsmSession {
    return new ConnectorSession(this, connectorId, credentials);
  }
}

class ConnectorSession extends JsonApiSession implements PcsmSession {
  constructor(
    client: PcsmClient,
    connectorId: string,
    private readonly credentials: PcsmCredentials,
  ) {
    super(client, connectorId, { system: 'pcsm', product: 'PCSM' }, credentials.apiUrl);
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
    const response = await this.perform({ method: 'GET', path, route: '/api/v1/tickets/{id}', answers: [404] });
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

  protected async attempt(call: JsonApiCall): Promise<HttpResponse> {
    return this.judge(call, await this.exchange(call, { Authorization: `Bearer ${this.credentials.apiKey}` }));
  }

  protected classify(response: HttpResponse, call: string): RemoteError | null {
    return classifyPcsmResponse(response, { call, secrets: this.secrets() });
  }

  protected secrets(): string[] {
    return [this.credentials.apiKey];
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
      if (nextPage <= page) throw this.unexpected(`PCSM answered ${call} with nextPage ${nextPage}, which does not move forward`, response.status);
      if (fetched >= MAX_PAGES) throw this.unexpected(`PCSM kept paging ${path} past ${MAX_PAGES} pages`, response.status);
      page = nextPage;
    }
  }
}

function ticketSegment(id: string): string {
  if (typeof id !== 'string' || id.length === 0 || id.length > 100) throw new RangeError('not a PCSM ticket id');
  return encodeURIComponent(id);
}
