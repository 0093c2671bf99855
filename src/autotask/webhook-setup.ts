/**
 * Ticket webhook setup in Autotask's documented order (official Postman collection): the webhook,
 * then its excluded resources, then its fields (looked up as ids through the `fieldID` picklist of
 * TicketWebhookFields). Exclusions come before fields because a webhook turns ready with its first
 * subscribed field, and our own writes must not echo back from that moment on. Every step awaits
 * the previous one: n8n issue #4 shows parallel webhook setup tripping the 3-thread limit.
 */
import { AutotaskBusinessRuleError } from './errors';
import type { FieldInformation, QueryFilter, TicketWebhookSetup, TicketWebhookSpec } from './types';

/** The calls setup needs; the session provides them with its retry and classification rules. */
export interface WebhookSetupCalls {
  getFieldInformation(entity: string): Promise<FieldInformation[]>;
  query(entity: string, filter: QueryFilter[]): Promise<Array<Record<string, unknown>>>;
  /** GET below the zone root answering `{ items }`. */
  list(entity: string, path: string): Promise<Array<Record<string, unknown>>>;
  /** POST, never repeated on an unknown outcome. */
  create(entity: string, path: string, body: Record<string, unknown>): Promise<number>;
  update(entity: string, path: string, body: Record<string, unknown>): Promise<void>;
}

interface WantedField {
  fieldID: number;
  isSubscribedField: boolean;
  isDisplayAlwaysField: boolean;
}

const lower = (text: string): string => text.toLowerCase();

/** Ticket field name → webhook field id, from the TicketWebhookFields `fieldID` picklist (value = id, label = name). */
async function webhookFieldIds(calls: WebhookSetupCalls): Promise<Map<string, number>> {
  const fields = await calls.getFieldInformation('TicketWebhookFields');
  const picklist = fields.find((field) => lower(field.name) === 'fieldid')?.picklistValues ?? [];
  return new Map(picklist.filter((entry) => /^\d+$/.test(entry.value)).map((entry) => [lower(entry.label), Number(entry.value)]));
}

function wantedFields(spec: TicketWebhookSpec, ids: Map<string, number>): WantedField[] {
  const subscribed = new Set(spec.subscribedFields.map(lower));
  const displayed = new Set((spec.displayAlwaysFields ?? []).map(lower));
  const names = new Map([...spec.subscribedFields, ...(spec.displayAlwaysFields ?? [])].map((name) => [lower(name), name]));
  const unknown = [...names].filter(([key]) => !ids.has(key)).map(([, name]) => name);
  if (unknown.length > 0) {
    throw new AutotaskBusinessRuleError(unknown.map((name) => `The Ticket field ${name} cannot be used in a webhook (not offered by TicketWebhookFields).`), 200);
  }
  return [...names.keys()].map((key) => ({ fieldID: ids.get(key) ?? 0, isSubscribedField: subscribed.has(key), isDisplayAlwaysField: displayed.has(key) }));
}

function webhookSettings(spec: TicketWebhookSpec): Record<string, unknown> {
  return {
    name: spec.name,
    webhookUrl: spec.webhookUrl,
    deactivationUrl: spec.deactivationUrl,
    secretKey: spec.secretKey,
    isActive: true,
    isSubscribedToCreateEvents: true,
    isSubscribedToUpdateEvents: true,
    // Tickets are not deleted through the connector's flow; a deleted ticket shows up in reconciliation.
    isSubscribedToDeleteEvents: false,
    ...(spec.notificationEmailAddress === undefined ? {} : { notificationEmailAddress: spec.notificationEmailAddress }),
  };
}

/** Autotask compares URLs case-insensitively; prefer the exact spelling, then the lowest id. */
function pickWebhook(found: Array<Record<string, unknown>>, url: string): Record<string, unknown> | undefined {
  const same = found.filter((webhook) => typeof webhook.webhookUrl === 'string' && lower(webhook.webhookUrl) === lower(url));
  same.sort((a, b) => Number(b.webhookUrl === url) - Number(a.webhookUrl === url) || Number(a.id) - Number(b.id));
  return same[0];
}

function differs(existing: Record<string, unknown>, settings: Record<string, unknown>): boolean {
  // A secretKey Autotask does not echo back (absent or masked) cannot be compared: send it again.
  return Object.entries(settings).some(([key, value]) => (existing[key] ?? null) !== (value ?? null));
}

async function ensureExclusions(calls: WebhookSetupCalls, webhookId: number, resourceIds: number[]): Promise<number> {
  const existing = new Set((await calls.list('TicketWebhooks', `TicketWebhooks/${webhookId}/ExcludedResources`)).map((row) => Number(row.resourceID)));
  let added = 0;
  for (const resourceID of new Set(resourceIds)) {
    if (existing.has(resourceID)) continue;
    await calls.create('TicketWebhooks', `TicketWebhooks/${webhookId}/ExcludedResources`, { resourceID, webhookID: webhookId });
    added += 1;
  }
  return added;
}

async function ensureFields(calls: WebhookSetupCalls, webhookId: number, wanted: WantedField[]): Promise<{ added: number; updated: number }> {
  const path = `TicketWebhooks/${webhookId}/Fields`;
  const existing = new Map((await calls.list('TicketWebhooks', path)).map((row) => [Number(row.fieldID), row]));
  let added = 0;
  let updated = 0;
  for (const field of wanted) {
    const row = existing.get(field.fieldID);
    if (!row) {
      await calls.create('TicketWebhooks', path, { ...field, webhookID: webhookId });
      added += 1;
    } else if (row.isSubscribedField !== field.isSubscribedField || row.isDisplayAlwaysField !== field.isDisplayAlwaysField) {
      await calls.update('TicketWebhooks', path, { id: Number(row.id), ...field, webhookID: webhookId });
      updated += 1;
    }
  }
  return { added, updated };
}

export async function ensureTicketWebhook(calls: WebhookSetupCalls, spec: TicketWebhookSpec): Promise<TicketWebhookSetup> {
  if (spec.subscribedFields.length === 0) throw new RangeError('a Ticket webhook needs at least one subscribed field to become ready');
  const wanted = wantedFields(spec, await webhookFieldIds(calls));
  const settings = webhookSettings(spec);
  const existing = pickWebhook(await calls.query('TicketWebhooks', [{ op: 'eq', field: 'webhookUrl', value: spec.webhookUrl }]), spec.webhookUrl);
  let webhookId: number;
  if (existing) {
    webhookId = Number(existing.id);
    if (differs(existing, settings)) await calls.update('TicketWebhooks', 'TicketWebhooks', { id: webhookId, ...settings });
  } else {
    webhookId = await calls.create('TicketWebhooks', 'TicketWebhooks', settings);
  }
  const exclusionsAdded = await ensureExclusions(calls, webhookId, spec.excludedResourceIds);
  const fields = await ensureFields(calls, webhookId, wanted);
  return { webhookId, created: !existing, fieldsAdded: fields.added, fieldsUpdated: fields.updated, exclusionsAdded };
}
