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
