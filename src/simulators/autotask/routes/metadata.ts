/** `entityInformation`, `entityInformation/fields` and `entityInformation/userDefinedFields`. */
import type { FieldInformation } from '../../../autotask/types';
import type { EntityDefinition } from '../model';
import { WEBHOOK_TICKET_FIELD_IDS } from '../seed';
import type { SimulatorState } from '../state';

const WEBHOOK_ENTITIES = new Set(['Tickets', 'Companies']);

/** Tickets: exactly the fields the TicketWebhookFields picklist offers; Companies: every writable field. */
function isSupportedWebhookField(entity: EntityDefinition, name: string, readOnly: boolean): boolean {
  if (entity.name === 'Tickets') return name in WEBHOOK_TICKET_FIELD_IDS;
  return WEBHOOK_ENTITIES.has(entity.name) && !readOnly;
}

export function entityInformation(entity: EntityDefinition): unknown {
  return {
    info: {
      name: entity.singular,
      canCreate: entity.canCreate,
      canDelete: entity.canDelete,
      canQuery: true,
      canUpdate: entity.canUpdate,
      userAccessForCreate: entity.canCreate ? 'All' : 'None',
      userAccessForDelete: entity.canDelete ? 'All' : 'None',
      userAccessForQuery: 'All',
      userAccessForUpdate: entity.canUpdate ? 'All' : 'None',
      hasUserDefinedFields: entity.hasUserDefinedFields,
      supportsWebhookCallouts: WEBHOOK_ENTITIES.has(entity.name),
    },
  };
}

export function fieldInformation(state: SimulatorState, entity: EntityDefinition): { fields: FieldInformation[] } {
  return {
    fields: entity.fields.map((field) => ({
      name: field.name,
      dataType: field.type,
      length: field.length,
      isRequired: field.required,
      isReadOnly: field.readOnly,
      isQueryable: field.queryable,
      isReference: field.reference !== '',
      referenceEntityType: field.reference,
      isPickList: field.picklist,
      picklistValues: field.picklist ? state.picklist(entity, field.name).map((value) => ({ ...value })) : null,
      picklistParentValueField: field.picklistParent,
      isSupportedWebhookField: isSupportedWebhookField(entity, field.name, field.readOnly),
    })),
  };
}
