/** Wire shapes of the Autotask REST API (ATServicesRest V1.0) that the connector uses. */

export interface AutotaskCredentials {
  username: string;
  secret: string;
  integrationCode: string;
  /** Zone REST root (e.g. https://webservices14.autotask.net/ATServicesRest/); skips discovery when set. */
  zoneUrl?: string | null;
  impersonationResourceId?: number | null;
}

/** The Ticket fields the connector writes. Names are exactly the API's (TicketModel). */
export interface AutotaskTicketFields {
  companyID: number;
  title: string;
  description?: string;
  status: number;
  priority: number;
  queueID?: number;
  billingCodeID?: number;
  externalID?: string;
}

export interface AutotaskTicket extends Partial<AutotaskTicketFields> {
  id: number;
  ticketNumber?: string;
  lastActivityDate?: string | null;
  [field: string]: unknown;
}

/**
 * A ticket note as the connector writes it (TicketNoteModel). Autotask refuses a description over
 * 32000 or a title over 250 characters; noteType and publish are the tenant's picklist ids.
 */
export interface AutotaskTicketNoteFields {
  title: string;
  description: string;
  noteType: number;
  publish: number;
}

export interface AutotaskTicketNoteSummary {
  id: number;
  title: string;
}

/** QueryModel filter; `items` for and/or groups. */
export interface QueryFilter {
  op: string;
  field?: string;
  value?: unknown;
  udf?: boolean;
  items?: QueryFilter[];
}

export interface PicklistValue {
  value: string;
  label: string;
  isDefaultValue: boolean;
  sortOrder: number;
  parentValue: string;
  isActive: boolean;
  isSystem: boolean;
}

export interface FieldInformation {
  name: string;
  dataType: string;
  length: number;
  isRequired: boolean;
  isReadOnly: boolean;
  isQueryable: boolean;
  isReference: boolean;
  referenceEntityType: string;
  isPickList: boolean;
  picklistValues: PicklistValue[] | null;
  picklistParentValueField: string;
  isSupportedWebhookField: boolean;
}

/** `GET /V1.0/ThresholdInformation`: the database's hourly request budget and its use. */
export interface ThresholdInformation {
  externalRequestThreshold: number;
  requestThresholdTimeframe: number;
  currentTimeframeRequestCount: number;
}

/** The fields a Company create needs (the official create example sends exactly these). */
export interface AutotaskCompanyFields {
  companyName: string;
  /** Companies.companyType picklist id (e.g. 1 Customer). */
  companyType: number;
  ownerResourceID: number;
  phone: string;
}

export interface AutotaskCompanySummary {
  id: number;
  companyName: string;
  isActive: boolean;
}

/** What a connector's Ticket webhook must look like; `ensureTicketWebhook` makes Autotask match it. */
export interface TicketWebhookSpec {
  name: string;
  webhookUrl: string;
  deactivationUrl: string;
  /** Signs deliveries (X-Hook-Signature); at most 64 characters. */
  secretKey: string;
  /** Ticket field names (`status`, `priority`, …) whose changes trigger an Update event. */
  subscribedFields: string[];
  /** Ticket field names sent in every payload without triggering it. */
  displayAlwaysFields?: string[];
  /** Resources whose changes must not trigger the webhook: at least our own API user, so our writes do not echo back. */
  excludedResourceIds: number[];
  /** undefined leaves Autotask's value alone; null clears it. */
  notificationEmailAddress?: string | null;
}

export interface TicketWebhookSetup {
  webhookId: number;
  created: boolean;
  fieldsAdded: number;
  /** Existing fields whose subscribed/display-always flags were corrected. */
  fieldsUpdated: number;
  exclusionsAdded: number;
}

/** What one connector can do against its Autotask database. */
export interface AutotaskSession {
  /** Requests this session has sent so far, retries included: what it cost of the hourly budget. */
  readonly requestCount: number;
  /** POST /Tickets → itemId. Never retried when the outcome is unknown (throws AutotaskOutcomeUnknownError). */
  createTicket(fields: AutotaskTicketFields): Promise<number>;
  /**
   * POST /Tickets/{ticketId}/Notes (notes are written only through their ticket) → itemId. Never
   * retried when the outcome is unknown (throws AutotaskOutcomeUnknownError): look the note up with
   * findTicketNotes first. A ticket that does not exist is AutotaskBusinessRuleError.
   */
  createTicketNote(ticketId: number, note: AutotaskTicketNoteFields): Promise<number>;
  /**
   * TicketNotes query on `ticketID eq` and `title beginsWith`, id and title only, every page: the
   * notes of that ticket whose title starts with the prefix exactly (Autotask compares ignoring case;
   * whether it escapes LIKE wildcards `%`, `_`, `[` is undocumented, so keep them out of the prefix).
   */
  findTicketNotes(ticketId: number, titleBeginsWith: string): Promise<AutotaskTicketNoteSummary[]>;
  /** PATCH /Tickets with `id` in the body (sparse update). */
  updateTicket(id: number, fields: Partial<AutotaskTicketFields>): Promise<void>;
  /** GET /Tickets/{id}; null when the ticket does not exist. */
  getTicket(id: number): Promise<AutotaskTicket | null>;
  /** POST /Tickets/query on `id in [...]` (500 per query), ticketNumber only: id → ticket number. */
  getTicketNumbers(ids: number[]): Promise<Map<number, string>>;
  /** POST /Tickets/query on externalID eq; the lowest-id match, or null. */
  findTicketByExternalId(externalId: string): Promise<AutotaskTicket | null>;
  /** id-cursor paging over POST /{entity}/query (id gt lastId, MaxRecords pageSize). */
  queryAll<T extends { id: number }>(
    entity: string,
    filter: QueryFilter[],
    options?: { includeFields?: string[]; pageSize?: number },
  ): AsyncGenerator<T[]>;
  /** GET /{entity}/entityInformation/fields */
  getFieldInformation(entity: string): Promise<FieldInformation[]>;
  /** The zone REST root this session talks to (discovered and cached, or configured). */
  zoneRoot(): Promise<string>;
  /** One cheap authenticated call that also reports how much of the hourly budget is used. */
  getThresholdInformation(): Promise<ThresholdInformation>;
  /** Resources query on `userName eq`; the resource (active ones first), or null. */
  findResourceByUserName(userName: string): Promise<{ id: number } | null>;
  /** Companies query on `companyName eq` (Autotask compares case-insensitively); every match, by id. */
  findCompaniesByName(name: string): Promise<AutotaskCompanySummary[]>;
  /** POST /Companies → itemId. Never retried when the outcome is unknown (throws AutotaskOutcomeUnknownError). */
  createCompany(fields: AutotaskCompanyFields): Promise<number>;
  /**
   * Finds the Ticket webhook for `spec.webhookUrl` or creates it, makes its settings match, then
   * adds missing excluded resources and fields. One request at a time (webhook setup in parallel
   * trips Autotask's thread limit); running it again changes nothing.
   */
  ensureTicketWebhook(spec: TicketWebhookSpec): Promise<TicketWebhookSetup>;
}
