import { AutotaskClient, type AutotaskCallInfo, type AutotaskClientOptions } from '../../src/autotask/client';
import {
  AutotaskAuthError,
  AutotaskBusinessRuleError,
  AutotaskOutcomeUnknownError,
  AutotaskRateLimitedError,
  AutotaskUnavailableError,
} from '../../src/autotask/errors';
import type { AutotaskCredentials, AutotaskSession, AutotaskTicket, AutotaskTicketFields } from '../../src/autotask/types';
import { DEFAULT_CREDENTIALS, startAutotaskSimulator, type AutotaskSimulator } from '../../src/simulators/autotask';

let sim: AutotaskSimulator;

const credentials = (extra: Partial<AutotaskCredentials> = {}): AutotaskCredentials => ({ ...DEFAULT_CREDENTIALS, ...extra });

function client(options: Partial<AutotaskClientOptions> = {}): AutotaskClient {
  return new AutotaskClient({ zoneLookupUrl: sim.zoneLookupUrl, minRetryDelayMs: 10, maxRetryDelayMs: 20, timeoutMs: 2000, ...options });
}

function session(options: Partial<AutotaskClientOptions> = {}, extra: Partial<AutotaskCredentials> = {}): AutotaskSession {
  return client(options).session('connector-1', credentials(extra));
}

const fields = (extra: Partial<AutotaskTicketFields> = {}): AutotaskTicketFields => ({
  companyID: 174, title: 'Disk C: 95% full', status: 1, priority: 4, queueID: 29683498, billingCodeID: 29682801, ...extra,
});

const zoneLookups = (): number => sim.requests.filter((request) => request.entity === 'ZoneInformation').length;
const requestsTo = (entity: string): number => sim.requests.filter((request) => request.entity === entity).length;

async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a failure');
}

async function collect<T>(pages: AsyncGenerator<T[]>): Promise<T[][]> {
  const result: T[][] = [];
  for await (const page of pages) result.push(page);
  return result;
}

beforeAll(async () => {
  sim = await startAutotaskSimulator({ port: 0, latencyAtHalfMs: 0, latencyAtThreeQuartersMs: 0 });
});
afterEach(() => sim.reset());
afterAll(() => sim.close());

describe('zone discovery', () => {
  it('looks the zone up once per connector and reuses it', async () => {
    const shared = client();
    const first = shared.session('connector-1', credentials());
    await first.getTicket(1);
    await first.getTicket(2);
    await shared.session('connector-1', credentials()).getFieldInformation('Tickets');
    expect(zoneLookups()).toBe(1);
    await shared.session('connector-2', credentials()).getTicket(1);
    expect(zoneLookups()).toBe(2);
  });

  it('shares one lookup between concurrent first calls', async () => {
    const connector = session();
    await Promise.all([connector.getTicket(1), connector.getTicket(2), connector.getFieldInformation('Companies')]);
    expect(zoneLookups()).toBe(1);
  });

  it('skips discovery when the connector names its zone', async () => {
    await session({}, { zoneUrl: sim.zoneUrl }).getTicket(1);
    expect(zoneLookups()).toBe(0);
  });

  it('reports an unknown API user as an auth failure', async () => {
    const error = await failure(session({}, { username: 'nobody@example.com' }).getTicket(1));
    expect(error).toBeInstanceOf(AutotaskAuthError);
  });
});

describe('tickets', () => {
  it('creates a ticket and answers its id, storing the externalID', async () => {
    const id = await session().createTicket(fields({ externalID: 'PCSM-T-1001' }));
    expect(sim.tickets()).toEqual([expect.objectContaining({ id, externalID: 'PCSM-T-1001', queueID: 29683498, billingCodeID: 29682801 })]);
  });

  it('updates with PATCH on the collection URL with the id in the body', async () => {
    const connector = session();
    const id = await connector.createTicket(fields());
    await connector.updateTicket(id, { status: 5 });
    const patch = sim.requests.find((request) => request.method === 'PATCH');
    expect(patch).toMatchObject({ path: '/ATServicesRest/V1.0/Tickets', status: 200 });
    expect(sim.tickets()[0]).toMatchObject({ id, status: 5, title: 'Disk C: 95% full' });
  });

  it('reads a ticket, and null for one that does not exist', async () => {
    const connector = session();
    const id = await connector.createTicket(fields({ externalID: 'E-1' }));
    expect(await connector.getTicket(id)).toMatchObject({ id, externalID: 'E-1', ticketNumber: expect.stringMatching(/^T\d{8}\.\d{4}$/) });
    expect(await connector.getTicket(987654)).toBeNull();
  });

  it('finds the lowest-id ticket with exactly the externalID', async () => {
    sim.addTickets([{ externalID: 'pcsm-7' }, { externalID: 'PCSM-7' }, { externalID: 'PCSM-7' }, { externalID: 'PCSM-8' }]);
    expect((await session().findTicketByExternalId('PCSM-7'))?.id).toBe(30002);
    expect(await session().findTicketByExternalId('PCSM-9')).toBeNull();
  });

  it('sends ImpersonationResourceId on writes only', async () => {
    const connector = session({}, { impersonationResourceId: 29682999 });
    const id = await connector.createTicket(fields());
    await connector.getTicket(id);
    const tickets = sim.requests.filter((request) => request.entity === 'Tickets');
    expect(tickets.map((request) => [request.method, request.impersonationResourceId])).toEqual([['POST', '29682999'], ['GET', null]]);
  });

  it('reads field information with picklists', async () => {
    const info = await session().getFieldInformation('Tickets');
    const status = info.find((field) => field.name === 'status');
    expect(status?.isPickList).toBe(true);
    expect(status?.picklistValues?.map((value) => value.value)).toEqual(expect.arrayContaining(['1', '5', '15']));
  });
});

describe('queries', () => {
  it('pages more than 500 records by id cursor', async () => {
    sim.addTickets(Array.from({ length: 1203 }, (_, index) => ({ priority: index % 2 === 0 ? 4 : 3 })));
    const pages = await collect(session().queryAll<AutotaskTicket>('Tickets', []));
    expect(pages.map((page) => page.length)).toEqual([500, 500, 203]);
    const ids = pages.flat().map((ticket) => ticket.id);
    expect(new Set(ids).size).toBe(1203);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(requestsTo('Tickets')).toBe(3);
  });

  it("ANDs the caller's and/or filter with the cursor and always includes id", async () => {
    sim.addTickets(Array.from({ length: 30 }, (_, index) => ({ status: [1, 5, 8][index % 3], priority: index % 2 === 0 ? 4 : 3 })));
    const pages = await collect(
      session().queryAll<{ id: number; status: number }>(
        'Tickets',
        [{ op: 'or', items: [{ op: 'eq', field: 'status', value: 5 }, { op: 'and', items: [{ op: 'eq', field: 'status', value: 8 }, { op: 'eq', field: 'priority', value: 4 }] }] }],
        { includeFields: ['status'], pageSize: 4 },
      ),
    );
    const items = pages.flat();
    const expected = sim.tickets().filter((t) => t.status === 5 || (t.status === 8 && t.priority === 4)).map((t) => t.id);
    expect(items.map((item) => item.id)).toEqual(expected);
    expect(Object.keys(items[0] ?? {}).sort()).toEqual(['id', 'status']);
    expect(pages.every((page) => page.length <= 4)).toBe(true);
  });

  it('refuses a page size above 500 before calling Autotask', async () => {
    await expect(collect(session().queryAll('Tickets', [], { pageSize: 501 }))).rejects.toThrow(RangeError);
    expect(requestsTo('Tickets')).toBe(0);
  });

  it("surfaces a query refusal with Autotask's text", async () => {
    const error = await failure(collect(session().queryAll('Tickets', [{ op: 'eq', field: 'status', value: 'Complete' }])));
    expect(error).toBeInstanceOf(AutotaskBusinessRuleError);
    expect((error as AutotaskBusinessRuleError).errors).toEqual(["Conversion failed when converting varchar 'Complete' to data type int"]);
  });
});

describe('failures', () => {
  it("refuses invalid data with Autotask's message after exactly one request", async () => {
    const error = await failure(session().createTicket(fields({ companyID: 176 })));
    expect(error).toBeInstanceOf(AutotaskBusinessRuleError);
    expect((error as AutotaskBusinessRuleError).errors).toEqual(['Reference value on field: companyID of type: Company does not exist or is invalid.']);
    expect(requestsTo('Tickets')).toBe(1);
  });

  it('does not retry a business-rule refusal of an update either', async () => {
    const error = await failure(session().updateTicket(30001, { status: 5 }));
    expect(error).toBeInstanceOf(AutotaskBusinessRuleError);
    expect(sim.writeCount('Tickets')).toBe(1);
  });

  it('retries a PATCH answered 503 and then succeeds', async () => {
    const connector = session();
    const id = await connector.createTicket(fields());
    sim.faults.failNextWrites(2, { status: 503 });
    await connector.updateTicket(id, { status: 8 });
    expect(sim.tickets()[0]?.status).toBe(8);
    expect(sim.requests.filter((request) => request.method === 'PATCH').map((request) => request.status)).toEqual([503, 503, 200]);
  });

  it('gives up on a PATCH after the configured retries', async () => {
    const id = await session().createTicket(fields());
    sim.faults.failNextWrites(10, { status: 503 });
    const error = await failure(session({ retries: 2 }).updateTicket(id, { status: 8 }));
    expect(error).toBeInstanceOf(AutotaskUnavailableError);
    expect(sim.requests.filter((request) => request.method === 'PATCH')).toHaveLength(3);
  });

  it('never re-POSTs a create answered 503: the outcome is unknown', async () => {
    sim.faults.failNextWrites(1, { status: 503 });
    const error = await failure(session().createTicket(fields()));
    expect(error).toBeInstanceOf(AutotaskOutcomeUnknownError);
    expect(sim.writeCount('Tickets')).toBe(1);
  });

  it.each(['hang', 'reset'] as const)(
    'reports a create committed before the connection failed (%s) as outcome unknown, POSTed once, findable by externalID',
    async (mode) => {
      sim.faults.commitThenTimeout(1, { mode });
      const connector = session({ timeoutMs: 300 });
      const error = await failure(connector.createTicket(fields({ externalID: 'PCSM-T-42' })));
      expect(error).toBeInstanceOf(AutotaskOutcomeUnknownError);
      expect(sim.requests.filter((request) => request.method === 'POST' && request.write)).toHaveLength(1);
      expect(sim.tickets()).toHaveLength(1);
      expect((await connector.findTicketByExternalId('PCSM-T-42'))?.id).toBe(sim.tickets()[0]?.id);
    },
  );

  it('retries a read whose answer never arrives', async () => {
    const connector = session({ timeoutMs: 200 });
    await connector.getTicket(1);
    sim.faults.latencyMs = 400;
    const pending = connector.getTicket(1);
    setTimeout(() => { sim.faults.latencyMs = 0; }, 250);
    await expect(pending).resolves.toBeNull();
    expect(requestsTo('Tickets')).toBeGreaterThanOrEqual(3);
  });

  it('reports 429 with Retry-After: 2 as rate limited for 2000 ms, without retrying', async () => {
    sim.faults.failNextWrites(1, { status: 429, errors: ['API threshold exceeded'], retryAfterSeconds: 2 });
    const error = await failure(session().createTicket(fields()));
    expect(error).toBeInstanceOf(AutotaskRateLimitedError);
    expect((error as AutotaskRateLimitedError).retryAfterMs).toBe(2000);
    expect(sim.writeCount('Tickets')).toBe(1);
  });

  it('reports the hourly threshold as rate limited', async () => {
    const connector = session();
    await connector.getTicket(1);
    sim.faults.setThreshold(5, 5);
    const error = await failure(connector.getTicket(1));
    expect(error).toBeInstanceOf(AutotaskRateLimitedError);
    expect((error as AutotaskRateLimitedError).retryAfterMs).toBeGreaterThan(0);
    expect(sim.requests.filter((request) => request.status === 429)).toHaveLength(1);
  });

  it('refuses a wrong secret as an auth failure that never shows the secret', async () => {
    const secret = 'wrong-secret-4c1f9e';
    const error = await failure(session({}, { secret }).getTicket(1));
    expect(error).toBeInstanceOf(AutotaskAuthError);
    expect((error as AutotaskAuthError).status).toBe(401);
    for (const text of [error.message, error.stack ?? '', JSON.stringify(error), String((error as { cause?: unknown }).cause)]) {
      expect(text).not.toContain(secret);
      expect(text).not.toContain(DEFAULT_CREDENTIALS.integrationCode);
    }
    // django-autotask's rule: a 401 may mean the zone moved, so discovery runs once more.
    expect(zoneLookups()).toBe(2);
    expect(requestsTo('Tickets')).toBe(2);
  });

  it('does not re-discover on 401 when the zone is configured', async () => {
    const error = await failure(session({}, { secret: 'nope-nope', zoneUrl: sim.zoneUrl }).getTicket(1));
    expect(error).toBeInstanceOf(AutotaskAuthError);
    expect(zoneLookups()).toBe(0);
    expect(requestsTo('Tickets')).toBe(1);
  });

  it('keeps credentials out of network failures', async () => {
    const unreachable = new AutotaskClient({ zoneLookupUrl: 'http://127.0.0.1:1/lookup', retries: 0 }).session('c', credentials({ zoneUrl: 'http://127.0.0.1:1/ATServicesRest/' }));
    const error = await failure(unreachable.getTicket(1));
    expect(error).toBeInstanceOf(AutotaskUnavailableError);
    const everything = `${error.message} ${JSON.stringify(error)} ${JSON.stringify((error as { cause?: unknown }).cause)}`;
    expect(everything).not.toContain(DEFAULT_CREDENTIALS.secret);
    expect(everything).not.toContain(DEFAULT_CREDENTIALS.integrationCode);
  });

  it('treats a create that could not connect as unavailable (nothing was sent), not as unknown', async () => {
    const unreachable = new AutotaskClient({ zoneLookupUrl: 'http://127.0.0.1:1/lookup' }).session('c', credentials({ zoneUrl: 'http://127.0.0.1:1/ATServicesRest/' }));
    expect(await failure(unreachable.createTicket(fields()))).toBeInstanceOf(AutotaskUnavailableError);
  });
});

describe('thread limit', () => {
  const parallelReads = (connector: AutotaskSession) =>
    Promise.allSettled(Array.from({ length: 4 }, (_, index) => connector.getTicket(index + 1)));

  it('keeps at most 3 requests in flight per endpoint, so none is rejected', async () => {
    const connector = session({}, { zoneUrl: sim.zoneUrl });
    sim.faults.latencyMs = 150;
    const results = await parallelReads(connector);
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'fulfilled']);
    expect(sim.peakConcurrency('Tickets')).toBe(3);
    expect(requestsTo('Tickets')).toBe(4);
  });

  it('without the limiter the simulator rejects the fourth with the thread-threshold error', async () => {
    const connector = session({ maxConcurrentPerEndpoint: 10, retries: 0 }, { zoneUrl: sim.zoneUrl });
    sim.faults.latencyMs = 150;
    const results = await parallelReads(connector);
    const rejected = results.filter((result): result is PromiseRejectedResult => result.status === 'rejected');
    expect(rejected).toHaveLength(1);
    expect(rejected[0]?.reason).toBeInstanceOf(AutotaskRateLimitedError);
    expect(String(rejected[0]?.reason.message)).toMatch(/thread threshold/i);
  });
});

describe('observability', () => {
  it('reports every HTTP exchange with connector, method, entity, status and duration', async () => {
    const calls: AutotaskCallInfo[] = [];
    const observed = client({ onCall: (info) => calls.push(info) }).session('connector-9', credentials());
    await observed.getTicket(1);
    expect(calls).toEqual([
      expect.objectContaining({ connectorId: 'connector-9', method: 'GET', entity: 'ZoneInformation', status: 200 }),
      expect.objectContaining({ connectorId: 'connector-9', method: 'GET', entity: 'Tickets', status: 200, durationMs: expect.any(Number) }),
    ]);
  });

  it('is not disturbed by an observer that throws', async () => {
    const observed = client({ onCall: () => { throw new Error('observer broke'); } }).session('c', credentials());
    await expect(observed.getTicket(1)).resolves.toBeNull();
  });
});
