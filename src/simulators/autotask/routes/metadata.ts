/** `entityInformation`, `entityInformation/fields` and `entityInformation/userDefinedFields`. */
import type { FieldInformation } from '../../../autotask/types';
import type { EntityDefinition } from '../model';
import type { SimulatorState } from '../state';

const WEBHOOK_ENTITIES = new Set(['Tickets', 'Companies']);

export function entityInformation(entity: EntityDefinition): unknown {
  return {
    info: {
      name: entity.singular,
      canCreate: entity.canCreate,
      canDelete: false,
      canQuery: true,
      canUpdate: entity.canUpdate,
      userAccessForCreate: entity.canCreate ? 'All' : 'None',
      userAccessForDelete: 'None',
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
      isSupportedWebhookField: WEBHOOK_ENTITIES.has(entity.name) && !field.readOnly,
    })),
  };
}
