import type { AutotaskSession, FieldInformation, QueryFilter } from '../autotask/types';
import type { Connector } from '../connector/configuration';
import type { RmmSession } from '../rmm/session';
import type { RmmKind } from '../rmm/types';
import type { Catalogue, CatalogueValue } from './catalogue';

/** The RMM reads the catalogue needs. */
export type RmmCatalogueSource = Pick<RmmSession, 'requestCount' | 'listSites' | 'listStatuses'>;

const PAGE = 500;
/** Ticket picklists the setup offers, by their Autotask field names. */
const PICKLISTS = {
  statuses: 'status',
  priorities: 'priority',
  queues: 'queueID',
  issueTypes: 'issueType',
  subIssueTypes: 'subIssueType',
  sources: 'source',
} as const;

/**
 * Reads what both systems offer, spending as few Autotask calls as it can: one metadata call for
 * every ticket picklist, id-cursor pages of active companies and of work types, and one look-up of
 * mapped companies that are not active (to tell "inactive" from "gone").
 */
export async function readCatalogue(
  connector: Connector,
  autotask: AutotaskSession,
  rmm: RmmCatalogueSource,
  now: () => Date = () => new Date(),
): Promise<Catalogue> {
  const autotaskBefore = autotask.requestCount;
  const rmmBefore = rmm.requestCount;
  const collect = async <T extends { id: number }>(entity: string, filter: QueryFilter[], fields: string[]): Promise<T[]> => {
    const all: T[] = [];
    for await (const page of autotask.queryAll<T>(entity, filter, { includeFields: fields, pageSize: PAGE })) all.push(...page);
    return all;
  };

  const [fields, companies, workTypes, rmmSide] = await Promise.all([
    autotask.getFieldInformation('Tickets'),
    collect<{ id: number; companyName: string; isActive: boolean }>('Companies', [{ op: 'eq', field: 'isActive', value: true }], ['companyName', 'isActive']),
    collect<{ id: number; name: string; isActive: boolean }>('BillingCodes', [{ op: 'eq', field: 'useType', value: 1 }], ['name', 'isActive']),
    readRmmSide(connector.rmm.kind, rmm),
  ]);

  const activeIds = new Set(companies.map((c) => c.id));
  const mappedElsewhere = [...new Set(connector.mappings.profiles.map((p) => p.companyId))].filter((id) => !activeIds.has(id));
  const inactive =
    mappedElsewhere.length > 0
      ? await collect<{ id: number; companyName: string; isActive: boolean }>(
          'Companies',
          [{ op: 'in', field: 'id', value: mappedElsewhere }],
          ['companyName', 'isActive'],
        )
      : [];

  const picklist = (name: string): CatalogueValue[] => picklistValues(fields, name);
  return {
    connectorId: connector.id,
    readAt: now(),
    autotask: {
      statuses: picklist(PICKLISTS.statuses),
      priorities: picklist(PICKLISTS.priorities),
      queues: picklist(PICKLISTS.queues),
      issueTypes: picklist(PICKLISTS.issueTypes),
      subIssueTypes: picklist(PICKLISTS.subIssueTypes),
      sources: picklist(PICKLISTS.sources),
      companies: [...companies, ...inactive].map((c) => ({ id: c.id, label: c.companyName, isActive: c.isActive === true })),
      allocationCodes: workTypes.map((b) => ({ id: b.id, label: b.name, isActive: b.isActive === true })),
    },
    rmm: rmmSide,
    calls: { autotask: autotask.requestCount - autotaskBefore, rmm: rmm.requestCount - rmmBefore },
  };
}

/** The RMM's half of the catalogue alone: what a link the wizard has not saved yet offers. */
export async function readRmmSide(kind: RmmKind, rmm: RmmCatalogueSource): Promise<Catalogue['rmm']> {
  const [sites, statuses] = await Promise.all([rmm.listSites(), rmm.listStatuses()]);
  return {
    kind,
    sites: sites.map((site) => ({ id: site.id, label: site.name, isActive: true, autotaskCompanyId: site.autotaskCompanyId ?? null })),
    statuses,
  };
}

function picklistValues(fields: FieldInformation[], name: string): CatalogueValue[] {
  const field = fields.find((f) => f.name.toLowerCase() === name.toLowerCase());
  return (field?.picklistValues ?? [])
    .filter((v) => /^\d+$/.test(v.value))
    .sort((a, b) => a.sortOrder - b.sortOrder)
    .map((v) => ({
      id: Number(v.value),
      label: v.label,
      isActive: v.isActive,
      parentId: v.parentValue && /^\d+$/.test(v.parentValue) ? Number(v.parentValue) : null,
    }));
}
