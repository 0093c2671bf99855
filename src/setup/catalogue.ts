import type { RmmKind } from '../rmm/types';

/** One choosable value as the setup shows it: Autotask ids are numbers, RMM ids strings. */
export interface CatalogueValue<Id extends number | string = number> {
  id: Id;
  label: string;
  isActive: boolean;
  /** Sub-issue types name their issue type. */
  parentId?: number | null;
}

/**
 * What both systems offered when they were last read: the values mappings may point at, kept with
 * the time of reading so a stale choice is visible instead of silently sent.
 */
export interface Catalogue {
  connectorId: string;
  readAt: Date;
  autotask: {
    statuses: CatalogueValue[];
    priorities: CatalogueValue[];
    queues: CatalogueValue[];
    issueTypes: CatalogueValue[];
    subIssueTypes: CatalogueValue[];
    sources: CatalogueValue[];
    /** Active companies, plus any mapped company that is not active (so drift can say why). */
    companies: CatalogueValue[];
    /** Work types (billing codes of use type 1), active or not. */
    allocationCodes: CatalogueValue[];
  };
  rmm: {
    kind: RmmKind;
    /** Sites (profiles), with the Autotask company the RMM itself names for one, where it does. */
    sites: Array<CatalogueValue<string> & { autotaskCompanyId?: number | null }>;
    statuses: string[];
  };
  /** What the read cost, for the operator and the closing numbers. */
  calls: { autotask: number; rmm: number };
}

export const activeOnly = <T extends CatalogueValue<number | string>>(values: T[]): T[] => values.filter((v) => v.isActive);
