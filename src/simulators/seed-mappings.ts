import type { Mappings } from '../connector/configuration';
import { SEED_AUTOTASK_COMPANY_IDS, SEED_SITE_UIDS } from './datto-rmm/seed';

/**
 * Associations that fit both simulators' seeds (PCSM profiles P-1/P-2 and statuses; Autotask
 * companies 174/175, statuses, priorities — Critical is 4 —, the Monitoring Alert queue and the
 * Remote Support work type). The demo, the benchmarks and the tests start from these.
 */
export const SEEDED_MAPPINGS: Mappings = {
  profiles: [
    { profileId: 'P-1', companyId: 174 },
    { profileId: 'P-2', companyId: 175 },
  ],
  queueId: 29683498,
  statuses: [
    { rmm: 'New', autotask: 1 },
    { rmm: 'In Progress', autotask: 8 },
    { rmm: 'Waiting', autotask: 7 },
    { rmm: 'Resolved', autotask: 5 },
    { rmm: 'Closed', autotask: 5 },
  ],
  reverseStatuses: [],
  severities: [
    { rmm: 1, autotask: 3 },
    { rmm: 2, autotask: 2 },
    { rmm: 3, autotask: 1 },
    { rmm: 4, autotask: 4 },
    { rmm: 5, autotask: 4 },
  ],
  allocationCodeId: 29682801,
};

/**
 * The same for the Datto RMM simulator's seed: Fabrikam and its branch office → 174, Northwind →
 * 175 (the companies the sites name themselves); Wide World Importers and Tailspin Toys stay
 * unassociated. Critical for Critical and High, as the wizard suggests.
 */
export const DATTO_SEEDED_MAPPINGS: Mappings = {
  profiles: [
    { profileId: SEED_SITE_UIDS.fabrikam, companyId: Number(SEED_AUTOTASK_COMPANY_IDS.fabrikam) },
    { profileId: SEED_SITE_UIDS.fabrikamBranch, companyId: Number(SEED_AUTOTASK_COMPANY_IDS.fabrikam) },
    { profileId: SEED_SITE_UIDS.northwind, companyId: Number(SEED_AUTOTASK_COMPANY_IDS.northwind) },
  ],
  queueId: 29683498,
  statuses: [
    { rmm: 'Open', autotask: 1 },
    { rmm: 'Resolved', autotask: 5 },
  ],
  reverseStatuses: [],
  severities: [
    { rmm: 'Critical', autotask: 4 },
    { rmm: 'High', autotask: 4 },
    { rmm: 'Moderate', autotask: 2 },
    { rmm: 'Low', autotask: 3 },
    { rmm: 'Information', autotask: 3 },
  ],
  allocationCodeId: 29682801,
};
