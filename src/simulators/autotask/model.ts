/**
 * The entities the simulator serves, with field names and types exactly as the official Swagger's
 * TicketModel / CompanyModel / BillingCodeModel / TicketNoteModel … declare them. Swagger carries no required flags,
 * picklists or references: those come from Autotask's developer help and are layered on top here.
 */

export type FieldType = 'integer' | 'long' | 'double' | 'string' | 'datetime' | 'boolean';

export interface FieldSpec {
  name: string;
  type: FieldType;
  readOnly: boolean;
  required: boolean;
  queryable: boolean;
  length: number;
  /** Entity a reference field points at (Autotask's `referenceEntityType`). */
  reference: string;
  picklist: boolean;
  /** For dependent picklists such as subIssueType → issueType. */
  picklistParent: string;
}

export interface EntityDefinition {
  /** URL name, e.g. `Tickets`. */
  name: string;
  /** Name used in Autotask's error texts, e.g. "Unable to find x in the Ticket Entity." */
  singular: string;
  canCreate: boolean;
  canUpdate: boolean;
  /** `DELETE /{Entity}/{id}` exists (webhooks and their error log; never Tickets or Companies). */
  canDelete: boolean;
  hasUserDefinedFields: boolean;
  /** Child entities are written only through their parent (`POST /TicketWebhooks/{id}/Fields`). */
  parent?: ChildOf;
  fields: FieldSpec[];
  /** Lower-cased field name → spec; Autotask matches field names case-insensitively. */
  byLowerName: Map<string, FieldSpec>;
}

export interface ChildOf {
  /** URL name of the parent (`Tickets`); its endpoint is the one the child path is counted against. */
  entity: string;
  /** Path below `/{Parent}/{parentId}/`, e.g. `Notes`. */
  path: string;
  /** The child's field naming its parent, filled in from the URL when the body leaves it out. */
  key: string;
  /**
   * The Swagger has no `/{Child}` collection path at all, so any call on it is 404 (observed for
   * `POST /TicketNotes`: WYRE-AI/autotask-mcp#24, tegwin/AutotaskMCP#1). Unset: 405, as the
   * webhook children have always answered here.
   */
  noRootCollection?: true;
}

type FieldOverrides = Partial<Omit<FieldSpec, 'name' | 'type'>>;

function defineEntity(
  base: Omit<EntityDefinition, 'fields' | 'byLowerName'>,
  declaration: string,
  overrides: Record<string, FieldOverrides>,
): EntityDefinition {
  const fields = declaration
    .trim()
    .split(/\s+/)
    .map((pair): FieldSpec => {
      const [name = '', type = ''] = pair.split(':');
      return {
        name,
        type: type as FieldType,
        readOnly: false,
        required: false,
        queryable: true,
        length: type === 'string' ? 8000 : 0,
        reference: '',
        picklist: false,
        picklistParent: '',
        ...overrides[name],
      };
    });
  for (const name of Object.keys(overrides)) {
    if (!fields.some((field) => field.name === name)) throw new Error(`override for unknown field ${base.name}.${name}`);
  }
  return { ...base, fields, byLowerName: new Map(fields.map((field) => [field.name.toLowerCase(), field])) };
}

const readOnly: FieldOverrides = { readOnly: true };
const picklist: FieldOverrides = { picklist: true };

export const TICKETS = defineEntity(
  { name: 'Tickets', singular: 'Ticket', canCreate: true, canUpdate: true, canDelete: false, hasUserDefinedFields: true },
  `id:long apiVendorID:integer assignedResourceID:integer assignedResourceRoleID:integer billingCodeID:integer
   changeApprovalBoard:integer changeApprovalStatus:integer changeApprovalType:integer changeInfoField1:string
   changeInfoField2:string changeInfoField3:string changeInfoField4:string changeInfoField5:string companyID:integer
   companyLocationID:integer completedByResourceID:integer completedDate:datetime configurationItemID:integer
   contactID:integer contractID:integer contractServiceBundleID:long contractServiceID:long createDate:datetime
   createdByContactID:integer creatorResourceID:integer creatorType:integer currentServiceThermometerRating:integer
   description:string dueDateTime:datetime estimatedHours:double externalID:string firstResponseAssignedResourceID:integer
   firstResponseDateTime:datetime firstResponseDueDateTime:datetime firstResponseInitiatingResourceID:integer
   hoursToBeScheduled:double impersonatorCreatorResourceID:integer isAssignedToComanaged:boolean issueType:integer
   isVisibleToComanaged:boolean lastActivityDate:datetime lastActivityPersonType:integer lastActivityResourceID:integer
   lastCustomerNotificationDateTime:datetime lastCustomerVisibleActivityDateTime:datetime
   lastTrackedModificationDateTime:datetime monitorID:long monitorTypeID:integer opportunityID:integer
   organizationalLevelAssociationID:integer previousServiceThermometerRating:integer priority:integer
   problemTicketId:integer projectID:integer purchaseOrderNumber:string queueID:integer resolution:string
   resolutionPlanDateTime:datetime resolutionPlanDueDateTime:datetime resolvedDateTime:datetime
   resolvedDueDateTime:datetime rmaStatus:integer rmaType:integer rmmAlertID:string
   serviceLevelAgreementHasBeenMet:boolean serviceLevelAgreementID:integer
   serviceLevelAgreementPausedNextEventHours:double serviceThermometerTemperature:integer source:integer status:integer
   subIssueType:integer ticketCategory:integer ticketNumber:string ticketType:integer title:string`,
  {
    id: readOnly,
    apiVendorID: readOnly,
    companyID: { required: true, reference: 'Company' },
    billingCodeID: { reference: 'BillingCode' },
    contactID: { reference: 'Contact' },
    configurationItemID: { reference: 'ConfigurationItem' },
    contractID: { reference: 'Contract' },
    assignedResourceID: { reference: 'Resource' },
    title: { required: true, length: 255 },
    description: { length: 8000 },
    externalID: { length: 50 },
    rmmAlertID: { length: 255 },
    purchaseOrderNumber: { length: 50 },
    status: { required: true, picklist: true },
    priority: { required: true, picklist: true },
    queueID: picklist,
    issueType: picklist,
    subIssueType: { picklist: true, picklistParent: 'issueType' },
    source: picklist,
    ticketType: picklist,
    ticketNumber: { readOnly: true, length: 50 },
    createDate: readOnly,
    creatorResourceID: readOnly,
    createdByContactID: readOnly,
    impersonatorCreatorResourceID: readOnly,
    lastActivityDate: readOnly,
    lastActivityResourceID: readOnly,
    lastTrackedModificationDateTime: readOnly,
    completedDate: readOnly,
    firstResponseDateTime: readOnly,
    currentServiceThermometerRating: readOnly,
    previousServiceThermometerRating: readOnly,
    serviceThermometerTemperature: readOnly,
    serviceLevelAgreementHasBeenMet: readOnly,
    lastCustomerNotificationDateTime: readOnly,
    lastCustomerVisibleActivityDateTime: readOnly,
    // HELP/REST/Entities/TicketsEntity.htm lists these two as not queryable.
    creatorType: { readOnly: true, queryable: false },
    lastActivityPersonType: { readOnly: true, queryable: false },
  },
);

export const COMPANIES = defineEntity(
  { name: 'Companies', singular: 'Company', canCreate: true, canUpdate: true, canDelete: false, hasUserDefinedFields: true },
  `id:long additionalAddressInformation:string address1:string address2:string alternatePhone1:string
   alternatePhone2:string apiVendorID:integer assetValue:double billToCompanyLocationID:integer
   billToAdditionalAddressInformation:string billingAddress1:string billingAddress2:string billToAddressToUse:integer
   billToAttention:string billToCity:string billToCountryID:integer billToState:string billToZipCode:string city:string
   classification:integer companyCategoryID:integer companyName:string companyNumber:string companyType:integer
   competitorID:integer countryID:integer createDate:datetime createdByResourceID:integer currencyID:integer fax:string
   impersonatorCreatorResourceID:integer invoiceEmailMessageID:integer invoiceMethod:integer
   invoiceNonContractItemsToParentCompany:boolean invoiceTemplateID:integer isActive:boolean
   isClientPortalActive:boolean isEnabledForComanaged:boolean isSample:boolean isTaskFireActive:boolean
   isTaxExempt:boolean lastActivityDate:datetime lastTrackedModifiedDateTime:datetime marketSegmentID:integer
   ownerResourceID:integer parentCompanyID:integer phone:string postalCode:string purchaseOrderTemplateID:integer
   quoteEmailMessageID:integer quoteTemplateID:integer sicCode:string state:string stockMarket:string
   stockSymbol:string surveyCompanyRating:double taxID:string taxRegionID:integer territoryID:integer webAddress:string`,
  {
    id: readOnly,
    apiVendorID: readOnly,
    companyName: { required: true, length: 100 },
    companyType: { required: true, picklist: true },
    ownerResourceID: { required: true, reference: 'Resource' },
    phone: { required: true, length: 25 },
    parentCompanyID: { reference: 'Company' },
    createDate: readOnly,
    createdByResourceID: readOnly,
    impersonatorCreatorResourceID: readOnly,
    lastActivityDate: readOnly,
    lastTrackedModifiedDateTime: readOnly,
  },
);

/** Read-only over REST (query/get only) [HELP BillingCodesEntity]. */
export const BILLING_CODES = defineEntity(
  { name: 'BillingCodes', singular: 'BillingCode', canCreate: false, canUpdate: false, canDelete: false, hasUserDefinedFields: false },
  `id:long afterHoursWorkType:integer billingCodeType:integer department:integer description:string
   externalNumber:string generalLedgerAccount:integer isActive:boolean isExcludedFromNewContracts:boolean
   markupRate:double name:string taxCategoryID:integer unitCost:double unitPrice:double useType:integer`,
  Object.fromEntries(
    ['id', 'afterHoursWorkType', 'billingCodeType', 'department', 'description', 'externalNumber', 'generalLedgerAccount',
      'isActive', 'isExcludedFromNewContracts', 'markupRate', 'name', 'taxCategoryID', 'unitCost', 'unitPrice', 'useType',
    ].map((name) => [name, name === 'useType' || name === 'billingCodeType' ? { readOnly: true, picklist: true } : readOnly]),
  ),
);

/** ResourceModel; no POST in the Swagger (resources are created in the UI), PATCH/PUT exist. */
export const RESOURCES = defineEntity(
  { name: 'Resources', singular: 'Resource', canCreate: false, canUpdate: true, canDelete: false, hasUserDefinedFields: false },
  `id:long accountingReferenceID:string dateFormat:string defaultServiceDeskRoleID:long email:string email2:string
   email3:string emailTypeCode:string emailTypeCode2:string emailTypeCode3:string firstName:string gender:string
   greeting:integer hireDate:datetime homePhone:string initials:string internalCost:double isActive:boolean
   lastName:string licenseType:integer locationID:integer middleName:string mobilePhone:string numberFormat:string
   officeExtension:string officePhone:string payrollIdentifier:string payrollType:integer resourceType:string
   suffix:integer surveyResourceRating:double timeFormat:string title:string travelAvailabilityPct:string
   userName:string userType:integer`,
  { id: readOnly, userName: { readOnly: true, length: 32 }, firstName: { length: 50 }, lastName: { length: 50 }, email: { length: 254 } },
);

/** TicketWebhookModel; lengths from Autotask's webhook entity pages. Both URLs are required to create one. */
export const TICKET_WEBHOOKS = defineEntity(
  { name: 'TicketWebhooks', singular: 'TicketWebhook', canCreate: true, canUpdate: true, canDelete: true, hasUserDefinedFields: false },
  `id:long deactivationUrl:string isActive:boolean isReady:boolean isSubscribedToCreateEvents:boolean
   isSubscribedToDeleteEvents:boolean isSubscribedToUpdateEvents:boolean name:string notificationEmailAddress:string
   ownerResourceID:integer secretKey:string sendThresholdExceededNotification:boolean webhookGUID:string webhookUrl:string`,
  {
    id: readOnly,
    name: { length: 50 },
    webhookUrl: { required: true, length: 500 },
    deactivationUrl: { required: true, length: 500 },
    secretKey: { length: 64 },
    notificationEmailAddress: { length: 150 },
    isReady: readOnly,
    ownerResourceID: { readOnly: true, reference: 'Resource' },
    webhookGUID: { readOnly: true, length: 100 },
  },
);

const webhookChild = { entity: 'TicketWebhooks', key: 'webhookID' };

/** TicketWebhookFieldModel: `fieldID` is a picklist whose values are Ticket field ids and labels their names. */
export const TICKET_WEBHOOK_FIELDS = defineEntity(
  {
    name: 'TicketWebhookFields', singular: 'TicketWebhookField', canCreate: true, canUpdate: true, canDelete: true,
    hasUserDefinedFields: false, parent: { ...webhookChild, path: 'Fields' },
  },
  'id:long fieldID:integer isDisplayAlwaysField:boolean isSubscribedField:boolean webhookID:integer',
  { id: readOnly, fieldID: { required: true, picklist: true }, webhookID: { required: true, reference: 'TicketWebhook' } },
);

export const TICKET_WEBHOOK_EXCLUDED_RESOURCES = defineEntity(
  {
    name: 'TicketWebhookExcludedResources', singular: 'TicketWebhookExcludedResource', canCreate: true, canUpdate: false,
    canDelete: true, hasUserDefinedFields: false, parent: { ...webhookChild, path: 'ExcludedResources' },
  },
  'id:long resourceID:integer webhookID:integer',
  { id: readOnly, resourceID: { required: true, reference: 'Resource' }, webhookID: { required: true, reference: 'TicketWebhook' } },
);

/**
 * TicketNoteModel. Required on create and lengths: Autotask's field info as the SOAP-era generator
 * recorded it (ecitsolutions/Autotask `New-AtwsTicketNote.ps1`: Description 32000 and mandatory,
 * NoteType, Publish, TicketID mandatory, Title 250 optional), confirmed by a live probe in 2026 that
 * also saw `createdByContactID` writable. `title` becomes required only through the ticket
 * category's "Require titles on ticket notes" (HELP TicketNotesEntity), which is not modelled.
 */
export const TICKET_NOTES = defineEntity(
  {
    name: 'TicketNotes', singular: 'TicketNote', canCreate: true, canUpdate: true, canDelete: false, hasUserDefinedFields: false,
    parent: { entity: 'Tickets', path: 'Notes', key: 'ticketID', noRootCollection: true },
  },
  `id:long createDateTime:datetime createdByContactID:integer creatorResourceID:integer description:string
   impersonatorCreatorResourceID:integer impersonatorUpdaterResourceID:integer lastActivityDate:datetime
   noteType:integer publish:integer ticketID:integer title:string`,
  {
    id: readOnly,
    ticketID: { required: true, reference: 'Ticket' },
    title: { length: 250 },
    description: { required: true, length: 32000 },
    noteType: { required: true, picklist: true },
    publish: { required: true, picklist: true },
    createdByContactID: { reference: 'Contact' },
    createDateTime: readOnly,
    creatorResourceID: readOnly,
    impersonatorCreatorResourceID: readOnly,
    impersonatorUpdaterResourceID: readOnly,
    lastActivityDate: readOnly,
  },
);

/**
 * WebhookEventErrorLogModel, exactly as the Swagger has it: it names only account and contact
 * webhooks, so a Ticket webhook's entry is recognised by the `Guid` inside `payload`.
 */
export const WEBHOOK_EVENT_ERROR_LOGS = defineEntity(
  { name: 'WebhookEventErrorLogs', singular: 'WebhookEventErrorLog', canCreate: false, canUpdate: false, canDelete: true, hasUserDefinedFields: false },
  'id:long accountWebhookID:integer contactWebhookID:integer createDateTime:datetime errorMessage:string payload:string sequenceNumber:integer',
  Object.fromEntries(['id', 'accountWebhookID', 'contactWebhookID', 'createDateTime', 'errorMessage', 'payload', 'sequenceNumber'].map((name) => [name, readOnly])),
);

export const ENTITIES: readonly EntityDefinition[] = [
  TICKETS, COMPANIES, BILLING_CODES, RESOURCES, TICKET_WEBHOOKS, TICKET_WEBHOOK_FIELDS, TICKET_WEBHOOK_EXCLUDED_RESOURCES,
  WEBHOOK_EVENT_ERROR_LOGS, TICKET_NOTES,
];

export function findEntity(urlName: string): EntityDefinition | undefined {
  const lower = urlName.toLowerCase();
  return ENTITIES.find((entity) => entity.name.toLowerCase() === lower);
}

export function findField(entity: EntityDefinition, name: string): FieldSpec | undefined {
  return entity.byLowerName.get(name.toLowerCase());
}

/** Autotask's timestamp shape: UTC without a zone designator, e.g. 2026-11-29T12:00:00.307 */
export function autotaskTimestamp(at: Date): string {
  return at.toISOString().replace(/Z$/, '');
}
