import type { Mappings } from '../../src/connector/configuration';
import { externalIdFor, externalIdPrefix } from '../../src/mapping/external-id';
import { changedFields, mapTicketToAutotask } from '../../src/mapping/ticket-to-autotask';
import type { PcsmTicket } from '../../src/pcsm/events';

const mappings: Mappings = {
  profiles: [{ profileId: 'P-1', companyId: 174 }],
  queueId: 29683498,
  statuses: [
    { pcsm: 'New', autotask: 1 },
    { pcsm: 'Resolved', autotask: 5 },
  ],
  reverseStatuses: [],
  severities: [
    { pcsm: 1, autotask: 3 },
    { pcsm: 4, autotask: 4 },
    { pcsm: 5, autotask: 4 },
  ],
  allocationCodeId: 29682801,
};

const ticket: PcsmTicket = {
  id: 'T-1001',
  profileId: 'P-1',
  title: 'Disk C: 95% full',
  description: 'Free space below 5%',
  status: 'New',
  severity: 4,
  deviceId: 'D-9',
  deviceName: 'SRV01',
  updatedAt: '2026-11-27T12:00:00Z',
};

describe('mapTicketToAutotask', () => {
  it('maps every association onto the Autotask field names', () => {
    const result = mapTicketToAutotask('c1', ticket, mappings);
    expect(result).toEqual({
      ok: true,
      fields: {
        companyID: 174,
        title: 'Disk C: 95% full',
        description: expect.stringContaining('Free space below 5%'),
        status: 1,
        priority: 4,
        queueID: 29683498,
        billingCodeID: 29682801,
        externalID: externalIdFor('c1', 'T-1001'),
      },
      used: ['profiles[0]', 'statuses[0]', 'severities[1]', 'queueId', 'allocationCodeId'],
    });
    if (result.ok) expect(result.fields.description).toContain('SRV01 (D-9)');
  });

  it('matches the PCSM status regardless of case', () => {
    const result = mapTicketToAutotask('c1', { ...ticket, status: 'resolved' }, mappings);
    expect(result.ok && result.fields.status).toBe(5);
  });

  it('leaves queue and work type out when they are not configured', () => {
    const result = mapTicketToAutotask('c1', ticket, { ...mappings, queueId: null, allocationCodeId: null });
    expect(result.ok && 'queueID' in result.fields).toBe(false);
    expect(result.ok && 'billingCodeID' in result.fields).toBe(false);
  });

  it('names every missing association and what to configure', () => {
    const result = mapTicketToAutotask('c1', { ...ticket, profileId: 'P-9', status: 'Odd', severity: 2 }, mappings);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toEqual([
      expect.stringMatching(/profile "P-9".*mappings\.profiles/),
      expect.stringMatching(/status "Odd".*mappings\.statuses/),
      expect.stringMatching(/severity 2.*mappings\.severities/),
    ]);
  });

  it('truncates a title longer than Autotask accepts', () => {
    const result = mapTicketToAutotask('c1', { ...ticket, title: 'x'.repeat(400) }, mappings);
    expect(result.ok && result.fields.title.length).toBe(255);
  });
});

describe('externalIdFor', () => {
  it('is stable, starts with the connector prefix and fits in 50 characters', () => {
    expect(externalIdFor('c1', 'T-1')).toBe(externalIdFor('c1', 'T-1'));
    expect(externalIdFor('c1', 'T-1').startsWith(externalIdPrefix('c1'))).toBe(true);
    expect(externalIdFor('c1', 'T-1')).not.toBe(externalIdFor('c2', 'T-1'));
    expect(externalIdFor('c1', 'x'.repeat(200)).length).toBeLessThanOrEqual(50);
    expect(externalIdFor('c1', 'x'.repeat(200))).not.toBe(externalIdFor('c1', 'x'.repeat(201)));
  });
});

describe('changedFields', () => {
  const base = { companyID: 174, title: 'a', status: 1, priority: 4, externalID: 'E' };

  it('sends what PCSM changed, never the externalID', () => {
    expect(changedFields({ ...base, status: 5, externalID: 'F' }, { source: base, autotask: base })).toEqual({ status: 5 });
    expect(changedFields(base, { source: base, autotask: base })).toEqual({});
  });

  it('leaves a field changed in Autotask alone until PCSM changes it', () => {
    const technician = { ...base, status: 13, title: 'edited in Autotask' };
    expect(changedFields({ ...base, priority: 1 }, { source: base, autotask: technician })).toEqual({ priority: 1 });
    expect(changedFields({ ...base, status: 5 }, { source: base, autotask: technician })).toEqual({ status: 5 });
  });

  it('sends nothing Autotask already holds', () => {
    expect(changedFields({ ...base, status: 5 }, { source: base, autotask: { ...base, status: 5 } })).toEqual({});
  });
});
