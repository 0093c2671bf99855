import type { Mappings } from '../connector/configuration';

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
    { pcsm: 'New', autotask: 1 },
    { pcsm: 'In Progress', autotask: 8 },
    { pcsm: 'Waiting', autotask: 7 },
    { pcsm: 'Resolved', autotask: 5 },
    { pcsm: 'Closed', autotask: 5 },
  ],
  reverseStatuses: [],
  severities: [
    { pcsm: 1, autotask: 3 },
    { pcsm: 2, autotask: 2 },
    { pcsm: 3, autotask: 1 },
    { pcsm: 4, autotask: 4 },
    { pcsm: 5, autotask: 4 },
  ],
  allocationCodeId: 29682801,
};
