import { z } from 'zod';
import {
  connectorInputSchema,
  mappingsSchema,
  newProfilePolicySchema,
  REDACTED_SECRET,
  SECRET_FIELDS,
  type MappingProblem,
} from '../connector/configuration';
import { RMM_KINDS, rmmSeveritySchema } from '../rmm/types';
import type { AccountCheck } from '../setup/account-check';
import type { SetupView } from '../setup/setup';
import type { WebhookRegistration } from '../setup/webhook-registration';
import type { BudgetView } from './admin-connectors';
import type { TicketView } from './admin-tickets';

/**
 * The shapes of the api's answers (and of the requests no other module validates with zod). The
 * handlers build these, the OpenAPI document publishes them, and the tests check real answers
 * against them; `Matches` below keeps each one equal to the type its producer returns.
 */

/** Connector ids appear in URLs, job ids and queue keys: keep them plain. */
export const CONNECTOR_ID = /^[A-Za-z0-9_-]{1,64}$/;
export const connectorIdSchema = z.string().regex(CONNECTOR_ID).describe('1–64 of `A-Z a-z 0-9 _ -`');

const timestamp = z.iso.datetime();
const autotaskNumericId = z.int().positive();

// ---- problems --------------------------------------------------------------------------------

export const fieldErrorSchema = z.strictObject({ field: z.string(), message: z.string() });

export const mappingProblemSchema = z
  .strictObject({
    mapping: z.string().describe('the mapping, e.g. `statuses[3]`, or the system whose credentials are refused'),
    reason: z.string(),
  })
  .describe('A mapping that cannot be used as saved');

/** RFC 9457 problem details: what `problem()` in result.ts builds, the only way error text leaves the api. */
export const problemSchema = z
  .strictObject({
    type: z.string().describe('always `about:blank`: the status says what kind of problem it is'),
    title: z.string(),
    status: z.int().min(400).max(599),
    detail: z.string().optional(),
    errors: z
      .array(z.union([fieldErrorSchema, mappingProblemSchema]))
      .optional()
      .describe('`{field, message}` for each invalid field (400), `{mapping, reason}` for each refused mapping (422)'),
  })
  .describe('application/problem+json (RFC 9457)');

// ---- ingress: requests ------------------------------------------------------------------------

/** Autotask sends numbers as numbers or as strings; the connector reads both. */
const looseAutotaskId = z.union([autotaskNumericId, z.string().regex(/^\s*\d{1,15}\s*$/)]);

/**
 * An Autotask REST webhook delivery. The receiver reads keys and the Action case-insensitively
 * (Autotask's casing is not documented for every key) and only acts on Ticket Create/Update.
 */
export const autotaskWebhookDeliverySchema = z
  .union([
    z
      .looseObject({
        Action: z.enum(['Create', 'Update', 'Delete']),
        EntityType: z.string().min(1).describe('`Ticket`; other entities are acknowledged and ignored'),
        Id: looseAutotaskId.describe('the entity id'),
        Guid: z.string().optional().describe('the webhook’s GUID'),
        Fields: z.record(z.string(), z.unknown()).optional().describe('subscribed and display-always fields (hints only: the ticket is re-read)'),
        EventTime: z.string().optional(),
        SequenceNumber: z.union([z.int(), z.string()]).optional(),
        PersonID: z.union([z.int(), z.string()]).optional().describe('the resource who made the change'),
      })
      .describe('A Create, Update or Delete delivery'),
    z
      .looseObject({ Action: z.literal('Deactivated') })
      .describe('Autotask deactivated the webhook; counts only when signed, and is logged as an error'),
  ])
  .describe('Keys and the Action are read case-insensitively');

/** An Extension Callout's parameters (query string, form or JSON body): it only names the ticket. */
export const calloutParametersSchema = z
  .looseObject({
    ticketId: looseAutotaskId
      .optional()
      .describe('the Autotask ticket id; also read from `id` or `TicketID` (names in any casing)'),
  })
  .describe('Extension Callout parameters: a trigger only, the ticket is re-read through the REST API');

const httpUrl = z.url({ protocol: /^https?$/ });

/** Body of `POST /api/v1/account-check`: credentials that are not saved anywhere. */
export const accountCheckRequestSchema = z
  .strictObject({
    autotask: z.strictObject({
      username: z.string().min(1),
      secret: z.string().min(1),
      integrationCode: z.string().min(1),
      zoneUrl: httpUrl.nullable().optional(),
    }),
    rmm: z
      .discriminatedUnion('kind', [
        z.strictObject({ kind: z.literal('pcsm'), apiUrl: httpUrl, apiKey: z.string().min(1) }),
        z.strictObject({
          kind: z.literal('datto-rmm'),
          apiUrl: httpUrl.describe('the platform’s API host, e.g. https://merlot-api.centrastage.net'),
          apiKey: z.string().min(1),
          apiSecret: z.string().min(1),
          requestsPerMinute: z.int().min(1).max(600).optional(),
        }),
      ])
      .describe('the RMM’s credentials; `pcsm: { apiUrl, apiKey }` (the first form) is accepted too'),
  })
  .describe('Credentials to check; nothing is stored');

/** Body of `POST /api/v1/connectors/{id}/autotask-webhook`. */
export const webhookRegistrationRequestSchema = z.strictObject({
  publicUrl: httpUrl.describe('the base URL Autotask reaches this install at'),
});

/** Query of `GET /api/v1/connectors/{id}/tickets`. */
export const ticketListQuerySchema = z.object({
  state: z.enum(['failed', 'pending']).describe('`failed`: refused, waiting for a change; `pending`: a newer state not written yet'),
  limit: z.int().min(1).max(500).default(100).describe('page size'),
  cursor: z.string().optional().describe('the `cursor` of the previous page'),
});

// ---- ingress: answers -------------------------------------------------------------------------

export const pcsmEventAcceptedSchema = z.strictObject({
  accepted: z.literal(true),
  eventId: z.string(),
  jobId: z.string().nullable().describe('null when nothing is left to write (an older or already known state)'),
  kind: z.enum(['ticket', 'profile']),
  newest: z.boolean().describe('false for the same event again or an older state of the ticket: no second effect'),
});

export const dattoRmmWebhookAcceptedSchema = z.strictObject({
  accepted: z.literal(true),
  alertUid: z.string().describe('the alert the worker will read through the Datto RMM API'),
  jobId: z.string().describe('the same for repeated deliveries of one alert while its read waits'),
});

export const autotaskTriggerQueuedSchema = z.strictObject({
  accepted: z.literal(true),
  autotaskTicketId: autotaskNumericId,
  jobId: z.string(),
});

export const autotaskWebhookAcceptedSchema = z.union([
  autotaskTriggerQueuedSchema.describe('A Ticket Create/Update: the ticket will be re-read'),
  z.strictObject({ accepted: z.literal(true), ignored: z.string() }).describe('Another entity, or a Delete: acknowledged, nothing done'),
  z.strictObject({ accepted: z.literal(true), action: z.literal('Deactivated') }).describe('A signed deactivation notice'),
]);

export const acknowledgedSchema = z.strictObject({ accepted: z.literal(true) });

// ---- connectors -------------------------------------------------------------------------------

export const connectorStatusSchema = z.enum(['ok', 'needs-attention']);

/** Replaces the schema at `path` (below optional/nullable/default wrappers and unions) with the redaction marker. */
function redacted(schema: z.ZodType, path: readonly string[]): z.ZodType {
  if (schema instanceof z.ZodOptional) return redacted(schema.unwrap() as z.ZodType, path).optional();
  if (schema instanceof z.ZodNullable) return redacted(schema.unwrap() as z.ZodType, path).nullable();
  if (schema instanceof z.ZodDefault) return redacted(schema.unwrap() as z.ZodType, path);
  if (path.length === 0) return z.literal(REDACTED_SECRET);
  const [key, ...rest] = path as [string, ...string[]];
  if (schema instanceof z.ZodObject) {
    const field = (schema.shape as Record<string, z.ZodType>)[key];
    if (!field) throw new TypeError(`secret field ${key} is not in the connector schema`);
    return schema.safeExtend({ [key]: redacted(field, rest) });
  }
  if (schema instanceof z.ZodUnion) {
    const options = (schema.options as z.ZodType[]).map((option) => (option instanceof z.ZodObject && !(key in option.shape) ? option : redacted(option, path)));
    return z.union(options as [z.ZodType, z.ZodType, ...z.ZodType[]]);
  }
  throw new TypeError(`cannot show secret ${path.join('.')} redacted inside a ${schema.def.type} schema`);
}

/** The writable part of a connector as a GET shows it: the PUT body's shape, every secret the marker. */
const redactedInput = SECRET_FIELDS.reduce<z.ZodType>((schema, field) => redacted(schema, field.split('.')), connectorInputSchema) as typeof connectorInputSchema;

export const suspensionSchema = z.strictObject({
  system: z.string().describe('the system refusing the credentials'),
  reason: z.string(),
  since: timestamp,
});

export const budgetSchema = z.strictObject({
  used: z.int().min(0).describe('requests this hour, shared by every integration of the database'),
  limit: z.int().min(0),
  readAt: timestamp.nullable(),
  holding: z.array(z.string()).describe('work waiting for the hour to turn'),
});

/** `GET /api/v1/connectors/{id}`: the configuration, every secret shown as `"[redacted]"`, plus what the server owns. */
export const connectorViewSchema = z
  .strictObject({
    id: connectorIdSchema,
    ...redactedInput.shape,
    revision: z.int().min(0).describe('counts saved changes'),
    status: connectorStatusSchema,
    problems: z.array(mappingProblemSchema),
    suspension: suspensionSchema.nullable().describe('set while a system refuses the credentials: the connector’s work waits'),
    createdAt: timestamp,
    updatedAt: timestamp,
    budget: budgetSchema.nullable().optional().describe('GET only: the Autotask hour of the connector’s database (null when unknown)'),
    skipped: z
      .record(z.string(), z.int().min(0))
      .optional()
      .describe('GET only: RMM tickets the connector does not ticket, by reason (`natively-ticketed`: the RMM’s own Autotask integration tickets them)'),
  })
  .describe('A connector; secrets are write-only and shown as `"[redacted]"` (send that back to keep the stored value)');

export const connectorSummarySchema = z.strictObject({
  id: connectorIdSchema,
  name: z.string(),
  rmm: z.strictObject({ kind: z.enum(RMM_KINDS) }).describe('which RMM the connector links'),
  status: connectorStatusSchema,
  problems: z.array(mappingProblemSchema),
  revision: z.int().min(0),
  updatedAt: timestamp,
});
export type ConnectorSummary = z.output<typeof connectorSummarySchema>;

export const connectorListSchema = z.strictObject({ items: z.array(connectorSummarySchema).describe('every connector, by id') });

// ---- tickets ----------------------------------------------------------------------------------

export const ticketViewSchema = z
  .strictObject({
    rmmTicketId: z.string().describe('the RMM’s ticket: a PCSM ticket id, a Datto RMM alert uid'),
    pcsmTicketId: z.string().optional().describe('PCSM links: `rmmTicketId` again, under its first name'),
    autotaskTicketId: autotaskNumericId.nullable(),
    recurrenceOf: z.string().nullable().describe('a recurrence: the RMM ticket whose Autotask ticket it shares (noted there)'),
    skipped: z.string().nullable().describe('why the connector does not ticket it (e.g. `natively-ticketed`), or null'),
    autotaskTicketNumber: z.string().nullable().describe('arrives about a second after the create (numbers are read in batches)'),
    externalId: z.string().nullable(),
    state: z
      .enum(['synced', 'pending', 'creating', 'failed', 'skipped'])
      .describe('`pending`: a newer state waits for its write or a retry; `creating`: a create whose answer was lost is being confirmed; `failed`: refused, tried again on a change; `skipped`: not the connector’s to ticket (see `skipped`)'),
    lastSyncedAt: timestamp.nullable(),
    appliedUpdatedAt: timestamp.nullable(),
    pendingUpdatedAt: timestamp.nullable().describe('the RMM `updatedAt` of the newest state received, when it is not written yet'),
    lastError: z.string().nullable().describe('why the last attempt failed (a refusal, or the transient failure being retried)'),
    failedAt: timestamp.nullable(),
    nextAttemptAt: timestamp.nullable().describe('when it is tried again without anyone asking'),
  })
  .describe('An RMM ticket’s link to its Autotask ticket and its sync state');

export const ticketPageSchema = z.strictObject({
  items: z.array(ticketViewSchema),
  cursor: z.string().nullable().describe('pass back for the next page; null at the end'),
});

export const ticketRetrySchema = z.strictObject({
  queued: z.boolean().describe('false when nothing is left to write'),
  jobId: z.string().nullable(),
  state: ticketViewSchema.shape.state,
});

export const jobQueuedSchema = z.strictObject({ queued: z.literal(true), jobId: z.string() });

// ---- setup ------------------------------------------------------------------------------------

const option = <Id extends z.ZodType>(id: Id) => z.array(z.strictObject({ id, label: z.string() }));

export const setupViewSchema = z
  .strictObject({
    connectorId: connectorIdSchema,
    name: z.string(),
    rmm: z
      .strictObject({
        kind: z.enum(RMM_KINDS),
        vocabulary: z.strictObject({ product: z.string(), site: z.string(), ticket: z.string(), severity: z.string() }),
        webhook: z
          .strictObject({ path: z.string(), templates: z.record(z.string(), z.string()).nullable() })
          .describe('where the RMM’s webhooks go on this install, and the payload templates to paste into the RMM (Datto RMM: `triggered`, `resolved`; null for PCSM)'),
      })
      .describe('which RMM, and the words for its sites, tickets and severities'),
    options: z
      .strictObject({
        profiles: z
          .array(z.strictObject({ id: z.string(), label: z.string(), autotaskCompanyId: z.int().nullable().optional() }))
          .describe('the RMM’s sites (PCSM profiles); `autotaskCompanyId`: the company the RMM itself names for it'),
        companies: option(z.int()),
        queues: option(z.int()),
        rmmStatuses: option(z.string()),
        pcsmStatuses: option(z.string()).describe('`rmmStatuses` under its first name'),
        rmmSeverities: option(rmmSeveritySchema).describe('PCSM severities 1–5, Datto RMM priorities'),
        autotaskStatuses: option(z.int()),
        priorities: option(z.int()),
        allocationCodes: option(z.int()),
      })
      .describe('active values only'),
    suggested: z
      .strictObject({
        profiles: mappingsSchema.shape.profiles,
        statuses: mappingsSchema.shape.statuses,
        severities: mappingsSchema.shape.severities,
        queueId: mappingsSchema.shape.queueId,
        allocationCodeId: mappingsSchema.shape.allocationCodeId,
        newProfilePolicy: newProfilePolicySchema,
      })
      .describe('the associations the wizard proposes: visible and editable, never saved on their own'),
    current: z.strictObject({ mappings: mappingsSchema, newProfilePolicy: newProfilePolicySchema }),
    catalogueReadAt: timestamp,
    catalogueCalls: z.strictObject({ autotask: z.int().min(0), rmm: z.int().min(0) }).describe('what reading the catalogue cost'),
    status: connectorStatusSchema,
    problems: z.array(mappingProblemSchema),
  })
  .describe('The setup wizard’s options, suggestions and saved choices');

export const setupValidationSchema = z.strictObject({ valid: z.boolean(), errors: z.array(mappingProblemSchema) });

const rmmCheckSchema = z.strictObject({
  kind: z.enum(RMM_KINDS),
  ok: z.boolean(),
  account: z.strictObject({ id: z.string(), name: z.string() }).optional(),
  error: z.string().optional(),
});

export const accountCheckSchema = z
  .strictObject({
    ok: z.boolean(),
    autotask: z.strictObject({
      ok: z.boolean(),
      zoneUrl: z.string().optional(),
      requestsThisHour: z.int().min(0).optional().describe('the database’s hourly budget, shared by every integration'),
      requestThreshold: z.int().min(0).optional(),
      error: z.string().optional().describe('the cause, never a secret'),
    }),
    rmm: rmmCheckSchema,
    pcsm: rmmCheckSchema.optional().describe('PCSM: `rmm` again, under its first name'),
  })
  .describe('The account link check');

export const linkPreviewSchema = z
  .strictObject({
    check: accountCheckSchema,
    setup: setupViewSchema.nullable().describe('the setup as it would be with this link: its sites, statuses and suggestions; null when the RMM refused it'),
  })
  .describe('An RMM link tried, not saved');

export const webhookRegistrationSchema = z.strictObject({
  webhookId: autotaskNumericId,
  created: z.boolean(),
  fieldsAdded: z.int().min(0),
  fieldsUpdated: z.int().min(0),
  exclusionsAdded: z.int().min(0),
  webhookUrl: z.string(),
  excludedResourceIds: z.array(z.int()),
});

// ---- operator surfaces ------------------------------------------------------------------------

export const healthSchema = z.strictObject({ status: z.literal('ok') });

export const readinessSchema = z.strictObject({
  status: z.enum(['ready', 'unavailable']),
  checks: z.record(z.string(), z.boolean()).describe('each dependency: reachable or not'),
});

export const openApiDocumentSchema = z.looseObject({
  openapi: z.string(),
  info: z.looseObject({ title: z.string(), version: z.string() }),
  paths: z.record(z.string(), z.unknown()),
});

// ---- each schema equals the type its producer returns (compile time only) ----------------------

type Exactly<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Matches<T extends true> = T;
export type SchemasMatchProducers = [
  Matches<Exactly<z.output<typeof ticketViewSchema>, TicketView>>,
  Matches<Exactly<z.output<typeof mappingProblemSchema>, MappingProblem>>,
  Matches<Exactly<z.output<typeof budgetSchema>, BudgetView>>,
  Matches<Exactly<z.output<typeof setupViewSchema>, SetupView>>,
  Matches<Exactly<z.output<typeof accountCheckSchema>, AccountCheck>>,
  Matches<Exactly<z.output<typeof webhookRegistrationSchema>, WebhookRegistration>>,
];
