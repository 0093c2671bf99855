import type { Mappings } from '../../src/connector/configuration';
import { forwardStatus, reverseStatus, statusesInSync } from '../../src/mapping/status-round-trip';

const mappings: Mappings = {
  profiles: [],
  queueId: null,
  statuses: [
    { rmm: 'New', autotask: 1 },
    { rmm: 'In Progress', autotask: 8 },
    { rmm: 'Waiting', autotask: 7 },
    { rmm: 'Resolved', autotask: 5 },
    { rmm: 'Closed', autotask: 5 },
  ],
  reverseStatuses: [{ autotask: 13, rmm: 'Waiting' }],
  severities: [],
  allocationCodeId: null,
};

describe('status round trip', () => {
  it('maps an Autotask status back to the first PCSM status associated with it', () => {
    expect(reverseStatus(mappings, 5)).toBe('Resolved');
    expect(reverseStatus(mappings, 8)).toBe('In Progress');
  });

  it('prefers an explicit reverse row', () => {
    expect(reverseStatus(mappings, 13)).toBe('Waiting');
    expect(reverseStatus({ ...mappings, reverseStatuses: [{ autotask: 5, rmm: 'Closed' }] }, 5)).toBe('Closed');
  });

  it('maps an unassociated Autotask status to nothing', () => {
    expect(reverseStatus(mappings, 99)).toBeNull();
    expect(forwardStatus(mappings, 'Escalated')).toBeNull();
  });

  it('treats statuses as in sync when either direction agrees, so nothing echoes', () => {
    expect(statusesInSync(mappings, 'Closed', 5)).toBe(true);
    expect(statusesInSync(mappings, 'Resolved', 5)).toBe(true);
    expect(statusesInSync(mappings, 'Waiting', 13)).toBe(true);
    expect(statusesInSync(mappings, 'waiting', 7)).toBe(true);
    expect(statusesInSync(mappings, 'New', 5)).toBe(false);
    expect(statusesInSync(mappings, 'In Progress', 99)).toBe(false);
  });
});
