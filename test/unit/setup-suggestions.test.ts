import type { Mappings } from '../../src/connector/configuration';
import type { Catalogue, CatalogueValue } from '../../src/setup/catalogue';
import { dattoRmmAdapter } from '../../src/datto-rmm/adapter';
import { pcsmAdapter } from '../../src/pcsm/adapter';
import { matchCompany, matchStatus, suggestMappings } from '../../src/setup/suggest';
import { validateMappings } from '../../src/setup/validate-mappings';

const values = (pairs: Array<[number, string, boolean?]>): CatalogueValue[] =>
  pairs.map(([id, label, isActive = true]) => ({ id, label, isActive }));

const catalogue = (overrides: Partial<Catalogue['autotask']> = {}): Catalogue => ({
  connectorId: 'c1',
  readAt: new Date('2026-11-29T00:00:00Z'),
  autotask: {
    statuses: values([[1, 'New'], [5, 'Complete'], [7, 'Waiting Customer'], [8, 'In Progress'], [15, 'Closed', false]]),
    priorities: values([[4, 'Critical'], [1, 'High'], [2, 'Medium'], [3, 'Low']]),
    queues: values([[5, 'Client Portal'], [29683498, 'Monitoring Alert']]),
    issueTypes: [],
    subIssueTypes: [],
    sources: [],
    companies: values([[0, 'Contoso MSP'], [174, 'Fabrikam, Ltd.'], [175, 'Northwind Traders'], [176, 'Old Customer', false]]),
    allocationCodes: values([[29682801, 'Remote Support'], [29682804, 'Legacy Work', false]]),
    ...overrides,
  },
  rmm: {
    kind: 'pcsm',
    sites: [
      { id: 'P-1', label: 'Fabrikam Ltd', isActive: true },
      { id: 'P-2', label: 'northwind traders inc', isActive: true },
      { id: 'P-3', label: 'Old Customer', isActive: true },
    ],
    statuses: ['New', 'In Progress', 'Waiting', 'Resolved', 'Closed'],
  },
  calls: { autotask: 3, rmm: 2 },
});

describe('suggestMappings', () => {
  it('matches statuses by normalised name and synonym, never to an inactive status', () => {
    expect(suggestMappings(catalogue(), pcsmAdapter).statuses).toEqual([
      { rmm: 'New', autotask: 1 },
      { rmm: 'In Progress', autotask: 8 },
      { rmm: 'Waiting', autotask: 7 },
      { rmm: 'Resolved', autotask: 5 },
      { rmm: 'Closed', autotask: 5 },
    ]);
  });

  it('recommends Critical for severities 4 and 5, by label not id', () => {
    expect(suggestMappings(catalogue(), pcsmAdapter).severities).toEqual([
      { rmm: 1, autotask: 3 },
      { rmm: 2, autotask: 2 },
      { rmm: 3, autotask: 1 },
      { rmm: 4, autotask: 4 },
      { rmm: 5, autotask: 4 },
    ]);
  });

  it('associates profiles with companies of the same name, ignoring case, punctuation and legal form', () => {
    expect(suggestMappings(catalogue(), pcsmAdapter).profiles).toEqual([
      { profileId: 'P-1', companyId: 174 },
      { profileId: 'P-2', companyId: 175 },
    ]);
  });

  it('picks the monitoring queue and an active work type', () => {
    expect(suggestMappings(catalogue(), pcsmAdapter)).toMatchObject({ queueId: 29683498, allocationCodeId: 29682801, newProfilePolicy: 'manual' });
  });

  it('suggests nothing rather than a guess', () => {
    expect(matchStatus('Escalated', values([[1, 'New']]))).toBeUndefined();
    expect(matchCompany('Acme', values([[1, 'Acme Corp'], [2, 'ACME Inc']]))).toBeUndefined();
    expect(matchCompany('Wide World Importers', values([[3, 'Wide World Importer']]))?.id).toBe(3);
    expect(matchCompany('Abc', values([[3, 'Abd']]))).toBeUndefined();
  });
});

describe('suggestMappings for Datto RMM', () => {
  const dattoCatalogue = (): Catalogue => ({
    ...catalogue(),
    rmm: {
      kind: 'datto-rmm',
      sites: [
        // The site's own Autotask company wins over a name that matches another one.
        { id: 's-1', label: 'Northwind Traders', isActive: true, autotaskCompanyId: 174 },
        { id: 's-2', label: 'northwind traders inc', isActive: true, autotaskCompanyId: null },
        // An inactive company named by the site is not suggested; its name matches nothing either.
        { id: 's-3', label: 'Somewhere Else', isActive: true, autotaskCompanyId: 176 },
      ],
      statuses: ['Open', 'Resolved'],
    },
  });

  it('suggests the company a site names before one of the same name', () => {
    expect(suggestMappings(dattoCatalogue(), dattoRmmAdapter).profiles).toEqual([
      { profileId: 's-1', companyId: 174 },
      { profileId: 's-2', companyId: 175 },
    ]);
  });

  it('suggests Critical for Critical and High, and Open and Resolved by label', () => {
    const suggested = suggestMappings(dattoCatalogue(), dattoRmmAdapter);
    expect(suggested.severities).toEqual([
      { rmm: 'Critical', autotask: 4 },
      { rmm: 'High', autotask: 4 },
      { rmm: 'Moderate', autotask: 2 },
      { rmm: 'Low', autotask: 3 },
      { rmm: 'Information', autotask: 3 },
      { rmm: 'Unknown', autotask: 2 },
    ]);
    expect(suggested.statuses).toEqual([
      { rmm: 'Open', autotask: 1 },
      { rmm: 'Resolved', autotask: 5 },
    ]);
  });

  it('asks for the five user-facing priorities, and refuses a PCSM severity', () => {
    const mappings: Mappings = {
      profiles: [],
      queueId: 29683498,
      statuses: [{ rmm: 'Open', autotask: 1 }, { rmm: 'Resolved', autotask: 5 }],
      reverseStatuses: [],
      severities: [{ rmm: 4, autotask: 4 }],
      allocationCodeId: 29682801,
    };
    const problems = validateMappings(mappings, dattoCatalogue(), dattoRmmAdapter, { complete: true });
    expect(problems).toEqual(expect.arrayContaining([{ mapping: 'severities[0]', reason: '4 is not a Datto RMM priority' }]));
    expect(problems.filter((p) => p.mapping === 'severities').map((p) => p.reason)).toEqual([
      'Datto RMM priority Critical has no Autotask priority',
      'Datto RMM priority High has no Autotask priority',
      'Datto RMM priority Moderate has no Autotask priority',
      'Datto RMM priority Low has no Autotask priority',
      'Datto RMM priority Information has no Autotask priority',
    ]);
  });
});

describe('validateMappings', () => {
  const good: Mappings = {
    profiles: [{ profileId: 'P-1', companyId: 174 }],
    queueId: 29683498,
    statuses: ['New', 'In Progress', 'Waiting', 'Resolved', 'Closed'].map((rmm) => ({ rmm, autotask: 1 })),
    reverseStatuses: [],
    severities: [1, 2, 3, 4, 5].map((rmm) => ({ rmm, autotask: 4 })),
    allocationCodeId: 29682801,
  };

  it('accepts complete, active mappings', () => {
    expect(validateMappings(good, catalogue(), pcsmAdapter, { complete: true })).toEqual([]);
  });

  it('names each stale value with its label', () => {
    const problems = validateMappings(
      { ...good, statuses: [{ rmm: 'New', autotask: 15 }], queueId: 99, allocationCodeId: 29682804, profiles: [{ profileId: 'P-9', companyId: 176 }] },
      catalogue(),
      pcsmAdapter,
      { complete: false },
    );
    expect(problems).toEqual([
      { mapping: 'profiles[0]', reason: 'PCSM profile P-9 no longer exists in PCSM' },
      { mapping: 'profiles[0]', reason: 'Autotask company 176 (Old Customer) is inactive' },
      { mapping: 'statuses[0]', reason: 'Autotask status 15 (Closed) is inactive' },
      { mapping: 'queueId', reason: 'Autotask queue 99 no longer exists' },
      { mapping: 'allocationCodeId', reason: 'Autotask work type 29682804 (Legacy Work) is inactive' },
    ]);
  });

  it('asks for every PCSM status and severity, a queue and a work type only when complete', () => {
    const partial = { ...good, statuses: [], severities: [], queueId: null, allocationCodeId: null };
    expect(validateMappings(partial, catalogue(), pcsmAdapter, { complete: false })).toEqual([]);
    const problems = validateMappings(partial, catalogue(), pcsmAdapter, { complete: true }).map((p) => p.mapping);
    expect(problems.filter((m) => m === 'statuses')).toHaveLength(5);
    expect(problems.filter((m) => m === 'severities')).toHaveLength(5);
    expect(problems).toEqual(expect.arrayContaining(['queueId', 'allocationCodeId']));
  });

  it('refuses a profile associated twice', () => {
    const twice = { ...good, profiles: [good.profiles[0]!, good.profiles[0]!] };
    expect(validateMappings(twice, catalogue(), pcsmAdapter, { complete: false })).toEqual([
      { mapping: 'profiles[1]', reason: 'PCSM profile P-1 is associated twice' },
    ]);
  });
});
