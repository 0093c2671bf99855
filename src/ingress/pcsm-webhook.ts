import { z } from 'zod';
import { isTicketEvent, pcsmEventSchema, type PcsmEvent } from '../pcsm/events';
import { verifyPcsmSignature } from './pcsm-signature';
import { DECOY_SECRET, json, problem, queueUnavailable, type HttpResult } from './result';

export interface PcsmWebhookInput {
  connectorId: string;
  contentType: string | undefined;
  signature: string | undefined;
  rawBody: Buffer;
  nowSeconds: number;
}

/**
 * Records what the event means and makes sure its job waits: resolves once both are in Redis
 * (`jobId` null when the event changes nothing: an older or already known state), rejects with
 * QueueUnavailableError when they are not.
 */
export type PcsmEventIntake = (connectorId: string, event: PcsmEvent) => Promise<{ jobId: string | null; newest: boolean }>;

export interface PcsmWebhookDeps {
  /** The connector's PCSM webhook secret, or null when the connector does not exist. */
  webhookSecret(connectorId: string): Promise<string | null>;
  take: PcsmEventIntake;
  isQueueUnavailable(error: unknown): boolean;
}

/** `POST /webhooks/pcsm/{connectorId}`: authenticate, validate, enqueue; nothing else. */
export async function receivePcsmWebhook(input: PcsmWebhookInput, deps: PcsmWebhookDeps): Promise<HttpResult> {
  if (!isJson(input.contentType)) {
    return problem(415, 'Unsupported Media Type', 'PCSM webhooks must be sent as application/json');
  }
  const secret = await deps.webhookSecret(input.connectorId);
  const check = verifyPcsmSignature(secret ?? DECOY_SECRET, input.signature, input.rawBody, input.nowSeconds);
  if (!check.ok || secret === null) {
    const detail =
      check.ok || check.reason === 'mismatch' || secret === null
        ? 'the X-PCSM-Signature header does not match this connector'
        : check.reason === 'stale'
          ? 'the X-PCSM-Signature timestamp is outside the 300 second window'
          : `the X-PCSM-Signature header is ${check.reason}`;
    return problem(401, 'Unauthorized', detail);
  }

  let body: unknown;
  try {
    body = JSON.parse(input.rawBody.toString('utf8'));
  } catch {
    return problem(400, 'Bad Request', 'the body is not valid JSON');
  }
  const parsed = pcsmEventSchema.safeParse(body);
  if (!parsed.success) return invalidEvent(parsed.error);

  try {
    const { jobId, newest } = await deps.take(input.connectorId, parsed.data);
    return json(202, {
      accepted: true,
      eventId: parsed.data.id,
      jobId,
      kind: isTicketEvent(parsed.data) ? 'ticket' : 'profile',
      // An older or already known state is accepted and changes nothing (newest updatedAt wins).
      newest,
    });
  } catch (error) {
    if (!deps.isQueueUnavailable(error)) throw error;
    return queueUnavailable();
  }
}

function isJson(contentType: string | undefined): boolean {
  const type = contentType?.split(';')[0]?.trim().toLowerCase();
  return type === 'application/json';
}

function invalidEvent(error: z.ZodError): HttpResult {
  const errors = error.issues.map((issue) => ({
    field: issue.path.length > 0 ? issue.path.join('.') : '(body)',
    message: issue.message,
  }));
  return problem(400, 'Bad Request', `the event does not match the schema: ${errors.map((e) => e.field).join(', ')}`, {
    errors,
  });
}
