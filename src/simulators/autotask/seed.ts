/**
 * The simulator's default tenant. Other tests rely on these ids: change them only with care.
 *
 * Companies (isActive is a boolean on Company):
 *   0 "Contoso MSP (own company)", 174 "Fabrikam Ltd", 175 "Northwind Traders" (active),
 *   176 "Old Customer" (inactive). New companies get ids from 177.
 * Ticket picklists (values are instance-specific ids, sent as numbers on the entity, strings in metadata):
 *   status:       1 New, 5 Complete, 7 Waiting Customer, 8 In Progress, 13 Waiting Vendor,
 *                 15 Deprecated Status (inactive)
 *   priority:     1 High, 2 Medium, 3 Low, 4 Critical (ids NOT ordered by severity, as in real tenants)
 *   queueID:      5 Client Portal, 8 Post Sale, 29683498 Monitoring Alert
 *   issueType:    1 Hardware, 2 Software, 3 Network
 *   subIssueType: 101 Disk (1), 102 Memory (1), 201 Operating System (2), 202 Application (2), 301 Connectivity (3)
 *   source:       2 Email, 4 Phone, 8 Monitoring Alert, 9 Legacy Fax (inactive)
 *   ticketType:   1 Service Request (default), 2 Incident, 3 Problem, 4 Change Request, 5 Alert
 * BillingCodes (read-only; useType 1 = Work Type, 2 = Material):
 *   29682801 "Remote Support" (work type, active), 29682802 "Onsite Support" (work type, active),
 *   29682803 "Hardware" (material, active), 29682804 "Legacy Work" (work type, inactive)
 * Tickets: none. New tickets get ids from 30001 and numbers like T20261129.0001.
 * Resources (query/get): 29682885 "API User" (userName api@contoso.example — the default credentials'
 *   API-only user; creatorResourceID of API-created tickets and the acting resource of API writes),
 *   29682886 "Tina Technician" (tina.technician@contoso.example; the default acting resource of the
 *   addTickets/changeTicket controls), 29682887 "Former Employee" (inactive).
 * Ticket webhook fields (TicketWebhookFields.fieldID picklist: value = field id, label = Ticket field name):
 *   see WEBHOOK_TICKET_FIELD_IDS below (e.g. 3 status, 4 priority, 2 title).
 * TicketWebhooks, their Fields/ExcludedResources and WebhookEventErrorLogs: none; ids from 1.
 * TicketNotes: none; ids from 50001. Picklists (ids as a live tenant showed them in 2026):
 *   noteType: 1 Task Summary, 2 Task Detail, 3 Task Notes, 13 Workflow Rule Note, 18 Client Portal Note,
 *             99 RMM Note, 101 Email Note, 19 Taskfire Note (inactive)
 *   publish:  1 All Autotask Users, 2 Internal Project Team, 4 Internal & Co-Managed
 */
import type { PicklistValue } from '../../autotask/types';

export type EntityRecord = Record<string, unknown>;

export interface SeedData {
  companies: EntityRecord[];
  billingCodes: EntityRecord[];
  resources: EntityRecord[];
  /** entity name → field → values */
  picklists: Record<string, Record<string, PicklistValue[]>>;
  nextIds: Record<string, number>;
}

export const API_USER_RESOURCE_ID = 29682885;
export const TECHNICIAN_RESOURCE_ID = 29682886;
export const INACTIVE_RESOURCE_ID = 29682887;
/** The default credentials' API-only user, whose resource is API_USER_RESOURCE_ID. */
export const API_USER_NAME = 'api@contoso.example';

/**
 * Ticket fields a webhook can subscribe to or display, with this tenant's field ids. Real ids are
 * Autotask's own; clients must look them up through TicketWebhookFields/entityInformation/fields.
 */
export const WEBHOOK_TICKET_FIELD_IDS: Readonly<Record<string, number>> = {
  companyID: 1, title: 2, status: 3, priority: 4, queueID: 5, assignedResourceID: 6, ticketNumber: 7,
  lastActivityDate: 8, description: 9, dueDateTime: 10, issueType: 11, subIssueType: 12, ticketType: 13, source: 14,
  contactID: 15, externalID: 16, billingCodeID: 17, resolution: 18, completedDate: 19, createDate: 20,
  configurationItemID: 21, contractID: 22, assignedResourceRoleID: 23, estimatedHours: 24, rmmAlertID: 25,
};

export const SEED_IDS = {
  companies: { ownCompany: 0, fabrikam: 174, northwind: 175, inactive: 176 },
  statuses: { new: 1, complete: 5, waitingCustomer: 7, inProgress: 8, waitingVendor: 13, inactive: 15 },
  priorities: { high: 1, medium: 2, low: 3, critical: 4 },
  queues: { clientPortal: 5, postSale: 8, monitoringAlert: 29683498 },
  noteTypes: { taskSummary: 1, taskDetail: 2, rmmNote: 99, inactive: 19 },
  publish: { allAutotaskUsers: 1, internalProjectTeam: 2 },
  billingCodes: { remoteSupport: 29682801, onsiteSupport: 29682802, hardwareMaterial: 29682803, inactiveWork: 29682804 },
} as const;

type PicklistRow = [value: number, label: string, options?: { isActive?: boolean; parent?: number; isDefault?: boolean }];

function picklistValues(rows: PicklistRow[]): PicklistValue[] {
  return rows.map(([value, label, options = {}], index) => ({
    value: String(value),
    label,
    isDefaultValue: options.isDefault ?? false,
    sortOrder: index + 1,
    parentValue: options.parent === undefined ? '' : String(options.parent),
    isActive: options.isActive ?? true,
    isSystem: false,
  }));
}

function company(id: number, companyName: string, isActive: boolean): EntityRecord {
  return { id, companyName, companyType: 1, isActive, ownerResourceID: API_USER_RESOURCE_ID, phone: '+1 555 0100', createDate: '2020-01-01T00:00:00' };
}

function billingCode(id: number, name: string, useType: number, isActive: boolean): EntityRecord {
  return { id, name, description: name, useType, billingCodeType: 0, isActive, isExcludedFromNewContracts: false, unitPrice: 0 };
}

function resource(id: number, firstName: string, lastName: string, userName: string, isActive: boolean): EntityRecord {
  return { id, firstName, lastName, userName, email: userName, isActive, resourceType: 'Employee', licenseType: 1, userType: 1 };
}

export function defaultSeed(): SeedData {
  return {
    resources: [
      resource(API_USER_RESOURCE_ID, 'API', 'User', API_USER_NAME, true),
      resource(TECHNICIAN_RESOURCE_ID, 'Tina', 'Technician', 'tina.technician@contoso.example', true),
      resource(INACTIVE_RESOURCE_ID, 'Former', 'Employee', 'former.employee@contoso.example', false),
    ],
    companies: [
      company(0, 'Contoso MSP (own company)', true),
      company(174, 'Fabrikam Ltd', true),
      company(175, 'Northwind Traders', true),
      company(176, 'Old Customer', false),
    ],
    billingCodes: [
      billingCode(29682801, 'Remote Support', 1, true),
      billingCode(29682802, 'Onsite Support', 1, true),
      billingCode(29682803, 'Hardware', 2, true),
      billingCode(29682804, 'Legacy Work', 1, false),
    ],
    picklists: {
      Tickets: {
        status: picklistValues([
          [1, 'New', { isDefault: true }], [5, 'Complete'], [7, 'Waiting Customer'], [8, 'In Progress'],
          [13, 'Waiting Vendor'], [15, 'Deprecated Status', { isActive: false }],
        ]),
        priority: picklistValues([[4, 'Critical'], [1, 'High'], [2, 'Medium', { isDefault: true }], [3, 'Low']]),
        queueID: picklistValues([[5, 'Client Portal'], [8, 'Post Sale'], [29683498, 'Monitoring Alert']]),
        issueType: picklistValues([[1, 'Hardware'], [2, 'Software'], [3, 'Network']]),
        subIssueType: picklistValues([
          [101, 'Disk', { parent: 1 }], [102, 'Memory', { parent: 1 }], [201, 'Operating System', { parent: 2 }],
          [202, 'Application', { parent: 2 }], [301, 'Connectivity', { parent: 3 }],
        ]),
        source: picklistValues([[2, 'Email'], [4, 'Phone'], [8, 'Monitoring Alert'], [9, 'Legacy Fax', { isActive: false }]]),
        ticketType: picklistValues([
          [1, 'Service Request', { isDefault: true }], [2, 'Incident'], [3, 'Problem'], [4, 'Change Request'], [5, 'Alert'],
        ]),
      },
      Companies: {
        companyType: picklistValues([
          [1, 'Customer'], [2, 'Lead'], [3, 'Prospect'], [4, 'Dead'], [6, 'Cancellation'], [7, 'Vendor'], [8, 'Partner'],
        ]),
      },
      TicketWebhookFields: {
        fieldID: Object.entries(WEBHOOK_TICKET_FIELD_IDS).map(([name, id], index) => ({
          value: String(id), label: name, isDefaultValue: false, sortOrder: index + 1, parentValue: '', isActive: true, isSystem: true,
        })),
      },
      TicketNotes: {
        noteType: picklistValues([
          [1, 'Task Summary'], [2, 'Task Detail'], [3, 'Task Notes'], [13, 'Workflow Rule Note'], [18, 'Client Portal Note'],
          [99, 'RMM Note'], [101, 'Email Note'], [19, 'Taskfire Note', { isActive: false }],
        ]),
        publish: picklistValues([[1, 'All Autotask Users'], [2, 'Internal Project Team'], [4, 'Internal & Co-Managed']]),
      },
      BillingCodes: {
        useType: picklistValues([[1, 'Work Type'], [2, 'Material']]),
        billingCodeType: picklistValues([[0, 'Normal'], [1, 'System'], [2, 'Non-Billable']]),
      },
    },
    nextIds: {
      Tickets: 30001, Companies: 177, BillingCodes: 29682805, Resources: 29682888,
      TicketWebhooks: 1, TicketWebhookFields: 1, TicketWebhookExcludedResources: 1, WebhookEventErrorLogs: 1, TicketNotes: 50001,
    },
  };
}
