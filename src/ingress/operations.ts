import { z } from 'zod';
import { connectorInputSchema, mappingsSchema, REDACTED_SECRET } from '../connector/configuration';
import { dattoWebhookSchema } from '../datto-rmm/webhook';
import { externalIdFor } from '../mapping/external-id';
import { pcsmEventSchema } from '../pcsm/events';
import { linkPreviewRequestSchema, setupApplySchema } from '../setup/setup';
import type { Answer, Example, Operation, PathParameter } from './openapi';
import { PROBLEM_TYPE } from './result';
import {
  accountCheckRequestSchema,
  accountCheckSchema,
  acknowledgedSchema,
  autotaskTriggerQueuedSchema,
  autotaskWebhookAcceptedSchema,
  autotaskWebhookDeliverySchema,
  calloutParametersSchema,
  connectorIdSchema,
  connectorListSchema,
  connectorSummarySchema,
  connectorViewSchema,
  healthSchema,
  jobQueuedSchema,
  linkPreviewSchema,
  mappingProblemSchema,
  openApiDocumentSchema,
  dattoRmmWebhookAcceptedSchema,
  pcsmEventAcceptedSchema,
  problemSchema,
  readinessSchema,
  setupValidationSchema,
  setupViewSchema,
  ticketListQuerySchema,
  ticketPageSchema,
  ticketRetrySchema,
  ticketViewSchema,
  webhookRegistrationRequestSchema,
  webhookRegistrationSchema,
} from './schemas';

/**
 * Every endpoint the api serves, one entry each: what the OpenAPI document says about it. A test
 * walks the Express router and fails on a route missing here or an entry Express does not serve.
 */

export const TAGS = {
  Ingress: 'What PCSM, Datto RMM and Autotask send: authenticated, validated and enqueued; `202` only once the job is in Redis',
  Connectors: 'Connector configuration (bearer `ADMIN_TOKEN`)',
  Tickets: 'Ticket links and their sync state (bearer `ADMIN_TOKEN`)',
  Setup: 'The setup wizard’s calls: catalogue, suggestions, validation, account check (bearer `ADMIN_TOKEN`)',
  Operator: 'Health, readiness, metrics and this description',
} as const;

export const PATH_PARAMETERS: Record<string, PathParameter> = {
  id: { schema: connectorIdSchema, description: 'the connector id' },
  connectorId: { schema: z.string(), description: 'the connector id (an unknown one answers 401, like a bad signature)' },
  ticketId: { schema: z.string().min(1), description: 'the RMM’s ticket id: a PCSM ticket id or a Datto RMM alert uid' },
};

/** Named schemas in `components.schemas`; a schema not named here is written inline. */
export const REQUEST_COMPONENTS: Record<string, z.ZodType> = {
  PcsmEvent: pcsmEventSchema,
  DattoRmmWebhook: dattoWebhookSchema,
  AutotaskWebhookDelivery: autotaskWebhookDeliverySchema,
  CalloutParameters: calloutParametersSchema,
  ConnectorInput: connectorInputSchema,
  MappingsInput: mappingsSchema,
  SetupApply: setupApplySchema,
  LinkPreviewRequest: linkPreviewRequestSchema,
  AccountCheckRequest: accountCheckRequestSchema,
  WebhookRegistrationRequest: webhookRegistrationRequestSchema,
};

export const ANSWER_COMPONENTS: Record<string, z.ZodType> = {
  Problem: problemSchema,
  MappingProblem: mappingProblemSchema,
  PcsmEventAccepted: pcsmEventAcceptedSchema,
  DattoRmmWebhookAccepted: dattoRmmWebhookAcceptedSchema,
  AutotaskTriggerQueued: autotaskTriggerQueuedSchema,
  AutotaskWebhookAccepted: autotaskWebhookAcceptedSchema,
  Connector: connectorViewSchema,
  Mappings: mappingsSchema,
  ConnectorSummary: connectorSummarySchema,
  ConnectorList: connectorListSchema,
  TicketView: ticketViewSchema,
  TicketPage: ticketPageSchema,
  TicketRetry: ticketRetrySchema,
  JobQueued: jobQueuedSchema,
  SetupView: setupViewSchema,
  LinkPreview: linkPreviewSchema,
  SetupValidation: setupValidationSchema,
  AccountCheck: accountCheckSchema,
  WebhookRegistration: webhookRegistrationSchema,
  Readiness: readinessSchema,
};

// ---- examples (the README's bodies) -----------------------------------------------------------

const pcsmTicketCreated = {
  id: 'evt_01JDQ6Z4N8',
  type: 'ticket.created',
  occurredAt: '2026-11-27T12:00:00Z',
  data: {
    id: 'T-1001',
    profileId: 'P-1',
    title: 'Disk C: 95% full',
    description: 'Free space on C: is below 5%.',
    status: 'New',
    severity: 4,
    deviceId: 'D-9',
    deviceName: 'SRV01',
    updatedAt: '2026-11-27T12:00:00Z',
  },
};

const dattoAlertTriggered = {
  schema: 'datto-rmm/1',
  event: 'triggered',
  alertUid: '3f6c2a4e-5b1d-4c7e-9f0a-1b2c3d4e5f60',
  platform: 'merlot',
  priority: 'High',
  siteUid: '9d3b1c2e-7a4f-4e21-8b6d-0f1e2d3c4b5a',
  deviceUid: 'c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f',
  message: 'SRV01: Disk C: 95% used (threshold 90%)',
};

const pcsmProfileUpdated = {
  id: 'evt_01JDQ7A2KC',
  type: 'profile.updated',
  occurredAt: '2026-11-27T12:05:00Z',
  data: { id: 'P-1', name: 'Contoso Ltd', description: 'Head office', updatedAt: '2026-11-27T12:05:00Z' },
};

const mappingsExample = {
  profiles: [{ profileId: 'P-1', companyId: 174 }],
  queueId: 29683498,
  statuses: [
    { rmm: 'New', autotask: 1 },
    { rmm: 'Resolved', autotask: 5 },
  ],
  reverseStatuses: [],
  severities: [
    { rmm: 4, autotask: 4 },
    { rmm: 5, autotask: 4 },
  ],
  allocationCodeId: 29682801,
};

const connectorExample = {
  name: 'Contoso MSP',
  rmm: { kind: 'pcsm', accountId: 'acc-1', apiUrl: 'https://pcsm.example.com', apiKey: 'pcsm-api-key', webhookSecret: 'pcsm-webhook-secret' },
  autotask: {
    username: 'api@contoso.example',
    secret: 'autotask-api-secret',
    integrationCode: 'AUTOTASK-INTEGRATION-CODE',
    zoneUrl: null,
    impersonationResourceId: null,
    webhookSecret: 'autotask-webhook-secret',
  },
  callout: { username: 'autotask-callout', password: 'callout-password' },
  mappings: mappingsExample,
  newProfilePolicy: 'manual',
};

const redactedConnector = {
  ...connectorExample,
  rmm: { ...connectorExample.rmm, apiKey: REDACTED_SECRET, webhookSecret: REDACTED_SECRET },
  autotask: { ...connectorExample.autotask, secret: REDACTED_SECRET, integrationCode: REDACTED_SECRET, webhookSecret: REDACTED_SECRET },
  callout: { ...connectorExample.callout, password: REDACTED_SECRET },
};

const connectorView = {
  id: 'c1',
  ...redactedConnector,
  revision: 3,
  status: 'needs-attention',
  problems: [{ mapping: 'statuses[1]', reason: 'Autotask status 5 (Complete) is inactive' }],
  suspension: null,
  createdAt: '2026-11-20T09:00:00.000Z',
  updatedAt: '2026-11-27T12:00:00.000Z',
};

const syncedTicket = {
  rmmTicketId: 'T-1001',
  pcsmTicketId: 'T-1001',
  autotaskTicketId: 7731,
  recurrenceOf: null,
  skipped: null,
  autotaskTicketNumber: 'T20261127.0001',
  externalId: externalIdFor('c1', 'PCSM', 'T-1001'),
  state: 'synced',
  lastSyncedAt: '2026-11-27T12:00:02.000Z',
  appliedUpdatedAt: '2026-11-27T12:00:00.000Z',
  pendingUpdatedAt: null,
  lastError: null,
  failedAt: null,
  nextAttemptAt: null,
};

const failedTicket = {
  ...syncedTicket,
  rmmTicketId: 'T-1002',
  pcsmTicketId: 'T-1002',
  autotaskTicketId: null,
  autotaskTicketNumber: null,
  externalId: externalIdFor('c1', 'PCSM', 'T-1002'),
  state: 'failed',
  lastSyncedAt: null,
  appliedUpdatedAt: null,
  pendingUpdatedAt: '2026-11-27T12:10:00.000Z',
  lastError: 'Autotask refused the ticket: Value does not exist for the required field queueID.',
  failedAt: '2026-11-27T12:10:01.000Z',
  nextAttemptAt: '2026-11-27T12:25:01.000Z',
};

const invalidConnector: Example = {
  summary: 'A field fails the schema',
  value: {
    type: 'about:blank',
    title: 'Bad Request',
    status: 400,
    detail: 'invalid connector: mappings.queueId',
    errors: [{ field: 'mappings.queueId', message: 'Invalid input: expected number, received string' }],
  },
};

// ---- shared answers ---------------------------------------------------------------------------

const problem = (description: string, extra: Partial<Answer> = {}): Answer => ({ description, schema: problemSchema, mediaType: PROBLEM_TYPE, ...extra });

const answers = {
  notFound: problem('No such connector'),
  badRequest: problem('Not JSON, or fails the schema: `errors` names each field'),
  unsupportedMediaType: problem('Not `application/json`'),
  queueUnavailable: problem('Redis is unreachable: never a 2xx for an event that was not enqueued', {
    headers: { 'Retry-After': { description: 'seconds to wait (5)', schema: z.string() } },
  }),
  remoteUnreadable: problem('Autotask or PCSM could not be read: `detail` names the side and the cause'),
};

const jobQueued = (description: string): Answer => ({
  description,
  schema: jobQueuedSchema,
  examples: { queued: { summary: 'Queued', value: { queued: true, jobId: 'reconcile.c1.1764244800000' } } },
});

const triggerQueued: Example = { summary: 'The ticket will be re-read', value: { accepted: true, autotaskTicketId: 351182, jobId: 'autotask.c1.351182' } };

// ---- the table --------------------------------------------------------------------------------

export const OPERATIONS: readonly Operation[] = [
  {
    method: 'post',
    path: '/webhooks/pcsm/{connectorId}',
    operationId: 'receivePcsmEvent',
    summary: 'Receive a signed PCSM webhook',
    description:
      'Event types `ticket.created`, `ticket.updated`, `profile.created`, `profile.updated`. The signature is checked over the exact bytes received. ' +
      'The answer is `202` once the ticket’s state is recorded and its job is in Redis; the same event again, or an older state, is accepted with `newest: false` and has no second effect.',
    tag: 'Ingress',
    security: 'pcsm-signature',
    body: {
      schema: pcsmEventSchema,
      examples: {
        ticketCreated: { summary: 'A new PCSM ticket', value: pcsmTicketCreated },
        profileUpdated: { summary: 'A renamed profile', value: pcsmProfileUpdated },
      },
    },
    answers: {
      202: {
        description: 'Accepted: recorded and enqueued (or already known)',
        schema: pcsmEventAcceptedSchema,
        examples: {
          newest: { summary: 'A new state', value: { accepted: true, eventId: 'evt_01JDQ6Z4N8', jobId: 'ticket.c1.T-1001', kind: 'ticket', newest: true } },
          known: { summary: 'The same event again', value: { accepted: true, eventId: 'evt_01JDQ6Z4N8', jobId: null, kind: 'ticket', newest: false } },
        },
      },
      400: answers.badRequest,
      415: answers.unsupportedMediaType,
      503: answers.queueUnavailable,
    },
  },
  {
    method: 'post',
    path: '/webhooks/datto-rmm/{connectorId}',
    operationId: 'receiveDattoRmmWebhook',
    summary: 'Receive a Datto RMM alert webhook',
    description:
      'The body is the template the MSP pastes into Datto RMM (README: "Datto RMM webhooks"); only `alertUid` is required, everything else is a hint: ' +
      'the worker reads the alert through the Datto RMM API, so lost, repeated and reordered deliveries are harmless. ' +
      'Datto RMM cannot sign: the connector’s webhook secret travels as `X-Webhook-Secret` or as `?secret=`.',
    tag: 'Ingress',
    security: 'datto-rmm-secret',
    body: {
      schema: dattoWebhookSchema,
      examples: {
        triggered: { summary: 'An alert was raised', value: dattoAlertTriggered },
        resolved: { summary: 'The alert was resolved', value: { ...dattoAlertTriggered, event: 'resolved' } },
      },
    },
    answers: {
      202: {
        description: 'Accepted: the alert’s read is in Redis',
        schema: dattoRmmWebhookAcceptedSchema,
        examples: { queued: { summary: 'Queued', value: { accepted: true, alertUid: dattoAlertTriggered.alertUid, jobId: 'rmm-ticket.c2.3f6c2a4e-5b1d-4c7e-9f0a-1b2c3d4e5f60' } } },
      },
      400: answers.badRequest,
      415: answers.unsupportedMediaType,
      503: answers.queueUnavailable,
    },
  },
  {
    method: 'post',
    path: '/webhooks/autotask/{connectorId}',
    operationId: 'receiveAutotaskWebhook',
    summary: 'Receive a signed Autotask REST webhook',
    description:
      'The signature is checked over the bytes received (Autotask escapes non-ASCII and `& < > \' " + `` ` `` as `\\uXXXX`, so re-serialising would break it). ' +
      '`Ticket` Create/Update deliveries enqueue a re-read of the ticket; other entities and Delete are acknowledged and ignored. ' +
      'Any number of triggers for one ticket are worth one run.',
    tag: 'Ingress',
    security: 'autotask-signature',
    body: {
      schema: autotaskWebhookDeliverySchema,
      examples: {
        ticketUpdated: {
          summary: 'A ticket’s status changed',
          value: {
            Action: 'Update',
            Guid: 'd0046a73-76a0-41c4-a634-4b7fce7e43ec',
            EntityType: 'Ticket',
            Id: 351182,
            Fields: { TicketNumber: 'T20250915.0002', Status: '5' },
            EventTime: '2025-09-15T15:10:00Z',
            SequenceNumber: 2,
            PersonID: 30691780,
          },
        },
        ticketDeleted: {
          summary: 'A deleted ticket (acknowledged, ignored)',
          value: { Action: 'Delete', Guid: 'a1da62a4-2c49-40a8-8183-69994ce5b3eb', EntityType: 'Ticket', Id: 351181, Fields: {}, EventTime: '2025-09-15T16:00:00Z', SequenceNumber: 3 },
        },
      },
    },
    answers: {
      202: {
        description: 'Accepted',
        schema: autotaskWebhookAcceptedSchema,
        examples: {
          queued: triggerQueued,
          ignored: { summary: 'Not a ticket change', value: { accepted: true, ignored: 'Ticket Delete' } },
        },
      },
      400: answers.badRequest,
      415: answers.unsupportedMediaType,
      503: answers.queueUnavailable,
    },
  },
  {
    method: 'post',
    path: '/webhooks/autotask/{connectorId}/deactivated',
    operationId: 'receiveAutotaskDeactivation',
    summary: 'Autotask’s webhook deactivation URL',
    description: 'Autotask calls it unsigned, in an undocumented format: it only logs a warning to check the webhook in Autotask.',
    tag: 'Ingress',
    security: 'none',
    answers: { 202: { description: 'Logged', schema: acknowledgedSchema } },
  },
  ...(['get', 'post'] as const).map(
    (method): Operation => ({
      method,
      path: '/callouts/autotask/{connectorId}',
      operationId: method === 'get' ? 'receiveCalloutGet' : 'receiveCalloutPost',
      summary: `Receive an Autotask Extension Callout (${method.toUpperCase()})`,
      description:
        'Fired by an Autotask workflow rule; a trigger only: the ticket is re-read through the REST API. ' +
        'The ticket is named by `ticketId`, `id` or `TicketID` (any casing) in the query string' +
        (method === 'post' ? ' or a form/JSON body.' : '.'),
      tag: 'Ingress',
      security: 'callout-basic',
      ...(method === 'get'
        ? { query: calloutParametersSchema }
        : {
            body: {
              schema: calloutParametersSchema,
              mediaTypes: ['application/x-www-form-urlencoded', 'application/json'],
              required: false,
              examples: { ticket: { summary: 'Names the ticket', value: { ticketId: '351182' } } },
            },
          }),
      answers: {
        202: { description: 'The ticket will be re-read', schema: autotaskTriggerQueuedSchema, examples: { queued: triggerQueued } },
        400: problem('No parameter names a ticket'),
        503: answers.queueUnavailable,
      },
    }),
  ),

  {
    method: 'get',
    path: '/api/v1/connectors',
    operationId: 'listConnectors',
    summary: 'List the connectors',
    description: 'Every connector’s id, name, RMM, health and revision; never a secret.',
    tag: 'Connectors',
    security: 'admin',
    answers: {
      200: {
        description: 'The connectors, by id',
        schema: connectorListSchema,
        examples: {
          two: {
            summary: 'Two connectors',
            value: {
              items: [
                { id: 'c1', name: 'Contoso MSP', rmm: { kind: 'pcsm' }, status: 'needs-attention', problems: connectorView.problems, revision: 3, updatedAt: connectorView.updatedAt },
                { id: 'fabrikam', name: 'Fabrikam', rmm: { kind: 'pcsm' }, status: 'ok', problems: [], revision: 1, updatedAt: '2026-11-25T08:30:00.000Z' },
              ],
            },
          },
        },
      },
    },
  },
  {
    method: 'put',
    path: '/api/v1/connectors/{id}',
    operationId: 'putConnector',
    summary: 'Create or replace a connector',
    description:
      'The whole connector. Autotask values are picklist **ids**, never labels; `allocationCodeId` is a Work Type billing code, sent as the ticket’s `billingCodeID`. ' +
      'Secrets are write-only and stored encrypted; a secret sent as `"[redacted]"` keeps the stored value. ' +
      'Read-only fields a GET shows (`id`, `revision`, `status`, `problems`, `suspension`, `createdAt`, `updatedAt`) may be sent back and are ignored.',
    tag: 'Connectors',
    security: 'admin',
    body: {
      schema: connectorInputSchema,
      examples: {
        new: { summary: 'A new connector', value: connectorExample },
        keepSecrets: { summary: 'An edit that keeps the stored secrets', value: { ...redactedConnector, name: 'Contoso MSP (EU)' } },
      },
    },
    answers: {
      200: { description: 'Replaced', schema: connectorViewSchema },
      201: { description: 'Created', schema: connectorViewSchema, examples: { created: { summary: 'As a GET shows it', value: { ...connectorView, revision: 1, status: 'ok', problems: [] } } } },
      400: { ...answers.badRequest, examples: { invalid: invalidConnector } },
    },
  },
  {
    method: 'get',
    path: '/api/v1/connectors/{id}',
    operationId: 'getConnector',
    summary: 'Read a connector',
    description: 'The configuration with every secret shown as `"[redacted]"`, its health (`status`, `problems`) and revision.',
    tag: 'Connectors',
    security: 'admin',
    answers: {
      200: { description: 'The connector', schema: connectorViewSchema, examples: { drift: { summary: 'A mapping went inactive', value: connectorView } } },
      404: answers.notFound,
    },
  },
  {
    method: 'post',
    path: '/api/v1/connectors/{id}/reconcile',
    operationId: 'reconcileConnector',
    summary: 'Run the reconciliation now',
    tag: 'Connectors',
    security: 'admin',
    answers: { 202: jobQueued('Queued'), 404: answers.notFound },
  },
  {
    method: 'post',
    path: '/api/v1/connectors/{id}/autotask-webhook',
    operationId: 'registerAutotaskWebhook',
    summary: 'Create or update the Autotask TicketWebhook',
    description:
      'For `<publicUrl>/webhooks/autotask/{id}`: a generated secret (stored encrypted), `status` changes subscribed, `ticketNumber` always displayed, ' +
      'the connector’s own API user excluded. Running it again adds nothing.',
    tag: 'Connectors',
    security: 'admin',
    body: { schema: webhookRegistrationRequestSchema, examples: { publicUrl: { summary: 'Where Autotask reaches this install', value: { publicUrl: 'https://sync.example.com' } } } },
    answers: {
      200: {
        description: 'The webhook as it now is',
        schema: webhookRegistrationSchema,
        examples: {
          created: {
            summary: 'First registration',
            value: { webhookId: 4, created: true, fieldsAdded: 2, fieldsUpdated: 0, exclusionsAdded: 1, webhookUrl: 'https://sync.example.com/webhooks/autotask/c1', excludedResourceIds: [29682885] },
          },
        },
      },
      400: answers.badRequest,
      404: answers.notFound,
      502: answers.remoteUnreadable,
    },
  },

  {
    method: 'get',
    path: '/api/v1/connectors/{id}/tickets',
    operationId: 'listTickets',
    summary: 'List the tickets that are not synced',
    description: 'With the reason and the next attempt; pass `cursor` back for the next page (`null` at the end).',
    tag: 'Tickets',
    security: 'admin',
    query: ticketListQuerySchema,
    answers: {
      200: { description: 'One page', schema: ticketPageSchema, examples: { failed: { summary: '`state=failed`', value: { items: [failedTicket], cursor: null } } } },
      400: answers.badRequest,
      404: answers.notFound,
    },
  },
  {
    method: 'post',
    path: '/api/v1/connectors/{id}/tickets/retry',
    operationId: 'retryAllTickets',
    summary: 'Retry every ticket that is not synced',
    tag: 'Tickets',
    security: 'admin',
    answers: { 202: jobQueued('Queued'), 404: answers.notFound },
  },
  {
    method: 'get',
    path: '/api/v1/connectors/{id}/tickets/{ticketId}',
    operationId: 'getTicket',
    summary: 'Read a ticket’s link and sync state',
    tag: 'Tickets',
    security: 'admin',
    answers: {
      200: {
        description: 'The link',
        schema: ticketViewSchema,
        examples: { synced: { summary: 'In sync', value: syncedTicket }, failed: { summary: 'Refused by Autotask', value: failedTicket } },
      },
      404: problem('The connector never heard of the ticket'),
    },
  },
  {
    method: 'post',
    path: '/api/v1/connectors/{id}/tickets/{ticketId}/retry',
    operationId: 'retryTicket',
    summary: 'Try a ticket now',
    description: 'Lifts a refusal or a backoff; `queued: false` when nothing is left to write.',
    tag: 'Tickets',
    security: 'admin',
    answers: {
      202: { description: 'Queued (or nothing to do)', schema: ticketRetrySchema, examples: { queued: { summary: 'Queued', value: { queued: true, jobId: 'ticket.c1.T-1002', state: 'failed' } } } },
      404: problem('The connector never heard of the ticket'),
    },
  },

  {
    method: 'get',
    path: '/api/v1/connectors/{id}/setup',
    operationId: 'getSetup',
    summary: 'The setup wizard’s options and suggestions',
    description: 'Options are active values only; the first call reads the catalogue from both systems.',
    tag: 'Setup',
    security: 'admin',
    answers: {
      200: {
        description: 'Options, suggestions, the saved choices and their health',
        schema: setupViewSchema,
        examples: {
          fresh: {
            summary: 'A connector being set up',
            value: {
              connectorId: 'c1',
              name: 'Contoso MSP',
              rmm: { kind: 'pcsm', vocabulary: { product: 'PCSM', site: 'profile', ticket: 'ticket', severity: 'severity' }, webhook: { path: '/webhooks/pcsm/c1', templates: null } },
              options: {
                profiles: [{ id: 'P-1', label: 'Contoso Ltd' }],
                companies: [{ id: 174, label: 'Contoso Ltd' }],
                queues: [{ id: 29683498, label: 'Monitoring Alert' }],
                rmmStatuses: [{ id: 'New', label: 'New' }, { id: 'Resolved', label: 'Resolved' }],
                pcsmStatuses: [{ id: 'New', label: 'New' }, { id: 'Resolved', label: 'Resolved' }],
                rmmSeverities: [1, 2, 3, 4, 5].map((severity) => ({ id: severity, label: String(severity) })),
                autotaskStatuses: [{ id: 1, label: 'New' }, { id: 5, label: 'Complete' }],
                priorities: [{ id: 4, label: 'Critical' }],
                allocationCodes: [{ id: 29682801, label: 'Remote Support' }],
              },
              suggested: {
                profiles: mappingsExample.profiles,
                statuses: mappingsExample.statuses,
                severities: mappingsExample.severities,
                queueId: mappingsExample.queueId,
                allocationCodeId: mappingsExample.allocationCodeId,
                newProfilePolicy: 'associate-by-name',
              },
              current: { mappings: { profiles: [], queueId: null, statuses: [], reverseStatuses: [], severities: [], allocationCodeId: null }, newProfilePolicy: 'manual' },
              catalogueReadAt: '2026-11-27T11:59:58.000Z',
              catalogueCalls: { autotask: 3, rmm: 2 },
              status: 'ok',
              problems: [],
            },
          },
        },
      },
      404: answers.notFound,
      502: answers.remoteUnreadable,
    },
  },
  {
    method: 'post',
    path: '/api/v1/connectors/{id}/setup',
    operationId: 'applySetup',
    summary: 'Save the wizard’s choices',
    description:
      'Validates every mapping against the catalogue (every RMM status and severity associated, active values only, a queue and a work type chosen) ' +
      'and replaces the mappings in one write, or saves nothing. The only call that saves setup choices. ' +
      'With `rmm`, the RMM link the wizard tried (`…/setup/link`) is saved in the same write, and the mappings are checked against what that link offers.',
    tag: 'Setup',
    security: 'admin',
    body: { schema: setupApplySchema, examples: { choices: { summary: 'The chosen associations', value: { mappings: mappingsExample, newProfilePolicy: 'associate-by-name' } } } },
    answers: {
      200: { description: 'Saved: the connector', schema: connectorViewSchema },
      400: answers.badRequest,
      404: answers.notFound,
      422: problem('A mapping cannot be saved: `errors` lists `{mapping, reason}`; nothing was changed', {
        examples: {
          refused: {
            summary: 'An inactive status',
            value: {
              type: 'about:blank',
              title: 'Unprocessable Content',
              status: 422,
              detail: '1 mapping(s) cannot be saved; nothing was changed',
              errors: [{ mapping: 'statuses[1]', reason: 'Autotask status 5 (Complete) is inactive' }],
            },
          },
        },
      }),
      502: answers.remoteUnreadable,
    },
  },
  {
    method: 'post',
    path: '/api/v1/connectors/{id}/setup/validate',
    operationId: 'validateSetup',
    summary: 'What a save would refuse',
    description: 'The same checks as saving; saves nothing.',
    tag: 'Setup',
    security: 'admin',
    body: { schema: setupApplySchema, examples: { choices: { summary: 'The chosen associations', value: { mappings: mappingsExample } } } },
    answers: {
      200: {
        description: 'The verdict',
        schema: setupValidationSchema,
        examples: { valid: { summary: 'Nothing to fix', value: { valid: true, errors: [] } } },
      },
      400: answers.badRequest,
      404: answers.notFound,
      502: answers.remoteUnreadable,
    },
  },
  {
    method: 'post',
    path: '/api/v1/connectors/{id}/setup/link',
    operationId: 'previewRmmLink',
    summary: 'Try an RMM link without saving it',
    description:
      'The account link step: checks the RMM link in the body (and the stored Autotask credentials) and answers with the setup as it would be with it — ' +
      'that RMM’s sites, statuses, severities and suggestions. Nothing is saved: `POST …/setup` with the same `rmm` saves the link and the mappings in one write. ' +
      'A secret sent as `"[redacted]"` is the stored one; a link to another RMM has none (`422`).',
    tag: 'Setup',
    security: 'admin',
    body: {
      schema: linkPreviewRequestSchema,
      examples: {
        datto: {
          summary: 'Switching to Datto RMM',
          value: { rmm: { kind: 'datto-rmm', apiUrl: 'https://merlot-api.centrastage.net', apiKey: 'datto-api-key', apiSecret: 'datto-api-secret', webhookSecret: 'a-long-random-webhook-secret' } },
        },
        keepSecrets: {
          summary: 'The same RMM, another request share, stored secrets kept',
          value: { rmm: { kind: 'datto-rmm', apiUrl: 'https://merlot-api.centrastage.net', apiKey: REDACTED_SECRET, apiSecret: REDACTED_SECRET, webhookSecret: REDACTED_SECRET, requestsPerMinute: 120 } },
        },
      },
    },
    answers: {
      200: { description: 'The check, and the setup with this link (`setup: null` when the RMM refused it)', schema: linkPreviewSchema },
      400: answers.badRequest,
      404: answers.notFound,
      422: problem('A secret of another RMM was asked to be kept: `errors` names each', {}),
      502: answers.remoteUnreadable,
    },
  },
  {
    method: 'post',
    path: '/api/v1/connectors/{id}/setup/refresh',
    operationId: 'refreshCatalogue',
    summary: 'Re-read the catalogue in the background',
    description: 'Also scheduled every `CATALOGUE_REFRESH_INTERVAL_SECONDS`; concurrent requests share one read. The saved mappings are re-checked (drift).',
    tag: 'Setup',
    security: 'admin',
    answers: { 202: jobQueued('Queued'), 404: answers.notFound },
  },
  {
    method: 'post',
    path: '/api/v1/connectors/{id}/setup/check',
    operationId: 'checkConnectorAccounts',
    summary: 'Check the stored credentials',
    description: 'The account link check: Autotask zone and one call, and the RMM account (PCSM: its account; Datto RMM: a token grant and its account). Errors name the cause and never echo a secret.',
    tag: 'Setup',
    security: 'admin',
    answers: {
      200: {
        description: 'The check (`ok: false` when a side fails)',
        schema: accountCheckSchema,
        examples: {
          ok: {
            summary: 'Both sides answer',
            value: {
              ok: true,
              autotask: { ok: true, zoneUrl: 'https://webservices5.autotask.net/atservicesrest/', requestsThisHour: 112, requestThreshold: 10000 },
              rmm: { kind: 'pcsm', ok: true, account: { id: 'acc-1', name: 'Contoso MSP' } },
              pcsm: { kind: 'pcsm', ok: true, account: { id: 'acc-1', name: 'Contoso MSP' } },
            },
          },
          pcsmRefused: {
            summary: 'PCSM refuses the key',
            value: {
              ok: false,
              autotask: { ok: true, zoneUrl: 'https://webservices5.autotask.net/atservicesrest/', requestsThisHour: 113, requestThreshold: 10000 },
              rmm: { kind: 'pcsm', ok: false, error: 'PCSM rejected the API key' },
              pcsm: { kind: 'pcsm', ok: false, error: 'PCSM rejected the API key' },
            },
          },
        },
      },
      404: answers.notFound,
    },
  },
  {
    method: 'post',
    path: '/api/v1/account-check',
    operationId: 'checkAccounts',
    summary: 'Check credentials that are not saved',
    description: 'The account link check for credentials sent in the body; nothing is stored.',
    tag: 'Setup',
    security: 'admin',
    body: {
      schema: accountCheckRequestSchema,
      examples: {
        credentials: {
          summary: 'Both sides’ credentials',
          value: {
            autotask: { username: 'api@contoso.example', secret: 'autotask-api-secret', integrationCode: 'AUTOTASK-INTEGRATION-CODE' },
            rmm: { kind: 'pcsm', apiUrl: 'https://pcsm.example.com', apiKey: 'pcsm-api-key' },
          },
        },
        datto: {
          summary: 'A Datto RMM API user',
          value: {
            autotask: { username: 'api@contoso.example', secret: 'autotask-api-secret', integrationCode: 'AUTOTASK-INTEGRATION-CODE' },
            rmm: { kind: 'datto-rmm', apiUrl: 'https://merlot-api.centrastage.net', apiKey: 'datto-api-key', apiSecret: 'datto-api-secret' },
          },
        },
      },
    },
    answers: { 200: { description: 'The check (`ok: false` when a side fails)', schema: accountCheckSchema }, 400: answers.badRequest },
  },

  {
    method: 'get',
    path: '/healthz',
    operationId: 'health',
    summary: 'The process is alive',
    tag: 'Operator',
    security: 'none',
    answers: { 200: { description: 'Alive', schema: healthSchema } },
  },
  {
    method: 'get',
    path: '/readyz',
    operationId: 'readiness',
    summary: 'Redis and MongoDB answer',
    tag: 'Operator',
    security: 'none',
    answers: {
      200: { description: 'Ready', schema: readinessSchema, examples: { ready: { summary: 'Ready', value: { status: 'ready', checks: { redis: true, mongo: true } } } } },
      503: { description: 'A dependency does not answer', schema: readinessSchema, examples: { redisDown: { summary: 'Redis is down', value: { status: 'unavailable', checks: { redis: false, mongo: true } } } } },
    },
  },
  {
    method: 'get',
    path: '/metrics',
    operationId: 'metrics',
    summary: 'Prometheus metrics',
    description: 'Prometheus text: this process’s request, job and call counters and histograms, queue depths by state, the Autotask budget per database, and Node.js process metrics.',
    tag: 'Operator',
    security: 'admin',
    answers: { 200: { description: 'Prometheus text format 0.0.4', schema: z.string(), mediaType: 'text/plain' } },
  },
  {
    method: 'get',
    path: '/openapi.json',
    operationId: 'openApiDocument',
    summary: 'This document',
    description: 'OpenAPI 3.1; public (it describes the api, nothing of an install’s configuration).',
    tag: 'Operator',
    security: 'none',
    answers: { 200: { description: 'The OpenAPI document', schema: openApiDocumentSchema } },
  },
  {
    method: 'get',
    path: '/docs',
    operationId: 'apiDocs',
    summary: 'This document, browsable',
    description: 'Swagger UI served from this install (no CDN); its calls need the admin token (Authorize).',
    tag: 'Operator',
    security: 'none',
    answers: { 200: { description: 'An HTML page', schema: z.string(), mediaType: 'text/html' } },
  },
];
