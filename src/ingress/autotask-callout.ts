import { createHash, timingSafeEqual } from 'node:crypto';
import { enqueueTrigger, type AutotaskWebhookDeps } from './autotask-webhook';
import { problem, type HttpResult } from './result';

export interface CalloutInput {
  connectorId: string;
  authorization: string | undefined;
  /** Query-string parameters and, for a form POST, the form fields. */
  parameters: Record<string, unknown>;
}

export interface CalloutDeps extends Pick<AutotaskWebhookDeps, 'enqueue' | 'isQueueUnavailable'> {
  calloutCredentials(connectorId: string): Promise<{ username: string; password: string } | null>;
}

/** The parameter names Autotask workflow rules are set up with, matched case-insensitively. */
const TICKET_ID_NAMES = ['ticketid', 'id'];

/**
 * `GET|POST /callouts/autotask/{connectorId}`: an Extension Callout fired by a workflow rule. It is a
 * trigger only: the ticket is re-read through the REST API, whatever the callout carried.
 */
export async function receiveCallout(input: CalloutInput, deps: CalloutDeps): Promise<HttpResult> {
  const expected = await deps.calloutCredentials(input.connectorId);
  const presented = basicCredentials(input.authorization);
  const valid =
    presented !== null &&
    sameSecret(presented.username, expected?.username ?? 'decoy-user') &&
    sameSecret(presented.password, expected?.password ?? 'decoy-password');
  if (!valid || expected === null) {
    return problem(401, 'Unauthorized', 'the callout credentials do not match this connector', {}, {
      'WWW-Authenticate': 'Basic realm="pcsm-autotask-sync callouts"',
    });
  }
  const entry = Object.entries(input.parameters).find(([name]) => TICKET_ID_NAMES.includes(name.toLowerCase()));
  const raw = Array.isArray(entry?.[1]) ? entry?.[1][0] : entry?.[1];
  const id = typeof raw === 'string' && /^\s*\d{1,15}\s*$/.test(raw) ? Number(raw) : typeof raw === 'number' ? raw : NaN;
  if (!Number.isInteger(id) || id <= 0) {
    return problem(400, 'Bad Request', 'name the Autotask ticket with a ticketId (or id / TicketID) parameter', {
      errors: [{ field: 'ticketId', message: 'expected a positive integer' }],
    });
  }
  return enqueueTrigger(input.connectorId, { autotaskTicketId: id, source: 'callout', deliveryId: `callout.${id}.${Date.now()}` }, deps);
}

function basicCredentials(header: string | undefined): { username: string; password: string } | null {
  const match = /^basic\s+(.+)$/i.exec(header?.trim() ?? '');
  if (!match) return null;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? null : { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

function sameSecret(a: string, b: string): boolean {
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}
