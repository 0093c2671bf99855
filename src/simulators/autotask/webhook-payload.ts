/**
 * What a Ticket webhook sends: which webhooks an event concerns, the envelope Autotask posts
 * (Action, Guid = the webhook's webhookGUID, EntityType, Id, Fields, EventTime, SequenceNumber,
 * PersonID), its .NET-escaped bytes and their `X-Hook-Signature`.
 */
import { createHmac } from 'node:crypto';
import { dotnetJsonStringify } from './dotnet-json';
import type { EntityRecord } from './seed';
import type { SimulatorState } from './state';

export type TicketAction = 'Create' | 'Update';

export interface TicketEvent {
  action: TicketAction;
  /** The ticket as stored after the write. */
  ticket: EntityRecord;
  /** Ticket field names (as the model spells them) whose value the write changed. */
  changedFields: ReadonlySet<string>;
  /** The resource that made the change (API user, impersonated resource or UI user). */
  personId: number;
  at: Date;
}

interface WebhookField {
  name: string;
  subscribed: boolean;
  displayAlways: boolean;
}

function fieldsOf(state: SimulatorState, webhookId: number): WebhookField[] {
  const labels = new Map(state.picklist(state.entityNamed('TicketWebhookFields'), 'fieldID').map((entry) => [entry.value, entry.label]));
  return state
    .list(state.entityNamed('TicketWebhookFields'))
    .filter((row) => Number(row.webhookID) === webhookId)
    .flatMap((row) => {
      const name = labels.get(String(row.fieldID));
      return name === undefined ? [] : [{ name, subscribed: row.isSubscribedField === true, displayAlways: row.isDisplayAlwaysField === true }];
    });
}

function excludedResources(state: SimulatorState, webhookId: number): Set<number> {
  return new Set(
    state
      .list(state.entityNamed('TicketWebhookExcludedResources'))
      .filter((row) => Number(row.webhookID) === webhookId)
      .map((row) => Number(row.resourceID)),
  );
}

function subscribedTo(webhook: EntityRecord, action: TicketAction): boolean {
  return action === 'Create' ? webhook.isSubscribedToCreateEvents === true : webhook.isSubscribedToUpdateEvents === true;
}

/** Field values travel as strings (PascalCase keys), empty ones as null. */
function payloadValue(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

function pascalCase(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}

/** The webhooks an event triggers: active, ready, subscribed to the action, a subscribed field changed (updates), actor not excluded. */
export function webhooksFor(state: SimulatorState, event: TicketEvent): Array<{ webhook: EntityRecord; fields: WebhookField[] }> {
  return state.list(state.entityNamed('TicketWebhooks')).flatMap((webhook) => {
    const id = Number(webhook.id);
    if (webhook.isActive !== true || webhook.isReady !== true || !subscribedTo(webhook, event.action)) return [];
    const fields = fieldsOf(state, id);
    if (event.action === 'Update' && !fields.some((field) => field.subscribed && event.changedFields.has(field.name))) return [];
    if (excludedResources(state, id).has(event.personId)) return [];
    return [{ webhook, fields }];
  });
}

export function eventBody(webhook: EntityRecord, fields: WebhookField[], event: TicketEvent, sequenceNumber: number): string {
  const values: Record<string, string | null> = {};
  for (const field of fields) {
    if (field.subscribed || field.displayAlways) values[pascalCase(field.name)] = payloadValue(event.ticket[field.name]);
  }
  return dotnetJsonStringify({
    Action: event.action,
    Guid: webhook.webhookGUID,
    EntityType: 'Ticket',
    Id: Number(event.ticket.id),
    Fields: values,
    EventTime: event.at.toISOString(),
    SequenceNumber: sequenceNumber,
    PersonID: event.personId,
  });
}

/** The deactivation callout's format is undocumented; this notice is unsigned, as receivers must assume. */
export function deactivationBody(webhook: EntityRecord, reason: string, at: Date): string {
  return dotnetJsonStringify({
    Action: 'Deactivated',
    Guid: webhook.webhookGUID,
    EntityType: 'Ticket',
    WebhookID: Number(webhook.id),
    Name: webhook.name,
    Reason: reason,
    EventTime: at.toISOString(),
  });
}

/** `sha1=` + Base64(HMAC-SHA1(secret key as UTF-8, body bytes)). */
export function hookSignature(secretKey: string, body: Buffer): string {
  return `sha1=${createHmac('sha1', Buffer.from(secretKey, 'utf8')).update(body).digest('base64')}`;
}
