import { verifyAutotaskSignature } from './autotask-signature';
import { DECOY_SECRET, json, problem, queueUnavailable, type HttpResult } from './result';

export interface AutotaskWebhookInput {
  connectorId: string;
  contentType: string | undefined;
  signature: string | undefined;
  rawBody: Buffer;
}

export interface AutotaskTrigger {
  autotaskTicketId: number;
  source: 'webhook' | 'callout';
  /** What identifies this delivery, for logs and de-duplication. */
  deliveryId: string;
}

export interface AutotaskWebhookDeps {
  /** The connector's Autotask webhook secret; null when the connector or the secret does not exist. */
  webhookSecret(connectorId: string): Promise<string | null>;
  enqueue(connectorId: string, trigger: AutotaskTrigger): Promise<string>;
  isQueueUnavailable(error: unknown): boolean;
  /** A verified notice that Autotask deactivated the webhook: operators must hear of it. */
  deactivated(connectorId: string, notice: Record<string, unknown>): void;
}


/**
 * `POST /webhooks/autotask/{connectorId}`: a signed REST webhook delivery. Ticket deliveries become
 * a re-read of the ticket; the payload's fields are a hint, never trusted as the ticket's state.
 */
export async function receiveAutotaskWebhook(input: AutotaskWebhookInput, deps: AutotaskWebhookDeps): Promise<HttpResult> {
  if (input.contentType?.split(';')[0]?.trim().toLowerCase() !== 'application/json') {
    return problem(415, 'Unsupported Media Type', 'Autotask webhooks must be sent as application/json');
  }
  const secret = await deps.webhookSecret(input.connectorId);
  // An unsigned "Deactivated" notice is refused like any other unsigned body: anyone could send one.
  if (!verifyAutotaskSignature(secret ?? DECOY_SECRET, input.signature, input.rawBody) || secret === null) {
    return problem(401, 'Unauthorized', 'the X-Hook-Signature header does not match this connector');
  }
  let body: unknown;
  try {
    body = JSON.parse(input.rawBody.toString('utf8'));
  } catch {
    return problem(400, 'Bad Request', 'the body is not valid JSON');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return problem(400, 'Bad Request', 'the body is not a JSON object');
  // Key casing is not documented for every field (PersonID / PersonId): read keys case-insensitively.
  const field = (name: string): unknown => {
    const key = Object.keys(body as object).find((k) => k.toLowerCase() === name.toLowerCase());
    return key === undefined ? undefined : (body as Record<string, unknown>)[key];
  };
  const action = String(field('Action') ?? '');
  if (action.toLowerCase() === 'deactivated') {
    deps.deactivated(input.connectorId, body as Record<string, unknown>);
    return json(202, { accepted: true, action: 'Deactivated' });
  }
  const entityType = String(field('EntityType') ?? '');
  const id = Number(field('Id'));
  const errors = [
    ...(['Create', 'Update', 'Delete'].some((a) => a.toLowerCase() === action.toLowerCase()) ? [] : [{ field: 'Action', message: 'expected Create, Update, Delete or Deactivated' }]),
    ...(entityType ? [] : [{ field: 'EntityType', message: 'required' }]),
    ...(Number.isInteger(id) && id > 0 ? [] : [{ field: 'Id', message: 'expected a positive integer' }]),
  ];
  if (errors.length > 0) return problem(400, 'Bad Request', `the delivery is missing ${errors.map((e) => e.field).join(', ')}`, { errors });
  if (entityType.toLowerCase() !== 'ticket' || action.toLowerCase() === 'delete') {
    return json(202, { accepted: true, ignored: `${entityType} ${action}` });
  }
  const deliveryId = `${action}.${id}.${String(field('SequenceNumber') ?? field('EventTime') ?? '')}`;
  return enqueueTrigger(input.connectorId, { autotaskTicketId: id, source: 'webhook', deliveryId }, deps);
}

export async function enqueueTrigger(
  connectorId: string,
  trigger: AutotaskTrigger,
  deps: Pick<AutotaskWebhookDeps, 'enqueue' | 'isQueueUnavailable'>,
): Promise<HttpResult> {
  try {
    const jobId = await deps.enqueue(connectorId, trigger);
    return json(202, { accepted: true, autotaskTicketId: trigger.autotaskTicketId, jobId });
  } catch (error) {
    if (!deps.isQueueUnavailable(error)) throw error;
    return queueUnavailable();
  }
}
