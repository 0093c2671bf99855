/**
 * Create / update semantics: POST creates, PATCH changes only the properties sent,
 * PUT resets every writable property not sent. Refusals are HTTP 500 `{"errors":[…]}` with
 * Autotask-style texts, all problems of one request reported together.
 */
import { randomUUID } from 'node:crypto';
import { autotaskTimestamp, findField, type EntityDefinition, type FieldSpec } from './model';
import { API_USER_RESOURCE_ID, type EntityRecord } from './seed';
import type { SimulatorState } from './state';
import { webhookRuleProblems } from './webhook-rules';
import { ApiFault, propertyIgnoringCase, rejected } from './wire';

export type WriteMode = 'create' | 'patch' | 'put';

export interface WriteContext {
  now: Date;
  impersonationResourceId: number | null;
  /** The resource the write is recorded against (API user, impersonated or UI user); default the API user. */
  actingResourceId?: number;
  /** The calling API user's own resource, recorded as the impersonator when it acts as someone else; default the API user. */
  apiUserResourceId?: number;
}

/** Newtonsoft-style binding of a JSON body to the model; unknown properties are ignored as Autotask does. */
function bindBody(entity: EntityDefinition, body: unknown): { changes: EntityRecord; id: unknown; errors: string[] } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw rejected(`Unexpected character encountered while parsing value. Path '', line 1, position 1.`);
  }
  const changes: EntityRecord = {};
  const errors: string[] = [];
  for (const [key, raw] of Object.entries(body)) {
    if (key.toLowerCase() === 'userdefinedfields' && entity.hasUserDefinedFields) {
      changes.userDefinedFields = Array.isArray(raw) ? raw : [];
      continue;
    }
    const field = findField(entity, key);
    if (!field || field.name === 'id' || field.readOnly) continue;
    const converted = convertBodyValue(field, raw);
    if (converted.ok) changes[field.name] = converted.value;
    else errors.push(converted.error);
  }
  return { changes, id: propertyIgnoringCase(body, 'id'), errors };
}

type Conversion = { ok: true; value: unknown } | { ok: false; error: string };

function convertBodyValue(field: FieldSpec, raw: unknown): Conversion {
  if (raw === null || raw === undefined) return { ok: true, value: null };
  const path = `Path '${field.name}'.`;
  switch (field.type) {
    case 'integer':
    case 'long': {
      const n = typeof raw === 'string' && /^\s*-?\d+\s*$/.test(raw) ? Number(raw) : raw;
      if (typeof n === 'number' && Number.isInteger(n)) return { ok: true, value: n };
      const netType = field.type === 'long' ? 'Int64' : 'Int32';
      return { ok: false, error: `Error converting value ${JSON.stringify(raw)} to type 'System.Nullable\`1[System.${netType}]'. ${path}` };
    }
    case 'double': {
      const n = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
      if (typeof n === 'number' && Number.isFinite(n)) return { ok: true, value: n };
      return { ok: false, error: `Could not convert string to double: ${String(raw)}. ${path}` };
    }
    case 'boolean': {
      if (typeof raw === 'boolean') return { ok: true, value: raw };
      if (raw === 1 || raw === 0) return { ok: true, value: raw === 1 };
      if (typeof raw === 'string' && /^(true|false)$/i.test(raw)) return { ok: true, value: raw.toLowerCase() === 'true' };
      return { ok: false, error: `Could not convert string to boolean: ${String(raw)}. ${path}` };
    }
    case 'datetime': {
      const text = String(raw);
      const ms = Date.parse(/(Z|[+-]\d\d:?\d\d)$/i.test(text) || /^\d{4}-\d\d-\d\d$/.test(text) ? text : `${text}Z`);
      if (Number.isNaN(ms)) return { ok: false, error: `Could not convert string to DateTime: ${text}. ${path}` };
      return { ok: true, value: autotaskTimestamp(new Date(ms)) };
    }
    default:
      if (typeof raw === 'object') return { ok: false, error: `Unexpected character encountered while parsing value: ${Array.isArray(raw) ? '[' : '{'}. ${path}` };
      return { ok: true, value: String(raw) };
  }
}

function isBlank(value: unknown): boolean {
  return value === null || value === undefined || (typeof value === 'string' && value.trim() === '');
}

function checkField(state: SimulatorState, entity: EntityDefinition, field: FieldSpec, record: EntityRecord): string | null {
  const value = record[field.name];
  if (value === null || value === undefined) return null;
  if (field.type === 'string' && field.length > 0 && String(value).length > field.length) {
    return `The value for field ${field.name} exceeds the maximum length of ${field.length} characters.`;
  }
  if (field.picklist) {
    const entry = state.picklist(entity, field.name).find((candidate) => candidate.value === String(value));
    if (!entry || !entry.isActive) return `Value ${String(value)} is not a valid or active picklist value for field: ${field.name}.`;
    if (field.picklistParent) {
      const parent = record[field.picklistParent];
      if (entry.parentValue !== String(parent ?? '')) {
        return `Value ${String(value)} for field: ${field.name} is not valid for ${field.picklistParent} ${String(parent ?? 'null')}.`;
      }
    }
  }
  return checkReference(state, field, value);
}

/** Only references the simulator models are checked; inactive targets count as invalid. */
function checkReference(state: SimulatorState, field: FieldSpec, value: unknown): string | null {
  const id = Number(value);
  if (field.reference === 'Company') {
    const company = state.get(state.entityNamed('Companies'), id);
    if (!company || company.isActive !== true) {
      return `Reference value on field: ${field.name} of type: Company does not exist or is invalid.`;
    }
  }
  if (field.reference === 'Resource') {
    const resource = state.get(state.entityNamed('Resources'), id);
    if (!resource || resource.isActive !== true) {
      return `Reference value on field: ${field.name} of type: Resource does not exist or is invalid.`;
    }
  }
  if (field.reference === 'Ticket' && !state.get(state.entityNamed('Tickets'), id)) {
    return `Reference value on field: ${field.name} of type: Ticket does not exist or is invalid.`;
  }
  if (field.reference === 'TicketWebhook' && !state.get(state.entityNamed('TicketWebhooks'), id)) {
    return `Reference value on field: ${field.name} of type: TicketWebhook does not exist or is invalid.`;
  }
  if (field.reference === 'BillingCode') {
    const code = state.get(state.entityNamed('BillingCodes'), id);
    // A ticket's Work Type must be an active billing code of use type 1.
    if (!code || code.isActive !== true || code.useType !== 1) {
      return `Reference value on field: ${field.name} of type: AllocationCode does not exist or is invalid.`;
    }
  }
  return null;
}

function mergeUdfs(existing: unknown, sent: unknown): unknown[] {
  const merged = Array.isArray(existing) ? existing.map((udf) => ({ ...(udf as object) })) as Array<Record<string, unknown>> : [];
  for (const udf of Array.isArray(sent) ? sent : []) {
    const name = String(propertyIgnoringCase(udf, 'name') ?? '');
    const value = propertyIgnoringCase(udf, 'value');
    const current = merged.find((entry) => String(entry.name).toLowerCase() === name.toLowerCase());
    if (current) current.value = value === null || value === undefined ? null : String(value);
    else merged.push({ name, value: value === null || value === undefined ? null : String(value) });
  }
  return merged;
}

function systemFields(entity: EntityDefinition, mode: WriteMode, record: EntityRecord, state: SimulatorState, context: WriteContext): void {
  const stamp = autotaskTimestamp(context.now);
  if (entity.name === 'Tickets') {
    if (mode === 'create') {
      record.createDate = stamp;
      record.ticketNumber = state.nextTicketNumber(context.now);
      record.creatorResourceID = API_USER_RESOURCE_ID;
      record.creatorType = 1;
      record.impersonatorCreatorResourceID = context.impersonationResourceId;
      if (record.ticketType === null || record.ticketType === undefined) {
        const fallback = state.picklist(entity, 'ticketType').find((entry) => entry.isDefaultValue);
        record.ticketType = fallback ? Number(fallback.value) : null;
      }
    }
    record.lastActivityDate = stamp;
    record.lastActivityResourceID = context.actingResourceId ?? API_USER_RESOURCE_ID;
    record.lastTrackedModificationDateTime = stamp;
    // Status 5 is the system "Complete" status.
    if (record.status === 5 && record.completedDate === null) record.completedDate = stamp;
    if (record.status !== 5) record.completedDate = null;
    return;
  }
  if (entity.name === 'Companies') {
    if (mode === 'create') {
      record.createDate = stamp;
      record.createdByResourceID = API_USER_RESOURCE_ID;
      record.impersonatorCreatorResourceID = context.impersonationResourceId;
      if (record.isActive === null || record.isActive === undefined) record.isActive = true;
    }
    record.lastActivityDate = stamp;
    record.lastTrackedModifiedDateTime = stamp;
    return;
  }
  if (entity.name === 'TicketNotes') {
    ticketNoteSystemFields(mode, record, context, stamp);
    return;
  }
  if (entity.name === 'TicketWebhooks' && mode === 'create') {
    record.webhookGUID = randomUUID();
    record.ownerResourceID = context.actingResourceId ?? API_USER_RESOURCE_ID;
    // Ready only once a subscribed field exists (webhook-rules.ts keeps it current).
    record.isReady = false;
  }
  if (entity.name === 'TicketWebhooks' || entity.parent?.entity === 'TicketWebhooks') {
    // Webhook models declare non-nullable bools: .NET binds an omitted one to false.
    for (const field of entity.fields) {
      if (field.type === 'boolean' && (record[field.name] === null || record[field.name] === undefined)) record[field.name] = false;
    }
  }
}

/**
 * The creator is whoever the note is written as; when the API user impersonates a resource, its own
 * resource is kept as the impersonator (autotask-facts §1, SWAGGER TicketNoteModel).
 */
function ticketNoteSystemFields(mode: WriteMode, record: EntityRecord, context: WriteContext, stamp: string): void {
  const apiUser = context.apiUserResourceId ?? API_USER_RESOURCE_ID;
  const impersonator = context.impersonationResourceId === null ? null : apiUser;
  if (mode === 'create') {
    record.createDateTime = stamp;
    record.creatorResourceID = context.actingResourceId ?? apiUser;
    record.impersonatorCreatorResourceID = impersonator;
  } else {
    record.impersonatorUpdaterResourceID = impersonator;
  }
  record.lastActivityDate = stamp;
}

/** Applies one write and answers its itemId, or throws the refusal. */
export function applyWrite(state: SimulatorState, entity: EntityDefinition, body: unknown, mode: WriteMode, context: WriteContext): number {
  const { changes, id, errors } = bindBody(entity, body);
  if (errors.length > 0) throw rejected(...errors);

  let existing: EntityRecord | undefined;
  if (mode !== 'create') {
    const numericId = typeof id === 'string' && /^\d+$/.test(id) ? Number(id) : id;
    if (typeof numericId !== 'number' || !Number.isInteger(numericId)) throw rejected('An id is required to update an entity.');
    existing = state.get(entity, numericId);
    if (!existing) throw rejected('No matching records found. The operation has been cancelled.');
  }

  const record: EntityRecord = mode === 'patch' && existing ? { ...existing } : {};
  if (mode === 'put' && existing) {
    for (const field of entity.fields) if (field.readOnly) record[field.name] = existing[field.name];
  }
  for (const [name, value] of Object.entries(changes)) if (name !== 'userDefinedFields') record[name] = value;
  if (entity.hasUserDefinedFields) {
    record.userDefinedFields = mode === 'patch' ? mergeUdfs(existing?.userDefinedFields, changes.userDefinedFields) : mergeUdfs([], changes.userDefinedFields);
  }

  const problems: string[] = [];
  for (const field of entity.fields) {
    if (field.required && isBlank(record[field.name])) problems.push(`Missing Required Field: ${field.name}.`);
  }
  for (const field of entity.fields) {
    // Stored values that have since become inactive only matter when the write touches them.
    if (mode === 'patch' && !(field.name in changes) && !(field.picklistParent && field.picklistParent in changes)) continue;
    const problem = checkField(state, entity, field, record);
    if (problem) problems.push(problem);
  }
  if (problems.length === 0) problems.push(...webhookRuleProblems(state, entity, record, existing));
  if (problems.length > 0) throw rejected(...problems);

  record.id = existing ? existing.id : state.allocateId(entity);
  systemFields(entity, mode, record, state, context);
  state.put(entity, record);
  return Number(record.id);
}

export function assertWritable(entity: EntityDefinition, method: string): void {
  // Children have no collection of their own to write to (`POST /TicketWebhookFields` does not exist).
  const allowed = entity.parent === undefined && (method === 'POST' ? entity.canCreate : entity.canUpdate);
  if (!allowed) throw new ApiFault(405, { Message: `The requested resource does not support http method '${method}'.` });
}
