import { createHash } from 'node:crypto';
import { z } from 'zod';
import { dattoWebhookSchema, webhookSecretMatches } from '../datto-rmm/webhook';
import { DECOY_SECRET, json, problem, queueUnavailable, type HttpResult } from './result';

export interface DattoRmmWebhookInput {
  connectorId: string;
  contentType: string | undefined;
  /** `X-Webhook-Secret`, or the `secret` query parameter (Datto RMM cannot sign; the query string never reaches a log). */
  secret: string | undefined;
  rawBody: Buffer;
}

/** What the worker is told: read this alert, the delivery only hints at what happened. */
export interface RmmTicketHint {
  rmmTicketId: string;
  hint: string | null;
  deliveryId: string;
}

export interface DattoRmmWebhookDeps {
  /** The connector's Datto RMM webhook secret, or null when the connector does not exist or links another RMM. */
  webhookSecret(connectorId: string): Promise<string | null>;
  /** Resolves once the hint's job is in Redis; rejects with QueueUnavailableError when it is not. */
  take(connectorId: string, hint: RmmTicketHint): Promise<string>;
  isQueueUnavailable(error: unknown): boolean;
}

/**
 * `POST /webhooks/datto-rmm/{connectorId}`: the template the MSP pasted into Datto RMM. Only the
 * alert uid is trusted, and only as the name of what to read: the worker reads the alert through
 * the API. Repeated, lost and reordered deliveries are therefore harmless.
 */
export async function receiveDattoRmmWebhook(input: DattoRmmWebhookInput, deps: DattoRmmWebhookDeps): Promise<HttpResult> {
  if (!isJson(input.contentType)) {
    return problem(415, 'Unsupported Media Type', 'Datto RMM webhooks must be sent as application/json (set it in the webhook\'s headers)');
  }
  const expected = await deps.webhookSecret(input.connectorId);
  // An unknown connector costs what a wrong secret costs, and answers the same.
  const matches = webhookSecretMatches(expected ?? DECOY_SECRET, input.secret);
  if (!matches || expected === null) {
    return problem(401, 'Unauthorized', 'the webhook secret (X-Webhook-Secret header or secret query parameter) does not match this connector');
  }
  let body: unknown;
  try {
    body = JSON.parse(input.rawBody.toString('utf8'));
  } catch {
    return problem(400, 'Bad Request', 'the body is not valid JSON');
  }
  const parsed = dattoWebhookSchema.safeParse(body);
  if (!parsed.success) return invalidBody(parsed.error);
  const { alertUid, event } = parsed.data;
  // Datto RMM sends no delivery id: the body itself names the delivery (the same body twice is one delivery).
  const deliveryId = `drmm.${createHash('sha256').update(input.rawBody).digest('hex').slice(0, 24)}`;
  try {
    const jobId = await deps.take(input.connectorId, { rmmTicketId: alertUid, hint: event ?? null, deliveryId });
    return json(202, { accepted: true, alertUid, jobId });
  } catch (error) {
    if (!deps.isQueueUnavailable(error)) throw error;
    return queueUnavailable();
  }
}

function isJson(contentType: string | undefined): boolean {
  return contentType?.split(';')[0]?.trim().toLowerCase() === 'application/json';
}

function invalidBody(error: z.ZodError): HttpResult {
  const errors = error.issues.map((issue) => ({ field: issue.path.length > 0 ? issue.path.join('.') : '(body)', message: issue.message }));
  return problem(400, 'Bad Request', `the webhook body does not match the template: ${errors.map((e) => e.field).join(', ')}`, { errors });
}
