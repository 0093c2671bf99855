/**
 * The Datto RMM API v2 client: one per process, one session per connector, on the shared JSON API
 * skeleton (src/http/json-api-session.ts). Alerts are the RMM's tickets, sites its profiles.
 *
 * Each request first gets room in the account's request budget (request-budget.ts), then a token
 * (access-tokens.ts). Retry policy, decided once per answer (classify.ts):
 * - network failures, timeouts, 408, 409 and 5xx are retried here with backoff: every call is a
 *   read, a token grant or a resolve, and resolving a resolved alert changes nothing;
 * - a 401 is answered with one new token grant for that call; a second 401 is a credentials failure;
 * - 429 and the IP block are not retried here: the whole account holds (request-budget.ts), and the jobs
 *   that call Datto RMM wait; the connector's Autotask work does not.
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { z } from 'zod';
import { JsonApiClient, JsonApiSession, type JsonApiCall, type JsonApiClientOptions } from '../http/json-api-session';
import { RemoteRateLimitedError, type RemoteError } from '../http/remote-errors';
import type { HttpResponse } from '../http/transport';
import type { RmmAccount, RmmReconciliation, RmmSession, RmmStatusChange } from '../rmm/session';
import type { AutotaskTicketRef, RmmSite, RmmTicket } from '../rmm/types';
import { AccessTokens } from './access-tokens';
import { alertToTicket, DATTO_STATUSES } from './alert-to-ticket';
import {
  dattoAccountSchema,
  dattoAlertSchema,
  dattoAlertsPageSchema,
  dattoSitesPageSchema,
  dattoTokenAnswerSchema,
  type DattoAlert,
  type DattoSite,
  type DattoTokenAnswer,
} from './answers';
import { classifyDattoResponse, classifyDattoTokenResponse } from './classify';
import { DEFAULT_REQUESTS_PER_MINUTE, RequestBudget, type RequestBudgetOptions } from './request-budget';

export interface DattoRmmCredentials {
  /** The platform's API host, e.g. https://merlot-api.centrastage.net (the API lives below `/api`, the token endpoint below `/auth`). */
  apiUrl: string;
  apiKey: string;
  apiSecret: string;
  /** This connector's share of the account's 600 requests a minute (1–600; default 300). */
  requestsPerMinute?: number;
}

export interface DattoRmmClientOptions extends JsonApiClientOptions, Omit<RequestBudgetOptions, 'slotTtlMs'> {
  /** Redis shared by the install's processes: the request budget lives there. */
  redis: Redis;
}

/** The largest page Datto serves for sites (facts §1.4). */
export const SITE_PAGE_SIZE = 250;
/** The alert lists' cap is undocumented; 100 is what every measured source got. */
export const ALERT_PAGE_SIZE = 100;
/** A paging loop stops here whatever `nextPageUrl` says: far beyond any real account. */
export const MAX_PAGES = 1_000;

/** Datto's fixed, public OAuth client (facts §1.2): every API user's token request names it; it is no secret. */
const PUBLIC_CLIENT = `Basic ${Buffer.from('public-client:public').toString('base64')}`;
/** The pseudo-site that holds devices removed from their site (facts §2.3): never an Autotask company's. */
const DELETED_DEVICES = 'deleted devices';
/** Tokens a session remembers for redaction: the current one and the few before it. */
const REMEMBERED_TOKENS = 4;

interface DattoCall extends JsonApiCall {
  /** An alert resolve: it also counts against the account's resolves a minute. */
  resolve?: boolean;
}

export class DattoRmmClient extends JsonApiClient {
  private readonly budget: RequestBudget;
  private readonly tokens = new AccessTokens();

  constructor(options: DattoRmmClientOptions) {
    const { redis, prefix, inlineWaitMs, resolvesPerMinute, requestsInFlight, ...http } = options;
    super(http);
    // A slot covers a token grant and the call, each up to the timeout.
    const slotTtlMs = 2 * this.settings.timeoutMs + 5_000;
    this.budget = new RequestBudget(redis, { prefix, inlineWaitMs, resolvesPerMinute, requestsInFlight, slotTtlMs });
  }

  session(connectorId: string, credentials: DattoRmmCredentials): DattoRmmSession {
    return new DattoRmmSession(this, connectorId, credentials, { budget: this.budget, tokens: this.tokens });
  }
}

export class DattoRmmSession extends JsonApiSession<DattoCall> implements RmmSession {
  /** Names the account in the shared budget: Datto's limits hold per account, whichever connector calls. */
  private readonly account: string;
  /** Names the token: a token proves key and secret, so a connector with a wrong secret never borrows another's. */
  private readonly tokenKey: string;
  private readonly requestsPerMinute: number;
  private readonly tokensUsed = new Set<string>();

  constructor(
    client: DattoRmmClient,
    connectorId: string,
    private readonly credentials: DattoRmmCredentials,
    private readonly shared: { budget: RequestBudget; tokens: AccessTokens },
  ) {
    super(client, connectorId, { system: 'datto-rmm', product: 'Datto RMM' }, credentials.apiUrl);
    this.requestsPerMinute = requestsPerMinute(credentials.requestsPerMinute);
    this.account = digest(this.baseUrl, credentials.apiKey);
    this.tokenKey = digest(this.baseUrl, credentials.apiKey, credentials.apiSecret);
  }

  async getAccount(): Promise<RmmAccount> {
    const response = await this.perform({ method: 'GET', path: '/api/v2/account', route: '/api/v2/account' });
    const account = this.read(dattoAccountSchema, response, 'GET /api/v2/account');
    return { id: account.uid, name: account.name };
  }

  async listSites(): Promise<RmmSite[]> {
    const sites: RmmSite[] = [];
    const pages = this.pages(`/api/v2/account/sites?page=0&max=${SITE_PAGE_SIZE}`, '/api/v2/account/sites', dattoSitesPageSchema, (page) => page.sites);
    for await (const page of pages) {
      for (const site of page) if (site.name.trim().toLowerCase() !== DELETED_DEVICES) sites.push(siteOf(site));
    }
    return sites;
  }

  async listStatuses(): Promise<string[]> {
    return [...DATTO_STATUSES];
  }

  async getTicket(alertUid: string): Promise<RmmTicket | null> {
    const path = alertPath(alertUid);
    const response = await this.perform({ method: 'GET', path, route: '/api/v2/alert/{alertUid}', answers: [404] });
    return response.status === 404 ? null : this.ticket(this.read(dattoAlertSchema, response, `GET ${path}`));
  }

  reconciliation(): RmmReconciliation {
    return { mode: 'open-list', openStatuses: ['Open'], openTickets: () => this.openTickets() };
  }

  /** Datto RMM alerts can be resolved, never re-opened; nothing is sent when the alert has the status already. */
  async applyStatus(alertUid: string, status: string, _autotask: AutotaskTicketRef, current?: RmmTicket): Promise<RmmStatusChange> {
    const wanted = DATTO_STATUSES.find((known) => known.toLowerCase() === status.trim().toLowerCase());
    if (!wanted) return 'not-supported';
    const resolved = current ? current.status === 'Resolved' : (await this.knownAlert(alertUid)).resolved;
    if (wanted === 'Open') return resolved ? 'not-supported' : 'unchanged';
    if (resolved) return 'unchanged';
    const path = `${alertPath(alertUid)}/resolve`;
    await this.perform({ method: 'POST', path, route: '/api/v2/alert/{alertUid}/resolve', resolve: true });
    return 'changed';
  }

  protected async attempt(call: DattoCall): Promise<HttpResponse> {
    const first = await this.send(call);
    if (first.response.status !== 401) return this.verdict(call, first.response);
    // The token expired early or was revoked: one new grant for this call; a second 401 means the credentials no longer work.
    const second = await this.send(call, first.token);
    return this.verdict(call, second.response);
  }

  protected classify(response: HttpResponse, call: string): RemoteError | null {
    return classifyDattoResponse(response, { call, secrets: this.secrets() });
  }

  protected secrets(): string[] {
    return [this.credentials.apiKey, this.credentials.apiSecret, ...this.tokensUsed];
  }

  /** The alert, which must exist: a 404 is a RemoteNotFoundError. */
  private async knownAlert(alertUid: string): Promise<DattoAlert> {
    const path = alertPath(alertUid);
    const response = await this.perform({ method: 'GET', path, route: '/api/v2/alert/{alertUid}' });
    return this.read(dattoAlertSchema, response, `GET ${path}`);
  }

  private async *openTickets(): AsyncGenerator<RmmTicket[]> {
    const path = `/api/v2/account/alerts/open?page=0&max=${ALERT_PAGE_SIZE}`;
    for await (const alerts of this.pages(path, '/api/v2/account/alerts/open', dattoAlertsPageSchema, (page) => page.alerts)) {
      yield alerts.map((alert) => this.ticket(alert));
    }
  }

  private ticket(alert: DattoAlert): RmmTicket {
    return alertToTicket(alert, { apiUrl: this.baseUrl });
  }

  /** One request: room in the account's budget, a token, the exchange. */
  private async send(call: DattoCall, refusedToken?: string): Promise<{ response: HttpResponse; token: string }> {
    const admission = await this.shared.budget.admit(this.account, { resolve: call.resolve === true, requestsPerMinute: this.requestsPerMinute });
    try {
      const token = await this.shared.tokens.token(this.tokenKey, () => this.grant(), refusedToken);
      this.remember(token);
      return { response: await this.exchange(call, { Authorization: `Bearer ${token}` }), token };
    } finally {
      admission.release();
    }
  }

  private async grant(): Promise<DattoTokenAnswer> {
    const call: DattoCall = {
      method: 'POST',
      path: '/auth/oauth/token',
      route: '/auth/oauth/token',
      form: { grant_type: 'password', username: this.credentials.apiKey, password: this.credentials.apiSecret },
    };
    const response = await this.exchange(call, { Authorization: PUBLIC_CLIENT });
    const failure = classifyDattoTokenResponse(response);
    if (failure) return this.fail(call, failure);
    return this.read(dattoTokenAnswerSchema, response, 'POST /auth/oauth/token');
  }

  /** The answer judged; a refusal for the rate holds the whole account before it is thrown. */
  private async verdict(call: DattoCall, response: HttpResponse): Promise<HttpResponse> {
    try {
      return this.judge(call, response);
    } catch (error) {
      if (error instanceof RemoteRateLimitedError) return this.fail(call, error);
      throw error;
    }
  }

  private async fail(call: DattoCall, failure: RemoteError): Promise<never> {
    if (failure instanceof RemoteRateLimitedError) await this.shared.budget.refused(this.account, { resolve: call.resolve === true }, failure.retryAfterMs);
    throw failure;
  }

  /** Follows `nextPageUrl` from page 0 until it is null or empty. */
  private async *pages<P extends { pageDetails: { nextPageUrl?: string | null } }, T>(
    firstPath: string,
    route: string,
    schema: z.ZodType<P>,
    items: (page: P) => T[],
  ): AsyncGenerator<T[]> {
    const visited = new Set<string>();
    let path = firstPath;
    for (let fetched = 1; ; fetched += 1) {
      visited.add(path);
      const call = `GET ${path}`;
      const response = await this.perform({ method: 'GET', path, route });
      const page = this.read(schema, response, call);
      const found = items(page);
      if (found.length > 0) yield found;
      const next = page.pageDetails.nextPageUrl;
      if (!next || found.length === 0) return;
      if (fetched >= MAX_PAGES) throw this.unexpected(`Datto RMM kept paging ${route} past ${MAX_PAGES} pages`, response.status);
      path = this.pathBelowApi(next, call, response.status);
      if (visited.has(path)) throw this.unexpected(`Datto RMM answered ${call} with a next page it had already served`, response.status);
    }
  }

  /** A `nextPageUrl` as a path below the API URL; a link anywhere else is not followed, because the token would go with it. */
  private pathBelowApi(link: string, call: string, status: number): string {
    const api = new URL(this.baseUrl);
    const apiPath = api.pathname.replace(/\/+$/, '');
    let next: URL;
    try {
      next = new URL(link, `${this.baseUrl}/`);
    } catch {
      throw this.unexpected(`Datto RMM answered ${call} with a next page that is not a URL`, status);
    }
    if (next.origin !== api.origin || !next.pathname.startsWith(`${apiPath}/`)) {
      throw this.unexpected(`Datto RMM answered ${call} with a next page outside ${api.origin}${apiPath} (${next.origin}): not followed, so the access token stays with Datto RMM`, status);
    }
    return `${next.pathname.slice(apiPath.length)}${next.search}`;
  }

  private remember(token: string): void {
    this.tokensUsed.delete(token);
    this.tokensUsed.add(token);
    if (this.tokensUsed.size > REMEMBERED_TOKENS) this.tokensUsed.delete(this.tokensUsed.values().next().value!);
  }
}

function requestsPerMinute(value: number | undefined): number {
  if (value === undefined) return DEFAULT_REQUESTS_PER_MINUTE;
  if (!Number.isInteger(value) || value < 1 || value > 600) throw new RangeError('requestsPerMinute must be an integer from 1 to 600');
  return value;
}

function digest(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\n')).digest('hex').slice(0, 32);
}

function alertPath(alertUid: string): string {
  if (typeof alertUid !== 'string' || alertUid.length === 0 || alertUid.length > 100) throw new RangeError('not a Datto RMM alert uid');
  return `/api/v2/alert/${encodeURIComponent(alertUid)}`;
}

/** Datto sends `autotaskCompanyId` as a string ("174"), or null where the site has no association. */
function autotaskCompanyId(value: string | number | null | undefined): number | null {
  const text = typeof value === 'number' ? String(value) : (value ?? '').trim();
  if (!/^\d+$/.test(text)) return null;
  const id = Number(text);
  return Number.isSafeInteger(id) && id > 0 ? id : null;
}

function siteOf(site: DattoSite): RmmSite {
  return { id: site.uid, name: site.name, description: site.description ?? null, autotaskCompanyId: autotaskCompanyId(site.autotaskCompanyId) };
}
