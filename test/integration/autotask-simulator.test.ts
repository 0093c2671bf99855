import { DEFAULT_CREDENTIALS, startAutotaskSimulator, type AutotaskSimulator } from '../../src/simulators/autotask';

const AUTH = {
  ApiIntegrationCode: DEFAULT_CREDENTIALS.integrationCode,
  UserName: DEFAULT_CREDENTIALS.username,
  Secret: DEFAULT_CREDENTIALS.secret,
};

interface Answer {
  status: number;
  headers: Headers;
  body: any;
}

let sim: AutotaskSimulator;

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = AUTH): Promise<Answer> {
  const response = await fetch(path.startsWith('http') ? path : `${sim.url}${path}`, {
    method,
    headers: { ...headers, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
}

const ticket = (extra: Record<string, unknown> = {}) => ({ companyID: 174, title: 'Disk C: 95% full', status: 1, priority: 4, ...extra });

beforeAll(async () => {
  sim = await startAutotaskSimulator({ port: 0, latencyAtHalfMs: 0, latencyAtThreeQuartersMs: 0 });
});
afterEach(() => sim.reset());
afterAll(() => sim.close());

describe('zone discovery', () => {
  it('answers the zone REST root without credentials, whatever the path casing', async () => {
    const answer = await call('GET', `/ATSERVICESREST/V1.0/ZONEINFORMATION?user=${DEFAULT_CREDENTIALS.username}`, undefined, {});
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ zoneName: expect.any(String), url: sim.zoneUrl, webUrl: expect.any(String), ci: expect.any(Number) });
    expect(sim.zoneLookupUrl).toBe(`${sim.url}/atservicesrest/v1.0/zoneInformation`);
  });

  it('answers HTTP 500 with a JSON body for an unknown or blank user', async () => {
    for (const user of ['nobody@example.com', '']) {
      const answer = await call('GET', `/atservicesrest/v1.0/zoneInformation?user=${user}`, undefined, {});
      expect(answer.status).toBe(500);
      expect(answer.body.errors).toHaveLength(1);
    }
  });
});

describe('authentication', () => {
  it('refuses a call without the three headers with 401 and an errors array', async () => {
    const answer = await call('GET', '/ATServicesRest/V1.0/Tickets/entityInformation', undefined, {});
    expect(answer.status).toBe(401);
    expect(answer.body.errors[0]).toEqual(expect.any(String));
  });

  it('refuses a wrong integration code', async () => {
    const answer = await call('GET', '/ATServicesRest/V1.0/Tickets/entityInformation', undefined, { ...AUTH, ApiIntegrationCode: 'OTHER' });
    expect(answer.status).toBe(401);
  });

  it('accepts header names in any case and records ImpersonationResourceId', async () => {
    const answer = await call('POST', '/atservicesrest/v1.0/tickets', ticket(), {
      apiintegrationcode: AUTH.ApiIntegrationCode, USERNAME: AUTH.UserName, secret: AUTH.Secret, impersonationresourceid: '29682999',
    });
    expect(answer.status).toBe(200);
    const entry = sim.requests.find((request) => request.write);
    expect(entry).toMatchObject({ method: 'POST', entity: 'Tickets', status: 200, integrationCode: AUTH.ApiIntegrationCode, impersonationResourceId: '29682999' });
    expect(sim.tickets()[0]?.impersonatorCreatorResourceID).toBe(29682999);
  });
});

describe('tickets', () => {
  it('creates a ticket answering only {itemId}, with a ticket number and zone-less UTC timestamps', async () => {
    const answer = await call('POST', '/ATServicesRest/V1.0/Tickets', ticket({ externalID: 'PCSM-T-1001' }));
    expect(answer).toMatchObject({ status: 200, body: { itemId: expect.any(Number) } });
    expect(Object.keys(answer.body)).toEqual(['itemId']);
    const { body } = await call('GET', `/ATServicesRest/V1.0/Tickets/${answer.body.itemId}`);
    expect(body.item).toMatchObject({ id: answer.body.itemId, externalID: 'PCSM-T-1001', companyID: 174, status: 1, priority: 4 });
    expect(body.item.ticketNumber).toMatch(/^T\d{8}\.0001$/);
    expect(body.item.createDate).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}$/);
    expect(body.item.lastActivityDate).not.toMatch(/Z$/);
    expect(body.item.dueDateTime).toBeNull();
  });

  it('answers {item: null} for a ticket that does not exist', async () => {
    expect((await call('GET', '/ATServicesRest/V1.0/Tickets/999999')).body).toEqual({ item: null });
  });

  it('PATCHes the collection with id in the body, changing only the fields sent', async () => {
    const { body: created } = await call('POST', '/ATServicesRest/V1.0/Tickets', ticket({ description: 'keep me' }));
    const answer = await call('PATCH', '/ATServicesRest/V1.0/Tickets', { id: created.itemId, status: 5 });
    expect(answer.body).toEqual({ itemId: created.itemId });
    expect(sim.tickets()[0]).toMatchObject({ status: 5, description: 'keep me', title: 'Disk C: 95% full' });
  });

  it('PUT on the collection resets writable fields that were not sent', async () => {
    const { body: created } = await call('POST', '/ATServicesRest/V1.0/Tickets', ticket({ description: 'gone soon' }));
    expect((await call('PUT', '/ATServicesRest/V1.0/Tickets', { ...ticket(), id: created.itemId })).status).toBe(200);
    expect(sim.tickets()[0]?.description).toBeNull();
  });

  it.each(['PATCH', 'PUT', 'DELETE'])('refuses %s on /Tickets/{id} with 405', async (method) => {
    const answer = await call(method, '/ATServicesRest/V1.0/Tickets/30001', { status: 5 });
    expect(answer.status).toBe(405);
    expect(answer.body).toEqual({ Message: `The requested resource does not support http method '${method}'.` });
  });

  it('offers no writes on BillingCodes', async () => {
    expect((await call('POST', '/ATServicesRest/V1.0/BillingCodes', { name: 'x' })).status).toBe(405);
  });
});

describe('ticket validation', () => {
  async function refusal(body: unknown, method = 'POST'): Promise<string[]> {
    const answer = await call(method, '/ATServicesRest/V1.0/Tickets', body);
    expect(answer.status).toBe(500);
    return answer.body.errors as string[];
  }

  it('requires companyID, title, status and priority on create', async () => {
    const errors = await refusal({ description: 'x' });
    for (const field of ['companyID', 'title', 'status', 'priority']) expect(errors.join('\n')).toContain(field);
  });

  it('refuses an inactive or unknown company', async () => {
    expect(await refusal(ticket({ companyID: 176 }))).toEqual(['Reference value on field: companyID of type: Company does not exist or is invalid.']);
    expect(await refusal(ticket({ companyID: 9999 }))).toHaveLength(1);
  });

  it('refuses inactive or unknown picklist values', async () => {
    expect((await refusal(ticket({ status: 15 })))[0]).toMatch(/status/);
    expect((await refusal(ticket({ priority: 99 })))[0]).toMatch(/priority/);
    expect((await refusal(ticket({ queueID: 1 })))[0]).toMatch(/queueID/);
    expect((await refusal(ticket({ source: 9 })))[0]).toMatch(/source/);
  });

  it('refuses a sub-issue type that does not belong to the issue type', async () => {
    expect((await refusal(ticket({ issueType: 1, subIssueType: 201 })))[0]).toMatch(/subIssueType/);
    expect((await call('POST', '/ATServicesRest/V1.0/Tickets', ticket({ issueType: 2, subIssueType: 201 }))).status).toBe(200);
  });

  it('accepts only active work-type billing codes', async () => {
    expect((await call('POST', '/ATServicesRest/V1.0/Tickets', ticket({ billingCodeID: 29682801 }))).status).toBe(200);
    for (const billingCodeID of [29682803, 29682804, 1]) {
      expect(await refusal(ticket({ billingCodeID }))).toEqual([
        'Reference value on field: billingCodeID of type: AllocationCode does not exist or is invalid.',
      ]);
    }
  });

  it('refuses an externalID longer than 50 characters', async () => {
    expect((await refusal(ticket({ externalID: 'x'.repeat(51) })))[0]).toMatch(/externalID/);
  });

  it('refuses a label where a picklist id is expected', async () => {
    expect((await refusal(ticket({ status: 'Complete' })))[0]).toMatch(/Error converting value "Complete"/);
  });

  it('lets a deactivated company refuse new tickets', async () => {
    sim.faults.setCompanyActive(175, false);
    expect(await refusal(ticket({ companyID: 175 }))).toHaveLength(1);
  });

  it('refuses an update of a ticket that does not exist', async () => {
    expect((await refusal({ id: 424242, status: 5 }, 'PATCH'))[0]).toMatch(/No matching records/);
  });
});

describe('queries', () => {
  beforeEach(() => {
    sim.addTickets([
      { status: 1, priority: 4, externalID: 'A-1' },
      { status: 5, priority: 3 },
      { status: 8, priority: 1, companyID: 175 },
      { status: 8, priority: 2 },
    ]);
  });

  it('evaluates and/or groups sent over HTTP and sorts by id', async () => {
    const answer = await call('POST', '/ATServicesRest/V1.0/Tickets/query', {
      MaxRecords: 10,
      IncludeFields: ['id', 'status'],
      Filter: [
        { op: 'or', items: [{ op: 'eq', field: 'status', value: 5 }, { op: 'and', items: [{ op: 'eq', field: 'status', value: 8 }, { op: 'eq', field: 'companyID', value: 175 }] }] },
      ],
    });
    expect(answer.status).toBe(200);
    expect(answer.body.items).toEqual([{ id: 30002, status: 5 }, { id: 30003, status: 8 }]);
    expect(answer.body.pageDetails).toEqual({ count: 2, requestCount: 10, prevPageUrl: null, nextPageUrl: null });
  });

  it('answers GET /query?search= like the POST form', async () => {
    const search = encodeURIComponent(JSON.stringify({ filter: [{ op: 'eq', field: 'externalID', value: 'A-1' }] }));
    expect((await call('GET', `/ATServicesRest/V1.0/Tickets/query?search=${search}`)).body.items.map((t: any) => t.id)).toEqual([30001]);
  });

  it('counts with /query/count', async () => {
    expect((await call('POST', '/ATServicesRest/V1.0/Tickets/query/count', { filter: [{ op: 'eq', field: 'status', value: 8 }] })).body).toEqual({ queryCount: 2 });
  });

  it('refuses MaxRecords 501 with HTTP 500', async () => {
    const answer = await call('POST', '/ATServicesRest/V1.0/Tickets/query', { MaxRecords: 501, Filter: [{ op: 'gt', field: 'id', value: 0 }] });
    expect(answer).toMatchObject({ status: 500, body: { errors: ['maxCountOfRecordsToReturn must be between 1 and 500'] } });
  });

  it('refuses an unknown field naming the entity', async () => {
    const answer = await call('POST', '/ATServicesRest/V1.0/Tickets/query', { Filter: [{ op: 'eq', field: 'companyName', value: 'x' }] });
    expect(answer.body).toEqual({ errors: ['Unable to find companyName in the Ticket Entity.'] });
  });

  it('pages with a nextPageUrl that must be POSTed', async () => {
    const first = await call('POST', '/ATServicesRest/V1.0/Tickets/query', { MaxRecords: 3, Filter: [{ op: 'exist', field: 'id' }] });
    expect(first.body.items.map((t: any) => t.id)).toEqual([30001, 30002, 30003]);
    const next = first.body.pageDetails.nextPageUrl as string;
    expect(next).toMatch(/\/Tickets\/query\/next\?paging=/);
    expect((await call('GET', next)).status).toBe(405);
    const second = await call('POST', next);
    expect(second.body.items.map((t: any) => t.id)).toEqual([30004]);
    expect(second.body.pageDetails.nextPageUrl).toBeNull();
    expect(second.body.pageDetails.prevPageUrl).toEqual(expect.stringContaining('/query/next?paging='));
  });

  it('queries companies with a boolean isActive and billing codes by useType', async () => {
    const companies = await call('POST', '/ATServicesRest/V1.0/Companies/query', { filter: [{ op: 'eq', field: 'isactive', value: false }] });
    expect(companies.body.items.map((c: any) => c.id)).toEqual([176]);
    const codes = await call('POST', '/ATServicesRest/V1.0/BillingCodes/query', {
      filter: [{ op: 'eq', field: 'useType', value: 1 }, { op: 'eq', field: 'isActive', value: true }],
    });
    expect(codes.body.items.map((c: any) => c.id)).toEqual([29682801, 29682802]);
  });
});

describe('metadata', () => {
  it('lists ticket picklists with inactive values and sub-issue parents', async () => {
    const { body } = await call('GET', '/ATServicesRest/V1.0/Tickets/entityInformation/fields');
    const field = (name: string) => body.fields.find((f: any) => f.name === name);
    expect(field('status').picklistValues).toContainEqual(expect.objectContaining({ value: '15', label: 'Deprecated Status', isActive: false }));
    expect(field('priority').picklistValues.map((v: any) => v.value).sort()).toEqual(['1', '2', '3', '4']);
    expect(field('queueID').picklistValues).toContainEqual(expect.objectContaining({ value: '29683498', label: 'Monitoring Alert' }));
    expect(field('subIssueType')).toMatchObject({ picklistParentValueField: 'issueType' });
    expect(field('subIssueType').picklistValues[0].parentValue).toBe('1');
    expect(field('companyID')).toMatchObject({ isRequired: true, isReference: true, referenceEntityType: 'Company' });
    for (const name of ['source', 'ticketType', 'issueType']) expect(field(name).isPickList).toBe(true);
  });

  it('shows a deactivated picklist value as inactive', async () => {
    sim.faults.setPicklistValueActive('status', 7, false);
    const { body } = await call('GET', '/ATServicesRest/V1.0/Tickets/entityInformation/fields');
    expect(body.fields.find((f: any) => f.name === 'status').picklistValues.find((v: any) => v.value === '7').isActive).toBe(false);
  });

  it('describes the entity', async () => {
    expect((await call('GET', '/ATServicesRest/V1.0/BillingCodes/entityInformation')).body.info).toMatchObject({ canCreate: false, canQuery: true });
  });
});

describe('limits', () => {
  it('rejects a fourth concurrent request on one endpoint with the thread-threshold error', async () => {
    sim.faults.latencyMs = 300;
    const answers = await Promise.all(
      Array.from({ length: 4 }, () => call('POST', '/ATServicesRest/V1.0/Tickets/query', { filter: [{ op: 'gt', field: 'id', value: 0 }] })),
    );
    const refused = answers.filter((answer) => answer.status !== 200);
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatchObject({ status: 500, body: { errors: [expect.stringMatching(/Thread Threshold Exceeded/)] } });
    expect(refused[0]?.body.errors[0]).toContain('Itgenatr005');
    expect(sim.peakConcurrency('Tickets')).toBe(3);
  });

  it('counts threads per endpoint, so another entity is not affected', async () => {
    sim.faults.latencyMs = 200;
    const answers = await Promise.all([
      ...Array.from({ length: 3 }, () => call('POST', '/ATServicesRest/V1.0/Tickets/query', {})),
      call('POST', '/ATServicesRest/V1.0/Companies/query', {}),
    ]);
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 200]);
  });

  it('answers 429 with Retry-After once the hourly threshold is used up, and reports usage', async () => {
    sim.faults.setThreshold(10, 8);
    const status = await call('GET', '/ATServicesRest/V1.0/ThresholdInformation');
    expect(status.body).toEqual({ externalRequestThreshold: 10, requestThresholdTimeframe: 60, currentTimeframeRequestCount: 9 });
    await call('GET', '/ATServicesRest/V1.0/Tickets/1');
    const refused = await call('GET', '/ATServicesRest/V1.0/Tickets/1');
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(refused.body.errors).toHaveLength(1);
  });

  it('leaves zone discovery outside the threshold', async () => {
    sim.faults.setThreshold(1, 1);
    expect((await call('GET', `/atservicesrest/v1.0/zoneInformation?user=${DEFAULT_CREDENTIALS.username}`, undefined, {})).status).toBe(200);
  });

  it('slows answers down from half of the threshold', async () => {
    const slow = await startAutotaskSimulator({ port: 0, threshold: 10, latencyAtHalfMs: 250, latencyAtThreeQuartersMs: 500 });
    try {
      const timed = async (): Promise<number> => {
        const started = Date.now();
        await fetch(`${slow.url}/ATServicesRest/V1.0/Tickets/1`, { headers: AUTH });
        return Date.now() - started;
      };
      expect(await timed()).toBeLessThan(200);
      slow.faults.setThreshold(10, 4);
      expect(await timed()).toBeGreaterThanOrEqual(240);
      slow.faults.setThreshold(10, 7);
      expect(await timed()).toBeGreaterThanOrEqual(490);
    } finally {
      await slow.close();
    }
  });
});

describe('faults', () => {
  it('fails the next writes with the chosen status, errors and Retry-After, without committing', async () => {
    sim.faults.failNextWrites(1, { status: 429, errors: ['slow down'], retryAfterSeconds: 2 });
    const refused = await call('POST', '/ATServicesRest/V1.0/Tickets', ticket());
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('2');
    expect(refused.body).toEqual({ errors: ['slow down'] });
    expect(sim.tickets()).toHaveLength(0);
    expect((await call('POST', '/ATServicesRest/V1.0/Tickets', ticket())).status).toBe(200);
  });

  it('can answer 503 without a body', async () => {
    sim.faults.failNextWrites(1, { status: 503 });
    const refused = await call('PATCH', '/ATServicesRest/V1.0/Tickets', { id: 1 });
    expect(refused).toMatchObject({ status: 503, body: undefined });
  });

  it('fails every call, reads included, during an outage window, then answers again', async () => {
    const hiccup = ['An unexpected error has occurred. Please try again later.'];
    expect((await call('POST', '/__sim/faults/outage', { seconds: 0.3, status: 500, errors: hiccup }, {})).status).toBe(204);
    expect(await call('POST', '/ATServicesRest/V1.0/Tickets', ticket())).toMatchObject({ status: 500, body: { errors: hiccup } });
    expect(await call('GET', '/ATServicesRest/V1.0/Tickets/1')).toMatchObject({ status: 500, body: { errors: hiccup } });
    expect(sim.tickets()).toHaveLength(0);
    await new Promise((resolve) => setTimeout(resolve, 350));
    expect((await call('POST', '/ATServicesRest/V1.0/Tickets', ticket())).status).toBe(200);
  });

  it('commits a write and then destroys the connection', async () => {
    sim.faults.commitThenTimeout(1, { mode: 'reset' });
    await expect(call('POST', '/ATServicesRest/V1.0/Tickets', ticket({ externalID: 'X-1' }))).rejects.toThrow();
    expect(sim.tickets().map((t) => t.externalID)).toEqual(['X-1']);
    expect(sim.writeCount('Tickets')).toBe(1);
  });

  it('is controllable over HTTP under /__sim', async () => {
    expect((await call('POST', '/__sim/faults/fail-next-writes', { count: 1, status: 500, errors: ['boom'] }, {})).status).toBe(204);
    expect((await call('POST', '/ATServicesRest/V1.0/Tickets', ticket())).body).toEqual({ errors: ['boom'] });
    const log = await call('GET', '/__sim/requests', undefined, {});
    expect(log.body.items.some((entry: any) => entry.write && entry.status === 500)).toBe(true);
    expect((await call('POST', '/__sim/reset', undefined, {})).status).toBe(204);
    expect(sim.requests).toHaveLength(0);
  });

  it('resets to the seed', async () => {
    await call('POST', '/ATServicesRest/V1.0/Tickets', ticket());
    sim.faults.setCompanyActive(174, false);
    sim.reset();
    expect(sim.tickets()).toHaveLength(0);
    expect(sim.companies().find((c) => c.id === 174)?.isActive).toBe(true);
    expect(sim.companies().map((c) => c.id)).toEqual([0, 174, 175, 176]);
  });
});
