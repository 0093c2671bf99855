/**
 * Business rules of Ticket webhooks beyond per-field checks: one webhook per URL (Autotask refuses
 * duplicate callouts even across owners and inactive ones), absolute callback URLs, each field and
 * excluded resource at most once per webhook, and `isReady` once a subscribed field exists.
 */
import type { EntityDefinition } from './model';
import type { EntityRecord } from './seed';
import type { SimulatorState } from './state';

function isAbsoluteHttpUrl(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}

function sameId(a: unknown, b: unknown): boolean {
  return Number(a) === Number(b);
}

function webhookProblems(state: SimulatorState, record: EntityRecord, existing: EntityRecord | undefined): string[] {
  const problems: string[] = [];
  for (const name of ['webhookUrl', 'deactivationUrl']) {
    if (!isAbsoluteHttpUrl(record[name])) problems.push(`The value for field ${name} is not a valid URL.`);
  }
  const url = String(record.webhookUrl ?? '').toLowerCase();
  const duplicate = state
    .list(state.entityNamed('TicketWebhooks'))
    .find((other) => String(other.webhookUrl ?? '').toLowerCase() === url && (!existing || !sameId(other.id, existing.id)));
  if (duplicate) problems.push(`A webhook with the URL ${String(record.webhookUrl)} already exists for the Ticket entity (webhook ${String(duplicate.id)}).`);
  return problems;
}

function childProblems(state: SimulatorState, entity: EntityDefinition, record: EntityRecord, existing: EntityRecord | undefined): string[] {
  const key = entity.name === 'TicketWebhookFields' ? 'fieldID' : 'resourceID';
  const twin = state
    .list(entity)
    .find((other) => sameId(other.webhookID, record.webhookID) && sameId(other[key], record[key]) && (!existing || !sameId(other.id, existing.id)));
  if (!twin) return [];
  return entity.name === 'TicketWebhookFields'
    ? [`The field ${String(record.fieldID)} has already been added to webhook ${String(record.webhookID)}.`]
    : [`The resource ${String(record.resourceID)} is already excluded from webhook ${String(record.webhookID)}.`];
}

export function webhookRuleProblems(
  state: SimulatorState,
  entity: EntityDefinition,
  record: EntityRecord,
  existing: EntityRecord | undefined,
): string[] {
  if (entity.name === 'TicketWebhooks') return webhookProblems(state, record, existing);
  if (entity.name === 'TicketWebhookFields' || entity.name === 'TicketWebhookExcludedResources') {
    return childProblems(state, entity, record, existing);
  }
  return [];
}

/** A webhook is ready once at least one of its fields is subscribed. */
export function refreshWebhookReadiness(state: SimulatorState, webhookId: number): void {
  const webhook = state.get(state.entityNamed('TicketWebhooks'), webhookId);
  if (!webhook) return;
  webhook.isReady = state
    .list(state.entityNamed('TicketWebhookFields'))
    .some((field) => sameId(field.webhookID, webhookId) && field.isSubscribedField === true);
}
