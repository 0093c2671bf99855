/**
 * Writes and deletes with the reactions Autotask attaches to them: a Ticket create or update
 * raises webhook events (whoever made it: API user, impersonated resource or someone in the UI);
 * a webhook switched off or deleted calls its deactivation URL; field changes keep `isReady` current;
 * a new note is activity on its ticket.
 */
import type { SimulatorContext } from './context';
import { autotaskTimestamp, TICKETS, type EntityDefinition } from './model';
import { API_USER_RESOURCE_ID, type EntityRecord } from './seed';
import { applyWrite, type WriteContext, type WriteMode } from './writes';
import { refreshWebhookReadiness } from './webhook-rules';
import { propertyIgnoringCase, rejected } from './wire';

export interface TriggeringWriteContext extends WriteContext {
  actingResourceId: number;
}

function changedFields(entity: EntityDefinition, before: EntityRecord | undefined, after: EntityRecord): Set<string> {
  const changed = new Set<string>();
  for (const field of entity.fields) {
    if (JSON.stringify(before?.[field.name] ?? null) !== JSON.stringify(after[field.name] ?? null)) changed.add(field.name);
  }
  return changed;
}

function existingRecord(context: SimulatorContext, entity: EntityDefinition, body: unknown, mode: WriteMode): EntityRecord | undefined {
  if (mode === 'create') return undefined;
  const id = Number(propertyIgnoringCase(body, 'id'));
  const record = Number.isInteger(id) ? context.state.get(entity, id) : undefined;
  return record ? structuredClone(record) : undefined;
}

/** applyWrite, then whatever the write sets off; answers the itemId. */
export function writeAndTrigger(context: SimulatorContext, entity: EntityDefinition, body: unknown, mode: WriteMode, write: TriggeringWriteContext): number {
  const before = existingRecord(context, entity, body, mode);
  const itemId = applyWrite(context.state, entity, body, mode, write);
  const after = context.state.get(entity, itemId);
  if (!after) return itemId;
  if (entity.name === 'Tickets') {
    context.webhooks.ticketEvent({
      action: mode === 'create' ? 'Create' : 'Update',
      ticket: structuredClone(after),
      changedFields: changedFields(entity, before, after),
      personId: write.actingResourceId,
      at: write.now,
    });
  } else if (entity.name === 'TicketWebhooks' && before) {
    if (before.isActive === true && after.isActive !== true) context.webhooks.deactivated(after, 'The webhook was deactivated.');
    if (before.isActive !== true && after.isActive === true) context.webhooks.reactivated(itemId);
  } else if (entity.parent?.entity === 'TicketWebhooks') {
    refreshWebhookReadiness(context.state, Number(after.webhookID));
    if (before && Number(before.webhookID) !== Number(after.webhookID)) refreshWebhookReadiness(context.state, Number(before.webhookID));
  } else if (entity.name === 'TicketNotes' && mode === 'create') {
    recordTicketActivity(context, Number(after.ticketID), write);
  }
  return itemId;
}

/**
 * A ticket's lastActivityDate covers activity on it, "for example … a note or time entry added"
 * (HELP/REST/General_Topics/REST_BestPractices.htm), not only its own edits. No Ticket webhook is
 * raised for it: no source says one is, and TicketNote webhooks are not modelled (README).
 */
function recordTicketActivity(context: SimulatorContext, ticketId: number, write: TriggeringWriteContext): void {
  const ticket = context.state.get(TICKETS, ticketId);
  if (!ticket) return;
  ticket.lastActivityDate = autotaskTimestamp(write.now);
  ticket.lastActivityResourceID = write.actingResourceId;
}

/** `DELETE /{Entity}/{id}`; a webhook takes its fields and exclusions with it. */
export function deleteAndTrigger(context: SimulatorContext, entity: EntityDefinition, id: number): void {
  const { state } = context;
  const record = state.get(entity, id);
  if (!record) throw rejected('No matching records found. The operation has been cancelled.');
  state.remove(entity, id);
  if (entity.name === 'TicketWebhooks') {
    for (const childName of ['TicketWebhookFields', 'TicketWebhookExcludedResources']) {
      const child = state.entityNamed(childName);
      for (const row of state.list(child)) if (Number(row.webhookID) === id) state.remove(child, Number(row.id));
    }
    context.webhooks.deleted(record);
  } else if (entity.parent?.entity === 'TicketWebhooks') {
    refreshWebhookReadiness(state, Number(record.webhookID));
  }
}

/** Who an API call acts as: the impersonated resource when sent, else the API user's own resource. */
export function apiActingResource(context: SimulatorContext, userName: string | null, impersonationResourceId: number | null): number {
  if (impersonationResourceId !== null) return impersonationResourceId;
  const name = (userName ?? '').toLowerCase();
  const own = context.state.list(context.state.entityNamed('Resources')).find((resource) => String(resource.userName ?? '').toLowerCase() === name);
  return own ? Number(own.id) : API_USER_RESOURCE_ID;
}
