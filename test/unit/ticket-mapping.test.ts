import type { Mappings } from '../../src/connector/configuration';
import { externalIdFor, externalIdPrefix } from '../../src/mapping/external-id';
import { changedFields, mapTicketToAutotask } from '../../src/mapping/ticket-to-autotask';
import { pcsmAdapter, pcsmTicketToRmm } from '../../src/pcsm/adapter';
import type { PcsmTicket } from '../../src/pcsm/events';
import type { RmmTicket } from '../../src/rmm/types';

const mappings: Mappings = {
  profiles: [{ profileId: 'P-1', companyId: 174 }],
  queueId: 29683498,
  statuses: [
    { rmm: 'New', autotask: 1 },
    { rmm: 'Resolved', autotask: 5 },
  ],
  reverseStatuses: [],
  severities: [
    { rmm: 1, autotask: 3 },
    { rmm: 4, autotask: 4 },
    { rmm: 5, autotask: 4 },
  ],
  allocationCodeId: 29682801,
};

const pcsmTicket: PcsmTicket = {
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
const ticket: RmmTicket = pcsmTicketToRmm(pcsmTicket);

describe('mapTicketToAutotask', () => {
  it('maps every association onto the Autotask field names', () => {
    const result = mapTicketToAutotask('c1', ticket, mappings, pcsmAdapter);
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
        externalID: externalIdFor('c1', 'PCSM', 'T-1001'),
      },
      used: ['profiles[0]', 'statuses[0]', 'severities[1]', 'queueId', 'allocationCodeId'],
    });
    if (result.ok) expect(result.fields.description).toContain('SRV01 (D-9)');
  });

  it('matches the RMM status regardless of case', () => {
    const result = mapTicketToAutotask('c1', { ...ticket, status: 'resolved' }, mappings, pcsmAdapter);
    expect(result.ok && result.fields.status).toBe(5);
  });

  it('leaves queue and work type out when they are not configured', () => {
    const result = mapTicketToAutotask('c1', ticket, { ...mappings, queueId: null, allocationCodeId: null }, pcsmAdapter);
    expect(result.ok && 'queueID' in result.fields).toBe(false);
    expect(result.ok && 'billingCodeID' in result.fields).toBe(false);
  });

  it('names every missing association and what to configure', () => {
    const result = mapTicketToAutotask('c1', { ...ticket, siteId: 'P-9', status: 'Odd', severity: 2 }, mappings, pcsmAdapter);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toEqual([
      expect.stringMatching(/profile "P-9".*mappings\.profiles/),
      expect.stringMatching(/status "Odd".*mappings\.statuses/),
      expect.stringMatching(/severity 2.*mappings\.severities/),
    ]);
  });

  it('truncates a title longer than Autotask accepts', () => {
    const result = mapTicketToAutotask('c1', { ...ticket, title: 'x'.repeat(400) }, mappings, pcsmAdapter);
    expect(result.ok && result.fields.title.length).toBe(255);
  });
});

describe('externalIdFor', () => {
  it('is stable, starts with the connector prefix and fits in 50 characters', () => {
    expect(externalIdFor('c1', 'PCSM', 'T-1')).toBe(externalIdFor('c1', 'PCSM', 'T-1'));
    expect(externalIdFor('c1', 'PCSM', 'T-1').startsWith(externalIdPrefix('c1', 'PCSM'))).toBe(true);
    expect(externalIdFor('c1', 'PCSM', 'T-1')).not.toBe(externalIdFor('c2', 'PCSM', 'T-1'));
    expect(externalIdFor('c1', 'PCSM', 'x'.repeat(200)).length).toBeLessThanOrEqual(50);
    expect(externalIdFor('c1', 'PCSM', 'x'.repeat(200))).not.toBe(externalIdFor('c1', 'PCSM', 'x'.repeat(201)));
  });

  it('names the RMM, so one connector per RMM never shares a ticket, and a Datto RMM alert uid fits whole', () => {
    expect(externalIdFor('c1', 'PCSM', 'T-1')).toMatch(/^PCSM-[0-9a-f]{8}-T-1$/);
    const alertUid = '6f1d2c3b-4a5e-4f60-8a7b-9c0d1e2f3a4b';
    expect(externalIdFor('c1', 'DRMM', alertUid)).toMatch(new RegExp(`^DRMM-[0-9a-f]{8}-${alertUid}$`));
    expect(externalIdFor('c1', 'DRMM', alertUid)).toHaveLength(50);
  });
});

describe('mapTicketToAutotask for Datto RMM alerts', () => {
  const datto = {
    vocabulary: { product: 'Datto RMM', site: 'site', ticket: 'alert', severity: 'priority' },
    externalIdTag: 'DRMM',
    severities: { fallback: { Unknown: 'Moderate' } },
  };
  const dattoMappings: Mappings = {
    ...mappings,
    profiles: [{ profileId: 'site-1', companyId: 174 }],
    statuses: [
      { rmm: 'Open', autotask: 1 },
      { rmm: 'Resolved', autotask: 5 },
    ],
    severities: [
      { rmm: 'Critical', autotask: 4 },
      { rmm: 'Moderate', autotask: 2 },
    ],
  };
  const alert: RmmTicket = { ...ticket, id: 'a-1', siteId: 'site-1', siteName: 'Fabrikam HQ', status: 'Open', severity: 'critical' };

  it('matches priorities by name regardless of case', () => {
    const result = mapTicketToAutotask('c1', alert, dattoMappings, datto);
    expect(result.ok && result.fields).toMatchObject({ priority: 4, status: 1, companyID: 174, externalID: externalIdFor('c1', 'DRMM', 'a-1') });
  });

  it('gives an Unknown priority the association of its fallback', () => {
    const result = mapTicketToAutotask('c1', { ...alert, severity: 'Unknown' }, dattoMappings, datto);
    expect(result.ok && result.fields.priority).toBe(2);
    expect(result.ok && result.used).toContain('severities[1]');
  });

  it('names the site by name and flags it when it has no association', () => {
    const result = mapTicketToAutotask('c1', { ...alert, siteId: 'site-9', siteName: 'Tailspin Toys' }, dattoMappings, datto);
    expect(result).toEqual({
      ok: false,
      unassociatedSite: true,
      problems: [expect.stringMatching(/^Datto RMM site "site-9" \(Tailspin Toys\) has no associated Autotask company/)],
    });
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
