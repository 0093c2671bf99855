/**
 * The Autotask REST client: one per process, one session per connector.
 *
 * Retry policy, decided once per failure (classify.ts):
 * - reads (GET, query POSTs) and PATCH updates are idempotent: AutotaskUnavailableError is retried
 *   here with backoff (p-retry);
 * - a create (POST) is never repeated: once the request may have reached Autotask, a timeout or a
 *   5xx without `errors` is AutotaskOutcomeUnknownError — the caller looks the ticket up by externalID
 *   (a company by name, a ticket note by its title; webhook setup is simply run again);
 * - rate limits are not retried here: the job layer waits `retryAfterMs`;
 * - business rules and auth failures are permanent.
 */
import type { AxiosInstance } from 'axios';
import pRetry from 'p-retry';
import { classifyResponse, type AutotaskHttpResponse } from './classify';
import { autotaskDatabase } from './budget';
import { EndpointLimiter } from './endpoint-limiter';
import type { EndpointSlots } from './shared-endpoint-slots';
import { AutotaskOutcomeUnknownError, AutotaskUnavailableError } from './errors';
import { redact } from '../http/redact';
import { createHttp, exchange, TransportFailure, type HttpRequest } from '../http/transport';
import type {
  AutotaskCompanyFields,
  AutotaskCompanySummary,
  AutotaskCredentials,
  AutotaskSession,
  AutotaskTicket,
  AutotaskTicketFields,
  AutotaskTicketNoteFields,
  AutotaskTicketNoteSummary,
  FieldInformation,
  QueryFilter,
  ThresholdInformation,
  TicketWebhookSetup,
  TicketWebhookSpec,
} from './types';
import { ensureTicketWebhook, type WebhookSetupCalls } from './webhook-setup';
import { DEFAULT_ZONE_TTL_MS, restRoot, ZoneDirectory } from './zone';

export interface AutotaskCallInfo {
  connectorId: string;
  method: string;
  /** Entity endpoint (`Tickets`), or `ZoneInformation` for discovery. */
  entity: string;
  /** HTTP status; 0 when no answer arrived (network error, timeout). */
  status: number;
  durationMs: number;
  /** The database whose hourly budget the call spent (see budget.ts); null for zone discovery, which is exempt. */
  database: string | null;
}

export interface AutotaskClientOptions {
  /** e.g. https://webservices.autotask.net/atservicesrest/v1.0/zoneInformation */
  zoneLookupUrl: string;
  timeoutMs?: number;
  /** Autotask's thread limit per (integration code + endpoint) is 3. */
  maxConcurrentPerEndpoint?: number;
  /** Slots shared with the other processes of the install, on top of this process's own limit. */
  sharedSlots?: EndpointSlots;
  /** Retries of idempotent calls after AutotaskUnavailableError. */
  retries?: number;
  minRetryDelayMs?: number;
  maxRetryDelayMs?: number;
  zoneCacheTtlMs?: number;
  /** Called after every HTTP exchange; the composition root logs or measures here. */
  onCall?: (info: AutotaskCallInfo) => void;
}

export const MAX_PAGE_SIZE = 500;
const ENTITY_NAME = /^[A-Za-z]+$/;

type CallKind = 'read' | 'update' | 'create';

interface Call {
  method: HttpRequest['method'];
  /** What the call reads or writes, as reported to onCall (`TicketNotes`). */
  entity: string;
  /** The endpoint whose thread limit the call takes, when it is not `entity`'s own (a parent's child path). */
  endpoint?: string;
  /** Below `{zone}/V1.0/`. */
  path: string;
  body?: unknown;
  kind: CallKind;
  /** GET /{id}: a 404 means "no such record", not a failure. */
  notFoundIsNull?: boolean;
  /** For creates: what is created, and how to find out whether an unknown outcome committed. */
  creates?: CreateOutcome;
}

interface CreateOutcome {
  noun: string;
  advice: string;
}

const TICKET_CREATE: CreateOutcome = { noun: 'Ticket', advice: 'Look the ticket up by externalID before creating it again.' };
const TICKET_NOTE_CREATE: CreateOutcome = {
  noun: 'Ticket note',
  advice: 'Look the note up by its title (findTicketNotes) before creating it again.',
};
const COMPANY_CREATE: CreateOutcome = { noun: 'Company', advice: 'Look the company up by name before creating it again.' };
const WEBHOOK_SETUP_CREATE: CreateOutcome = {
  noun: 'Webhook setup',
  advice: 'Run the webhook setup again: it finds what was created and adds only what is missing.',
};

/** `{"itemId": n}` (a number or a numeric string: Swagger types it as Object). */
function itemIdOf(response: AutotaskHttpResponse, creates: CreateOutcome): number {
  const itemId = (response.data as { itemId?: unknown } | null)?.itemId;
  const id = typeof itemId === 'string' && /^\d+$/.test(itemId) ? Number(itemId) : itemId;
  if (typeof id !== 'number' || !Number.isInteger(id) || id <= 0) {
    throw new AutotaskOutcomeUnknownError(`Autotask accepted the ${creates.noun.toLowerCase()} create but answered without a usable itemId`, response.status);
  }
  return id;
}

export class AutotaskClient {
  readonly timeoutMs: number;
  private readonly http: AxiosInstance;
  private readonly limiter: EndpointLimiter;
  private readonly zones: ZoneDirectory;
  private readonly options: Required<Omit<AutotaskClientOptions, 'onCall' | 'sharedSlots'>> &
    Pick<AutotaskClientOptions, 'onCall' | 'sharedSlots'>;

  constructor(options: AutotaskClientOptions) {
    this.options = {
      timeoutMs: 30_000,
      maxConcurrentPerEndpoint: 3,
      retries: 3,
      minRetryDelayMs: 1_000,
      maxRetryDelayMs: 15_000,
      zoneCacheTtlMs: DEFAULT_ZONE_TTL_MS,
      ...options,
    };
    this.timeoutMs = this.options.timeoutMs;
    this.http = createHttp();
    this.limiter = new EndpointLimiter(this.options.maxConcurrentPerEndpoint);
    this.zones = new ZoneDirectory({
      lookupUrl: this.options.zoneLookupUrl,
      ttlMs: this.options.zoneCacheTtlMs,
      fetch: (url, connectorId) => this.lookUpZone(url, connectorId),
    });
  }

  session(connectorId: string, credentials: AutotaskCredentials): AutotaskSession {
    return new ConnectorSession(this, connectorId, credentials);
  }

  /** @internal one HTTP exchange, measured and reported. */
  async send(connectorId: string, entity: string, request: HttpRequest, database: string | null = null): Promise<AutotaskHttpResponse> {
    const started = Date.now();
    let status = 0;
    try {
      const response = await exchange(this.http, request);
      status = response.status;
      return response;
    } finally {
      this.report({ connectorId, method: request.method, entity, status, durationMs: Date.now() - started, database });
    }
  }

  /** @internal */
  get settings(): AutotaskClient['options'] {
    return this.options;
  }

  /**
   * @internal Runs one request within the endpoint's limit: this process's own lanes first (FIFO,
   * no polling), then a slot shared with the other replicas when the install has several.
   */
  async withinEndpointLimit<T>(key: string, task: () => Promise<T>): Promise<T> {
    const shared = this.options.sharedSlots;
    return this.limiter.run(key, () => (shared ? shared.run(key, task) : task()));
  }

  /** @internal */
  get zoneDirectory(): ZoneDirectory {
    return this.zones;
  }

  private async lookUpZone(url: string, connectorId: string): Promise<AutotaskHttpResponse> {
    try {
      return await this.send(connectorId, 'ZoneInformation', { method: 'GET', url, headers: { Accept: 'application/json' }, timeoutMs: this.options.timeoutMs });
    } catch (error) {
      if (error instanceof TransportFailure) throw new AutotaskUnavailableError(`Autotask zone discovery failed: ${error.message}`);
      throw error;
    }
  }

  private report(info: AutotaskCallInfo): void {
    try {
      this.options.onCall?.(info);
    } catch {
      // An observer must not change the outcome of a call.
    }
  }
}

class ConnectorSession implements AutotaskSession {
  private readonly zoneKey: string;
  private requests = 0;

  /** Requests this session sent to the database's endpoints (zone discovery is not counted: it is exempt). */
  get requestCount(): number {
    return this.requests;
  }

  constructor(
    private readonly client: AutotaskClient,
    private readonly connectorId: string,
    private readonly credentials: AutotaskCredentials,
  ) {
    this.zoneKey = `${connectorId}\u0000${credentials.username.toLowerCase()}`;
  }

  async createTicket(fields: AutotaskTicketFields): Promise<number> {
    const response = await this.perform({ method: 'POST', entity: 'Tickets', path: 'Tickets', body: fields, kind: 'create', creates: TICKET_CREATE });
    return itemIdOf(response, TICKET_CREATE);
  }

  async createTicketNote(ticketId: number, note: AutotaskTicketNoteFields): Promise<number> {
    if (!Number.isInteger(ticketId) || ticketId <= 0) throw new RangeError(`not a ticket id: ${ticketId}`);
    const response = await this.perform({
      method: 'POST',
      entity: 'TicketNotes',
      // Autotask documents thread limits per "object endpoint" without saying how a child path
      // counts; the endpoint is the path's first segment (as n8n's thread tracker reads it, and the
      // simulator enforces), so a note written through its ticket shares the Tickets endpoint's 3 threads.
      endpoint: 'Tickets',
      path: `Tickets/${ticketId}/Notes`,
      body: { ...note, ticketID: ticketId },
      kind: 'create',
      creates: TICKET_NOTE_CREATE,
    });
    return itemIdOf(response, TICKET_NOTE_CREATE);
  }

  async findTicketNotes(ticketId: number, titleBeginsWith: string): Promise<AutotaskTicketNoteSummary[]> {
    if (!Number.isInteger(ticketId) || ticketId <= 0) throw new RangeError(`not a ticket id: ${ticketId}`);
    if (titleBeginsWith === '') throw new RangeError('an empty title prefix would match every titled note');
    const found: AutotaskTicketNoteSummary[] = [];
    const pages = this.queryAll<{ id: number; title?: unknown }>(
      'TicketNotes',
      [{ op: 'eq', field: 'ticketID', value: ticketId }, { op: 'beginsWith', field: 'title', value: titleBeginsWith }],
      { includeFields: ['title'] },
    );
    for await (const page of pages) {
      for (const note of page) {
        // Autotask's beginsWith ignores case; only the exact prefix is the caller's marker.
        if (typeof note.title === 'string' && note.title.startsWith(titleBeginsWith)) found.push({ id: note.id, title: note.title });
      }
    }
    return found;
  }

  async createCompany(fields: AutotaskCompanyFields): Promise<number> {
    const response = await this.perform({ method: 'POST', entity: 'Companies', path: 'Companies', body: fields, kind: 'create', creates: COMPANY_CREATE });
    return itemIdOf(response, COMPANY_CREATE);
  }

  async findResourceByUserName(userName: string): Promise<{ id: number } | null> {
    const items = await this.queryPage<{ id: number; userName?: unknown; isActive?: unknown }>('Resources', {
      MaxRecords: MAX_PAGE_SIZE,
      IncludeFields: ['id', 'userName', 'isActive'],
      Filter: [{ op: 'eq', field: 'userName', value: userName }],
    });
    const wanted = userName.toLowerCase();
    const matches = items
      .filter((resource) => typeof resource.userName === 'string' && resource.userName.toLowerCase() === wanted)
      .sort((a, b) => Number(b.isActive === true) - Number(a.isActive === true) || a.id - b.id);
    const found = matches[0];
    return found ? { id: found.id } : null;
  }

  async findCompaniesByName(name: string): Promise<AutotaskCompanySummary[]> {
    const wanted = name.trimEnd().toLowerCase();
    const result: AutotaskCompanySummary[] = [];
    const pages = this.queryAll<{ id: number; companyName?: unknown; isActive?: unknown }>(
      'Companies',
      [{ op: 'eq', field: 'companyName', value: name }],
      { includeFields: ['companyName', 'isActive'] },
    );
    for await (const page of pages) {
      for (const company of page) {
        // SQL Server's = ignores case and trailing blanks; anything else Autotask returned is not this name.
        if (typeof company.companyName !== 'string' || company.companyName.trimEnd().toLowerCase() !== wanted) continue;
        result.push({ id: company.id, companyName: company.companyName, isActive: company.isActive === true });
      }
    }
    return result;
  }

  ensureTicketWebhook(spec: TicketWebhookSpec): Promise<TicketWebhookSetup> {
    return ensureTicketWebhook(this.webhookSetupCalls(), spec);
  }

  async updateTicket(id: number, fields: Partial<AutotaskTicketFields>): Promise<void> {
    // Updates go to the collection with `id` in the body; PATCH /Tickets/{id} is 405.
    await this.perform({ method: 'PATCH', entity: 'Tickets', path: 'Tickets', body: { ...fields, id }, kind: 'update' });
  }

  async getTicket(id: number): Promise<AutotaskTicket | null> {
    if (!Number.isInteger(id) || id <= 0) throw new RangeError(`not a ticket id: ${id}`);
    const response = await this.perform({ method: 'GET', entity: 'Tickets', path: `Tickets/${id}`, kind: 'read', notFoundIsNull: true });
    if (response.status === 404) return null;
    const item = (response.data as { item?: unknown } | null)?.item;
    return item && typeof item === 'object' ? (item as AutotaskTicket) : null;
  }

  async getTicketNumbers(ids: number[]): Promise<Map<number, string>> {
    const numbers = new Map<number, string>();
    const unique = [...new Set(ids)];
    for (let start = 0; start < unique.length; start += MAX_PAGE_SIZE) {
      const chunk = unique.slice(start, start + MAX_PAGE_SIZE);
      const items = await this.queryPage<{ id: number; ticketNumber?: unknown }>('Tickets', {
        MaxRecords: MAX_PAGE_SIZE,
        IncludeFields: ['id', 'ticketNumber'],
        Filter: [{ op: 'in', field: 'id', value: chunk }],
      });
      for (const item of items) if (typeof item.ticketNumber === 'string') numbers.set(item.id, item.ticketNumber);
    }
    return numbers;
  }

  async findTicketByExternalId(externalId: string): Promise<AutotaskTicket | null> {
    const items = await this.queryPage<AutotaskTicket>('Tickets', {
      MaxRecords: MAX_PAGE_SIZE,
      Filter: [{ op: 'eq', field: 'externalID', value: externalId }],
    });
    // Autotask compares strings case-insensitively; only an exact match is the same PCSM ticket.
    const exact = items.filter((ticket) => ticket.externalID === externalId).sort((a, b) => a.id - b.id);
    return exact[0] ?? null;
  }

  async *queryAll<T extends { id: number }>(
    entity: string,
    filter: QueryFilter[],
    options: { includeFields?: string[]; pageSize?: number } = {},
  ): AsyncGenerator<T[]> {
    const pageSize = options.pageSize ?? MAX_PAGE_SIZE;
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
      throw new RangeError(`pageSize must be between 1 and ${MAX_PAGE_SIZE}`);
    }
    const includeFields = options.includeFields && options.includeFields.length > 0
      ? options.includeFields.some((field) => field.toLowerCase() === 'id') ? options.includeFields : ['id', ...options.includeFields]
      : undefined;
    // The id cursor is what Autotask's docs recommend over nextPageUrl (Autotask help, advanced query features).
    // Start below 0: a tenant's own company has id 0.
    let lastId = -1;
    for (;;) {
      const items = await this.queryPage<T>(entity, {
        MaxRecords: pageSize,
        ...(includeFields ? { IncludeFields: includeFields } : {}),
        Filter: [{ op: 'gt', field: 'id', value: lastId }, ...filter],
      });
      if (items.length === 0) return;
      const sorted = [...items].sort((a, b) => a.id - b.id);
      const highest = sorted[sorted.length - 1]?.id ?? lastId;
      if (!(highest > lastId)) throw new AutotaskUnavailableError(`Autotask ${entity} query did not advance past id ${lastId}`);
      lastId = highest;
      yield sorted;
      if (items.length < pageSize) return;
    }
  }

  async getFieldInformation(entity: string): Promise<FieldInformation[]> {
    const response = await this.perform({ method: 'GET', entity: checkedEntity(entity), path: `${entity}/entityInformation/fields`, kind: 'read' });
    const fields = (response.data as { fields?: unknown } | null)?.fields;
    return Array.isArray(fields) ? (fields as FieldInformation[]) : [];
  }

  async zoneRoot(): Promise<string> {
    return (await this.zone()).root;
  }

  async getThresholdInformation(): Promise<ThresholdInformation> {
    const response = await this.perform({ method: 'GET', entity: 'ThresholdInformation', path: 'ThresholdInformation', kind: 'read' });
    const data = (response.data ?? {}) as Partial<ThresholdInformation>;
    return {
      externalRequestThreshold: Number(data.externalRequestThreshold ?? 0),
      requestThresholdTimeframe: Number(data.requestThresholdTimeframe ?? 0),
      currentTimeframeRequestCount: Number(data.currentTimeframeRequestCount ?? 0),
    };
  }

  private webhookSetupCalls(): WebhookSetupCalls {
    return {
      getFieldInformation: (entity) => this.getFieldInformation(entity),
      query: (entity, filter) => this.queryPage<Record<string, unknown>>(entity, { MaxRecords: MAX_PAGE_SIZE, Filter: filter }),
      list: async (entity, path) => {
        const response = await this.perform({ method: 'GET', entity: checkedEntity(entity), path, kind: 'read' });
        const items = (response.data as { items?: unknown } | null)?.items;
        return Array.isArray(items) ? (items as Array<Record<string, unknown>>) : [];
      },
      create: async (entity, path, body) => {
        const response = await this.perform({ method: 'POST', entity: checkedEntity(entity), path, body, kind: 'create', creates: WEBHOOK_SETUP_CREATE });
        return itemIdOf(response, WEBHOOK_SETUP_CREATE);
      },
      update: async (entity, path, body) => {
        await this.perform({ method: 'PATCH', entity: checkedEntity(entity), path, body, kind: 'update' });
      },
    };
  }

  private async queryPage<T>(entity: string, query: Record<string, unknown>): Promise<T[]> {
    const response = await this.perform({ method: 'POST', entity: checkedEntity(entity), path: `${entity}/query`, body: query, kind: 'read' });
    const items = (response.data as { items?: unknown } | null)?.items;
    return Array.isArray(items) ? (items as T[]) : [];
  }

  private perform(call: Call): Promise<AutotaskHttpResponse> {
    if (call.kind === 'create') return this.attempt(call);
    const { retries, minRetryDelayMs, maxRetryDelayMs } = this.client.settings;
    return pRetry(() => this.attempt(call), {
      retries,
      minTimeout: minRetryDelayMs,
      maxTimeout: Math.max(minRetryDelayMs, maxRetryDelayMs),
      factor: 2,
      randomize: true,
      shouldRetry: ({ error }) => error instanceof AutotaskUnavailableError,
    });
  }

  /** One try: zone, endpoint slot, exchange, classification; a 401 re-discovers the zone once. */
  private async attempt(call: Call): Promise<AutotaskHttpResponse> {
    let rediscovered = false;
    for (;;) {
      const { root, discovered } = await this.zone();
      const endpoint = (call.endpoint ?? call.entity).toLowerCase();
      const response = await this.client.withinEndpointLimit(`${this.connectorId}.${endpoint}`, () => this.exchange(call, root));
      if (response.status === 401 && discovered && !rediscovered) {
        // django-autotask: a 401 may mean the database moved to another zone.
        rediscovered = true;
        this.client.zoneDirectory.invalidate(this.zoneKey);
        continue;
      }
      if (call.notFoundIsNull && response.status === 404) return response;
      const failure = classifyResponse(response, { secrets: this.secrets() });
      if (!failure) return response;
      if (call.kind === 'create' && failure instanceof AutotaskUnavailableError) {
        const creates = call.creates ?? TICKET_CREATE;
        throw new AutotaskOutcomeUnknownError(`${creates.noun} create outcome unknown: ${failure.message}. ${creates.advice}`, response.status);
      }
      throw failure;
    }
  }

  private async exchange(call: Call, root: string): Promise<AutotaskHttpResponse> {
    this.requests += 1;
    try {
      return await this.client.send(this.connectorId, call.entity, {
        method: call.method,
        url: `${root}/V1.0/${call.path}`,
        headers: this.headers(call),
        body: call.body,
        timeoutMs: this.client.timeoutMs,
      }, autotaskDatabase(this.credentials.username));
    } catch (error) {
      if (!(error instanceof TransportFailure)) throw error;
      const message = redact(`${call.method} ${call.entity}: ${error.message}`, this.secrets());
      if (call.kind === 'create' && error.requestSent) {
        const creates = call.creates ?? TICKET_CREATE;
        throw new AutotaskOutcomeUnknownError(`${creates.noun} create outcome unknown: ${message}. ${creates.advice}`, undefined, {
          cause: { code: error.code },
        });
      }
      throw new AutotaskUnavailableError(`Autotask unreachable: ${message}`, undefined, { cause: { code: error.code } });
    }
  }

  private async zone(): Promise<{ root: string; discovered: boolean }> {
    if (this.credentials.zoneUrl) return { root: restRoot(this.credentials.zoneUrl), discovered: false };
    return { root: await this.client.zoneDirectory.resolve(this.zoneKey, this.credentials.username, this.connectorId), discovered: true };
  }

  private headers(call: Call): Record<string, string> {
    const headers: Record<string, string> = {
      ApiIntegrationCode: this.credentials.integrationCode,
      UserName: this.credentials.username,
      Secret: this.credentials.secret,
      Accept: 'application/json',
    };
    if (call.body !== undefined) headers['Content-Type'] = 'application/json';
    const impersonate = this.credentials.impersonationResourceId;
    // django-autotask sends impersonation only on writes; reads need no acting resource.
    if ((call.kind === 'create' || call.kind === 'update') && impersonate !== null && impersonate !== undefined) {
      headers.ImpersonationResourceId = String(impersonate);
    }
    return headers;
  }

  private secrets(): string[] {
    return [this.credentials.secret, this.credentials.integrationCode];
  }
}

function checkedEntity(entity: string): string {
  if (!ENTITY_NAME.test(entity)) throw new RangeError(`not an Autotask entity name: ${entity}`);
  return entity;
}
