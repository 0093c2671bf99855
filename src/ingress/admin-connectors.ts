import { connectorInputSchema, SERVER_OWNED_FIELDS } from '../connector/configuration';
import type { Store } from '../store';
import { json, problem, type HttpResult } from './result';

/** Connector ids appear in URLs, job ids and queue keys: keep them plain. */
export const CONNECTOR_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** `PUT /api/v1/connectors/{id}`: creates or replaces the connector whole. */
export async function putConnector(store: Store, id: string, body: unknown): Promise<HttpResult> {
  if (!CONNECTOR_ID.test(id)) return problem(400, 'Bad Request', 'connector ids are 1-64 letters, digits, _ or -');
  const writable =
    body && typeof body === 'object' && !Array.isArray(body)
      ? Object.fromEntries(Object.entries(body).filter(([key]) => !SERVER_OWNED_FIELDS.includes(key)))
      : body;
  const parsed = connectorInputSchema.safeParse(writable);
  if (!parsed.success) {
    const errors = parsed.error.issues.map((issue) => ({ field: issue.path.join('.') || '(body)', message: issue.message }));
    return problem(400, 'Bad Request', `invalid connector: ${errors.map((e) => e.field).join(', ')}`, { errors });
  }
  const { created, missingSecrets } = await store.connectors.put(id, parsed.data);
  if (missingSecrets.length > 0) {
    const errors = missingSecrets.map((field) => ({ field, message: 'no stored value to keep; send the secret' }));
    return problem(400, 'Bad Request', `missing secrets: ${missingSecrets.join(', ')}`, { errors });
  }
  return json(created ? 201 : 200, await store.connectors.getRedacted(id));
}

export async function getConnector(store: Store, id: string): Promise<HttpResult> {
  const connector = CONNECTOR_ID.test(id) ? await store.connectors.getRedacted(id) : null;
  return connector ? json(200, connector) : problem(404, 'Not Found', `no connector ${id}`);
}

/** `GET /api/v1/connectors/{id}/tickets/{pcsmTicketId}`: the link, or why there is none yet. */
export async function getTicketLink(store: Store, id: string, pcsmTicketId: string): Promise<HttpResult> {
  const link = await store.ticketLinks.get(id, pcsmTicketId);
  const intent = await store.syncIntents.get(id, pcsmTicketId);
  if (!link && !intent) return problem(404, 'Not Found', `no link for PCSM ticket ${pcsmTicketId}`);
  const failure = intent?.lastError ? { lastError: intent.lastError, failedAt: intent.failedAt?.toISOString() ?? null } : {};
  if (!link) {
    return json(200, {
      pcsmTicketId,
      autotaskTicketId: null,
      autotaskTicketNumber: null,
      state: intent?.lastError ? 'failed' : intent?.createStartedAt ? 'creating' : 'pending',
      lastSyncedAt: null,
      ...failure,
    });
  }
  const behind = intent && intent.desiredUpdatedAt > link.appliedUpdatedAt;
  return json(200, {
    pcsmTicketId,
    autotaskTicketId: link.autotaskTicketId,
    autotaskTicketNumber: link.autotaskTicketNumber,
    externalId: link.externalId,
    state: intent?.lastError && behind ? 'failed' : behind ? 'pending' : 'synced',
    lastSyncedAt: link.lastSyncedAt.toISOString(),
    appliedUpdatedAt: link.appliedUpdatedAt.toISOString(),
    ...failure,
  });
}
