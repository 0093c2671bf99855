import { waitFor } from '../harness/context';
import { startStack, ticketEvent, type Stack } from '../support/stack';

/** The setup's API through the real stack: catalogue, suggestions, atomic apply, drift, account check. */
describe('connector setup', () => {
  let stack: Stack;

  beforeEach(async () => {
    stack = await startStack('connector-setup');
    await stack.putConnector('c1', stack.input({ mappings: { profiles: [], queueId: null, statuses: [], reverseStatuses: [], severities: [], allocationCodeId: null } }));
  });

  afterEach(async () => {
    await stack.close();
  });

  const catalogueCalls = () =>
    stack.sim.requests.filter((r) => !/zoneinformation|thresholdinformation/i.test(r.path) && r.method !== 'PATCH' && !/\/tickets$/i.test(r.path)).length;

  const fullMappings = {
    profiles: [
      { profileId: 'P-1', companyId: 174 },
      { profileId: 'P-2', companyId: 175 },
    ],
    queueId: 8,
    statuses: [
      { rmm: 'New', autotask: 1 },
      { rmm: 'In Progress', autotask: 8 },
      { rmm: 'Waiting', autotask: 13 },
      { rmm: 'Resolved', autotask: 5 },
      { rmm: 'Closed', autotask: 5 },
    ],
    reverseStatuses: [],
    severities: [1, 2, 3, 4, 5].map((severity) => ({ rmm: severity, autotask: severity >= 4 ? 4 : 2 })),
    allocationCodeId: 29682802,
  };

  it('offers only active values and suggests associations by label', async () => {
    const response = await stack.admin('GET', '/api/v1/connectors/c1/setup');
    expect(response.status).toBe(200);
    const { options, suggested, catalogueReadAt } = response.body;
    expect(new Date(catalogueReadAt).getTime()).toBeGreaterThan(Date.now() - 60_000);

    const ids = (list: Array<{ id: unknown }>) => list.map((o) => o.id);
    expect(ids(options.companies)).toEqual(expect.arrayContaining([0, 174, 175]));
    expect(ids(options.companies)).not.toContain(176);
    expect(ids(options.autotaskStatuses)).toEqual(expect.arrayContaining([1, 5, 7, 8, 13]));
    expect(ids(options.autotaskStatuses)).not.toContain(15);
    expect(ids(options.allocationCodes).sort()).toEqual([29682801, 29682802]);
    expect(ids(options.queues)).toEqual(expect.arrayContaining([5, 8, 29683498]));
    expect(ids(options.pcsmStatuses)).toEqual(['New', 'In Progress', 'Waiting', 'Resolved', 'Closed']);
    expect(options.profiles.length).toBe(153);

    expect(suggested.statuses).toEqual([
      { rmm: 'New', autotask: 1 },
      { rmm: 'In Progress', autotask: 8 },
      { rmm: 'Waiting', autotask: 7 },
      { rmm: 'Resolved', autotask: 5 },
      { rmm: 'Closed', autotask: 5 },
    ]);
    // Matched by label: this tenant's ids are not ordered by severity (High = 1, Critical = 4).
    expect(suggested.severities).toEqual([
      { rmm: 1, autotask: 3 },
      { rmm: 2, autotask: 2 },
      { rmm: 3, autotask: 1 },
      { rmm: 4, autotask: 4 },
      { rmm: 5, autotask: 4 },
    ]);
    expect(suggested.profiles).toEqual([
      { profileId: 'P-1', companyId: 174 },
      { profileId: 'P-2', companyId: 175 },
    ]);
    expect(suggested).toMatchObject({ queueId: 29683498, allocationCodeId: 29682801, newProfilePolicy: 'manual' });
  });

  it('reads the whole catalogue in three Autotask calls and companies across pages', async () => {
    await stack.admin('GET', '/api/v1/connectors/c1/setup');
    expect(catalogueCalls()).toBe(3);

    for (let i = 0; i < 600; i += 1) stack.sim.faults.addCompany({ companyName: `Customer ${String(i).padStart(3, '0')}` });
    const before = catalogueCalls();
    expect((await stack.admin('POST', '/api/v1/connectors/c1/setup/refresh')).status).toBe(202);
    const view = await waitFor(async () => {
      const body = (await stack.admin('GET', '/api/v1/connectors/c1/setup')).body;
      return body.options.companies.length > 600 ? body : null;
    });
    expect(view.options.companies).toHaveLength(603);
    // 603 active companies (the own company, id 0, included) = two pages of 500, plus the field metadata and the work types.
    expect(catalogueCalls() - before).toBe(4);
    // The refresh ran as a job, which looks at Autotask's hourly budget first (at most once a minute).
    expect(stack.sim.requests.filter((r) => /thresholdinformation/i.test(r.path))).toHaveLength(1);
  });

  it('costs four Autotask calls for a whole wizard run: catalogue, account check, save', async () => {
    await stack.admin('GET', '/api/v1/connectors/c1/setup');
    await stack.admin('POST', '/api/v1/connectors/c1/setup/check');
    await stack.admin('GET', '/api/v1/connectors/c1/setup');
    expect((await stack.admin('POST', '/api/v1/connectors/c1/setup', { mappings: fullMappings })).status).toBe(200);
    const counted = stack.sim.requests.filter((r) => !/zoneinformation/i.test(r.path));
    expect(counted.map((r) => `${r.method} ${r.path.replace(/^.*\/V1\.0\//i, '')}`).sort()).toEqual([
      'GET ThresholdInformation',
      'GET Tickets/entityInformation/fields',
      'POST BillingCodes/query',
      'POST Companies/query',
    ]);
  });

  it('saves valid mappings at once and answers with the saved configuration', async () => {
    const response = await stack.admin('POST', '/api/v1/connectors/c1/setup', { mappings: fullMappings, newProfilePolicy: 'associate-by-name' });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ mappings: fullMappings, newProfilePolicy: 'associate-by-name', status: 'ok' });
    expect(JSON.stringify(response.body)).not.toContain('sim-secret');
    const saved = (await stack.admin('GET', '/api/v1/connectors/c1')).body;
    expect(saved.mappings).toEqual(fullMappings);

    // The contract's first form of a row (`pcsm`) is still accepted, and saved as the `rmm` form.
    const legacy = { ...fullMappings, statuses: fullMappings.statuses.map(({ rmm, autotask }) => ({ pcsm: rmm, autotask })) };
    expect((await stack.admin('POST', '/api/v1/connectors/c1/setup', { mappings: legacy })).status).toBe(200);
    expect((await stack.admin('GET', '/api/v1/connectors/c1')).body.mappings).toEqual(fullMappings);
  });

  it('validates a draft without saving it', async () => {
    const before = (await stack.admin('GET', '/api/v1/connectors/c1')).body;
    const good = await stack.admin('POST', '/api/v1/connectors/c1/setup/validate', { mappings: fullMappings });
    expect(good).toMatchObject({ status: 200, body: { valid: true, errors: [] } });
    const bad = await stack.admin('POST', '/api/v1/connectors/c1/setup/validate', { mappings: { ...fullMappings, queueId: 99 } });
    expect(bad.body).toEqual({ valid: false, errors: [{ mapping: 'queueId', reason: 'Autotask queue 99 no longer exists' }] });
    expect((await stack.admin('GET', '/api/v1/connectors/c1')).body).toEqual(before);
  });

  it('refuses invalid mappings with 422 naming each one, and saves nothing', async () => {
    const before = (await stack.admin('GET', '/api/v1/connectors/c1')).body;
    const response = await stack.admin('POST', '/api/v1/connectors/c1/setup', {
      mappings: {
        ...fullMappings,
        profiles: [
          { profileId: 'P-1', companyId: 176 },
          { profileId: 'P-404', companyId: 174 },
        ],
        statuses: fullMappings.statuses.slice(0, 4),
        severities: fullMappings.severities.filter((s) => s.rmm !== 3),
        allocationCodeId: 29682803,
      },
    });
    expect(response.status).toBe(422);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect(response.body.errors).toEqual(
      expect.arrayContaining([
        { mapping: 'profiles[0]', reason: '176 is not an active Autotask company' },
        { mapping: 'profiles[1]', reason: 'PCSM profile P-404 no longer exists in PCSM' },
        { mapping: 'statuses', reason: 'PCSM status "Closed" has no Autotask status' },
        { mapping: 'severities', reason: 'PCSM severity 3 has no Autotask priority' },
        { mapping: 'allocationCodeId', reason: '29682803 is not an Autotask work type (a billing code of use type 1)' },
      ]),
    );
    const after = (await stack.admin('GET', '/api/v1/connectors/c1')).body;
    expect(after).toEqual(before);
  });

  it('marks the connector as needing attention when a mapped value becomes inactive, and sync refuses to send it', async () => {
    expect((await stack.admin('POST', '/api/v1/connectors/c1/setup', { mappings: fullMappings })).status).toBe(200);
    stack.sim.faults.setPicklistValueActive('status', 5, false);
    await stack.admin('POST', '/api/v1/connectors/c1/setup/refresh');
    const connector = await waitFor(async () => {
      const body = (await stack.admin('GET', '/api/v1/connectors/c1')).body;
      return body.status === 'needs-attention' ? body : null;
    });
    expect(connector.problems).toEqual([
      { mapping: 'statuses[3]', reason: 'Autotask status 5 (Complete) is inactive' },
      { mapping: 'statuses[4]', reason: 'Autotask status 5 (Complete) is inactive' },
    ]);

    await stack.sendPcsm('c1', ticketEvent({ id: 'T-50', status: 'Resolved' }));
    const [failed] = await waitFor(async () => {
      const jobs = await stack.connectorQueue().getJobs(['failed']);
      return jobs.length > 0 ? jobs : null;
    });
    expect(failed!.failedReason).toContain('statuses[3]: Autotask status 5 (Complete) is inactive');
    expect(stack.sim.requests.filter((r) => r.method === 'POST' && /\/tickets$/i.test(r.path))).toHaveLength(0);

    // A ticket that uses only healthy mappings still syncs.
    await stack.sendPcsm('c1', ticketEvent({ id: 'T-51', status: 'New' }));
    await waitFor(async () => (await stack.admin('GET', '/api/v1/connectors/c1/tickets/T-51')).body.state === 'synced');

    // Fixing the value and refreshing clears the problems.
    stack.sim.faults.setPicklistValueActive('status', 5, true);
    await stack.admin('POST', '/api/v1/connectors/c1/setup/refresh');
    await waitFor(async () => (await stack.admin('GET', '/api/v1/connectors/c1')).body.status === 'ok');
  });

  const refreshed = async () => {
    const before = (await stack.admin('GET', '/api/v1/connectors/c1/setup')).body.catalogueReadAt;
    expect((await stack.admin('POST', '/api/v1/connectors/c1/setup/refresh')).status).toBe(202);
    await waitFor(async () => (await stack.admin('GET', '/api/v1/connectors/c1/setup')).body.catalogueReadAt !== before, {
      message: 'the catalogue refresh to finish',
    });
    return (await stack.admin('GET', '/api/v1/connectors/c1')).body;
  };

  it('keeps a renamed PCSM profile healthy, and reports one that disappeared', async () => {
    const mappings = { ...fullMappings, profiles: [{ profileId: 'P-3', companyId: 174 }] };
    expect((await stack.admin('POST', '/api/v1/connectors/c1/setup', { mappings })).status).toBe(200);
    await stack.pcsm.updateProfile('P-3', { name: 'Wide World Importers (renamed)' });
    expect(await refreshed()).toMatchObject({ status: 'ok', problems: [] });

    stack.pcsm.removeProfile('P-3');
    expect(await refreshed()).toMatchObject({
      status: 'needs-attention',
      problems: [{ mapping: 'profiles[0]', reason: 'PCSM profile P-3 no longer exists in PCSM' }],
    });
  });

  it('keeps a catalogue refresh and a reconciliation scheduled for every saved connector', async () => {
    const schedulers = await stack.connectorQueue().getJobSchedulers();
    expect(schedulers).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ key: 'catalogue-refresh.c1', every: 6 * 3600 * 1000 }),
        expect.objectContaining({ key: 'reconcile.c1', every: 300 * 1000 }),
        expect.objectContaining({ key: 'retry-tickets.c1', every: 5 * 60 * 1000 }),
      ]),
    );
  });

  describe('account link check', () => {
    it('passes with working credentials and reports the Autotask budget', async () => {
      const response = await stack.admin('POST', '/api/v1/connectors/c1/setup/check');
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({
        ok: true,
        autotask: { ok: true, zoneUrl: expect.stringContaining('/ATServicesRest'), requestThreshold: 10000 },
        pcsm: { ok: true, account: { id: 'acc-1', name: 'Contoso MSP' } },
      });
    });

    const credentials = () => {
      const input = stack.input();
      return {
        autotask: { username: input.autotask.username, secret: input.autotask.secret, integrationCode: input.autotask.integrationCode },
        pcsm: { apiUrl: input.rmm.apiUrl, apiKey: input.rmm.apiKey },
      };
    };

    it.each([
      ['an unknown API user', (c: any) => ({ ...c, autotask: { ...c.autotask, username: 'nobody@contoso.example' } }), /does not know the API user "nobody@contoso.example"/],
      ['a wrong secret', (c: any) => ({ ...c, autotask: { ...c.autotask, secret: 'wrong-secret-1234' } }), /secret or the integration code/],
      ['a wrong integration code', (c: any) => ({ ...c, autotask: { ...c.autotask, integrationCode: 'WRONGCODE123' } }), /secret or the integration code/],
    ])('names %s without echoing any secret', async (_case, change, expected) => {
      const body = change(credentials());
      const response = await stack.admin('POST', '/api/v1/account-check', body);
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ ok: false, autotask: { ok: false, error: expect.stringMatching(expected) }, pcsm: { ok: true } });
      const text = JSON.stringify(response.body);
      for (const secret of [body.autotask.secret, body.autotask.integrationCode, body.pcsm.apiKey]) expect(text).not.toContain(secret);
    });

    it('names a rejected PCSM key without echoing it', async () => {
      const body = { ...credentials(), pcsm: { ...credentials().pcsm, apiKey: 'not-the-pcsm-key' } };
      const response = await stack.admin('POST', '/api/v1/account-check', body);
      expect(response.body).toMatchObject({ ok: false, autotask: { ok: true }, pcsm: { ok: false, error: expect.stringMatching(/PCSM refused the API key/) } });
      expect(JSON.stringify(response.body)).not.toContain('not-the-pcsm-key');
    });
  });
});
