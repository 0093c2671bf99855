import { parseConnectorInput, SERVER_OWNED_FIELDS } from '../connector/configuration';
import type { Store } from '../store';
import type { RedactedConnector } from '../store/connectors';
import { json, problem, type HttpResult } from './result';
import { CONNECTOR_ID, type ConnectorSummary } from './schemas';

export { CONNECTOR_ID };

/** `PUT /api/v1/connectors/{id}`: creates or replaces the connector whole. */
export async function putConnector(store: Store, id: string, body: unknown): Promise<HttpResult> {
  if (!CONNECTOR_ID.test(id)) return problem(400, 'Bad Request', 'connector ids are 1-64 letters, digits, _ or -');
  const writable =
    body && typeof body === 'object' && !Array.isArray(body)
      ? Object.fromEntries(Object.entries(body).filter(([key]) => !SERVER_OWNED_FIELDS.includes(key)))
      : body;
  const parsed = parseConnectorInput(writable);
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

/** How full the Autotask hour is for a connector's database, and which work waits for it to turn. */
export interface BudgetView {
  used: number;
  limit: number;
  readAt: string | null;
  holding: string[];
}

export async function getConnector(store: Store, id: string, budgetFor?: (connectorId: string) => Promise<BudgetView | null>): Promise<HttpResult> {
  const connector = CONNECTOR_ID.test(id) ? await store.connectors.getRedacted(id) : null;
  if (!connector) return problem(404, 'Not Found', `no connector ${id}`);
  const skipped = await store.ticketLinks.countSkipped(id);
  return json(200, { ...connector, skipped, budget: budgetFor ? await budgetFor(id).catch(() => null) : null });
}

/** `GET /api/v1/connectors`: every connector's identity and health, by id; never a secret. */
export async function listConnectors(store: Store): Promise<HttpResult> {
  const ids = (await store.connectors.listIds()).sort();
  const connectors = await Promise.all(ids.map((id) => store.connectors.getRedacted(id)));
  return json(200, { items: connectors.filter((connector) => connector !== null).map(connectorSummary) });
}

/** Field by field, so nothing of the configuration (and no secret) rides along. */
function connectorSummary(connector: RedactedConnector): ConnectorSummary {
  return {
    id: connector.id,
    name: connector.name,
    rmm: { kind: connector.rmm.kind },
    status: connector.status,
    problems: connector.problems,
    revision: connector.revision,
    updatedAt: connector.updatedAt,
  };
}
