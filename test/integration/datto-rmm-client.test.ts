import express from 'express';
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { DattoRmmClient, type DattoRmmClientOptions, type DattoRmmCredentials, type DattoRmmSession } from '../../src/datto-rmm';
import type { RemoteCallInfo } from '../../src/http/json-api-session';
import {
  RemoteAuthError,
  RemoteNotFoundError,
  RemoteRateLimitedError,
  RemoteUnavailableError,
  RemoteUnexpectedAnswerError,
} from '../../src/http/remote-errors';
import type { RmmTicket } from '../../src/rmm/types';
import {
  DEFAULT_RATE_LIMITS,
  SEED_DEVICE_UIDS,
  SEED_SITE_UIDS,
  startDattoRmmSimulator,
  type DattoRmmSimulator,
} from '../../src/simulators/datto-rmm';
import { testRedisUrl, uniqueName } from '../harness/context';

const GENERATED_SITES = 600;
const filePrefix = uniqueName('datto-rmm-client');
let sim: DattoRmmSimulator;
let redis: Redis;
/** A fresh budget per test: holds and learned limits of one test must not slow the next. */
let prefix: string;
let tests = 0;

beforeAll(async () => {
  sim = await startDattoRmmSimulator({ port: 0, generatedSites: GENERATED_SITES });
  redis = new Redis(testRedisUrl());
});

beforeEach(() => {
  tests += 1;
  prefix = `${filePrefix}:${tests}`;
});

afterEach(() => {
  sim.reset();
  sim.setLimits(DEFAULT_RATE_LIMITS);
});

afterAll(async () => {
  const keys = await redis.keys(`${filePrefix}:*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
  await sim.close();
});

function client(options: Partial<DattoRmmClientOptions> = {}): DattoRmmClient {
  return new DattoRmmClient({ redis, prefix, minRetryDelayMs: 5, maxRetryDelayMs: 10, timeoutMs: 2_000, ...options });
}

function credentials(overrides: Partial<DattoRmmCredentials> = {}): DattoRmmCredentials {
  return { apiUrl: sim.url, apiKey: sim.credentials.apiKey, apiSecret: sim.credentials.apiSecret, ...overrides };
}

function session(options: Partial<DattoRmmClientOptions> = {}, overrides: Partial<DattoRmmCredentials> = {}): DattoRmmSession {
  return client(options).session('connector-1', credentials(overrides));
}

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

function openTickets(datto: DattoRmmSession): AsyncGenerator<RmmTicket[]> {
  const reconciliation = datto.reconciliation();
  if (reconciliation.mode !== 'open-list') throw new Error('Datto RMM reconciles by its open list');
  return reconciliation.openTickets();
}

const calls = (path: string, method = 'GET') => sim.requests.filter((request) => request.path === path && request.method === method);
const tokenRequests = () => calls('/auth/oauth/token', 'POST');

function diskAlert(siteUid: string = SEED_SITE_UIDS.fabrikam) {
  return sim.raiseAlert({ siteUid, priority: 'High', context: { '@class': 'perf_disk_usage_ctx', diskName: 'C:', freeSpace: 4, totalVolume: 100, unitOfMeasure: 'PERCENT' } });
}

/** A stand-in Datto RMM that grants tokens and answers every API call with `answer`. */
async function fakeDatto(answer: (req: express.Request, res: express.Response) => void): Promise<{ url: string; hits: () => string[]; close: () => Promise<void> }> {
  const hits: string[] = [];
  const app = express();
  app.post('/auth/oauth/token', (_req, res) => {
    res.json({ access_token: 'fake-token-123456', token_type: 'bearer', expires_in: 360000 });
  });
  app.use((req, res) => {
    hits.push(req.originalUrl);
    answer(req, res);
  });
  const server = await new Promise<Server>((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    hits: () => hits,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** What a job does with RemoteRateLimitedError: comes back after `retryAfterMs` and tries again. */
async function likeAJob<T>(work: () => Promise<T>, waits: { count: number }): Promise<T> {
  for (;;) {
    try {
      return await work();
    } catch (error) {
      if (!(error instanceof RemoteRateLimitedError)) throw error;
      waits.count += 1;
      await sleep(error.retryAfterMs);
    }
  }
}

describe('the access token', () => {
  it('is granted once with the password grant and reused across calls and sessions', async () => {
    const datto = client();
    await datto.session('connector-1', credentials()).getAccount();
    await datto.session('connector-2', credentials()).getTicket(randomUUID());
    await datto.session('connector-1', credentials()).listStatuses();

    expect(sim.tokenGrants).toBe(1);
    expect(tokenRequests()).toHaveLength(1);
    expect(calls('/api/v2/account').map((request) => request.status)).toEqual([200]);
  });

  it('is granted once for callers that ask at the same time', async () => {
    const datto = session();
    const tickets = await Promise.all(Array.from({ length: 6 }, () => datto.getTicket(randomUUID())));
    expect(tickets).toEqual([null, null, null, null, null, null]);
    expect(sim.tokenGrants).toBe(1);
  });

  it('is granted again, once, when a call answers 401, and the call then succeeds', async () => {
    const datto = session();
    await datto.getAccount();
    sim.expireTokens();

    await expect(datto.getAccount()).resolves.toEqual({ id: sim.account.uid, name: sim.account.name });
    expect(sim.tokenGrants).toBe(2);
    expect(calls('/api/v2/account').map((request) => request.status)).toEqual([200, 401, 200]);
  });

  it('reads a second 401 after a new grant as a credentials failure', async () => {
    sim.faults.failNextRequests(2, { status: 401 });
    const error = await failure(session().getAccount());
    expect(error).toBeInstanceOf(RemoteAuthError);
    expect(error).toMatchObject({ system: 'datto-rmm', failure: 'credentials', status: 401 });
    expect(sim.tokenGrants).toBe(2);
  });

  it('reports a wrong secret as a credentials failure that names neither key nor secret, without calling the API', async () => {
    const wrongSecret = 'wrong-secret-5f1c2e9a';
    const error = await failure(session({}, { apiSecret: wrongSecret }).getAccount());
    expect(error).toBeInstanceOf(RemoteAuthError);
    expect(error).toMatchObject({ system: 'datto-rmm', failure: 'credentials', status: 400 });
    expect(error.message).toMatch(/API key or secret key is wrong/);
    const everything = `${error.message} ${JSON.stringify(error)}`;
    expect(everything).not.toContain(wrongSecret);
    expect(everything).not.toContain(sim.credentials.apiKey);
    expect(everything).not.toContain('Bad credentials');
    expect(tokenRequests()).toHaveLength(1);
    expect(calls('/api/v2/account')).toHaveLength(0);
  });

  it('never lends one connector’s token to a connector with the same key and a wrong secret', async () => {
    const datto = client();
    await datto.session('good', credentials()).getAccount();
    await expect(datto.session('bad', credentials({ apiSecret: 'not-the-secret-1234' })).getAccount()).rejects.toBeInstanceOf(RemoteAuthError);
  });
});

describe('sites', () => {
  it('reads every site across pages of 250, following nextPageUrl from page 0', async () => {
    const sites = await session().listSites();
    expect(sites).toHaveLength(5 + GENERATED_SITES);
    expect(new Set(sites.map((site) => site.id)).size).toBe(sites.length);
    expect(calls('/api/v2/account/sites').map((request) => request.query)).toEqual([
      { page: '0', max: '250' },
      { max: '250', page: '1' },
      { max: '250', page: '2' },
    ]);
  });

  it('leaves out the "Deleted Devices" pseudo-site', async () => {
    const sites = await session().listSites();
    expect(sites.map((site) => site.id)).not.toContain(SEED_SITE_UIDS.deletedDevices);
    expect(sites.some((site) => site.name.trim().toLowerCase() === 'deleted devices')).toBe(false);
  });

  it('reads each site’s Autotask company as a positive integer, or null', async () => {
    sim.addSite({ name: 'Zero Ltd', autotaskCompanyId: '0' });
    const sites = await session().listSites();
    const byId = new Map(sites.map((site) => [site.id, site]));
    expect(byId.get(SEED_SITE_UIDS.fabrikam)).toEqual({ id: SEED_SITE_UIDS.fabrikam, name: 'Fabrikam', description: 'Head office', autotaskCompanyId: 174 });
    expect(byId.get(SEED_SITE_UIDS.northwind)?.autotaskCompanyId).toBe(175);
    expect(byId.get(SEED_SITE_UIDS.wideWorld)?.autotaskCompanyId).toBeNull();
    expect(sites.find((site) => site.name === 'Zero Ltd')?.autotaskCompanyId).toBeNull();
  });
});

describe('alerts', () => {
  it('reads an alert as an RMM ticket', async () => {
    const alert = diskAlert();
    await expect(session().getTicket(alert.alertUid)).resolves.toMatchObject({
      id: alert.alertUid,
      siteId: SEED_SITE_UIDS.fabrikam,
      siteName: 'Fabrikam',
      title: 'FAB-SRV01: Low disk space on C: (4% free)',
      status: 'Open',
      severity: 'High',
      deviceId: SEED_DEVICE_UIDS.fabrikamServer,
      deviceName: 'FAB-SRV01',
      updatedAt: new Date(alert.timestamp).toISOString(),
      recurrenceKey: `${SEED_DEVICE_UIDS.fabrikamServer}|perf_disk_usage_ctx|diskName=C:`,
      skip: null,
    });
  });

  it('answers null for an alert Datto does not know', async () => {
    await expect(session().getTicket(randomUUID())).resolves.toBeNull();
  });

  it('lists the open alerts 100 at a time, and only the open ones', async () => {
    const storm = sim.storm({ count: 230, siteUid: SEED_SITE_UIDS.northwind });
    sim.resolveAlert(storm[0]!.alertUid);

    const pages = await collect(openTickets(session()));
    expect(pages.map((page) => page.length)).toEqual([100, 100, 29]);
    const tickets = pages.flat();
    expect(new Set(tickets.map((ticket) => ticket.id))).toEqual(new Set(storm.slice(1).map((alert) => alert.alertUid)));
    expect(tickets.every((ticket) => ticket.status === 'Open')).toBe(true);
    expect(calls('/api/v2/account/alerts/open').map((request) => request.query.page)).toEqual(['0', '1', '2']);
  });

  it('offers the statuses Open and Resolved', async () => {
    await expect(session().listStatuses()).resolves.toEqual(['Open', 'Resolved']);
  });
});

describe('bringing an alert to an Autotask status', () => {
  const autotask = { ticketId: 30001, ticketNumber: 'T20260101.0001' };

  it('resolves an open alert once, then leaves it alone', async () => {
    const alert = diskAlert();
    const datto = session();
    await expect(datto.applyStatus(alert.alertUid, 'Resolved', autotask)).resolves.toBe('changed');
    await expect(datto.applyStatus(alert.alertUid, 'Resolved', autotask)).resolves.toBe('unchanged');

    expect(sim.alert(alert.alertUid)).toMatchObject({ resolved: true, resolvedBy: 'connector.api' });
    expect(calls(`/api/v2/alert/${alert.alertUid}/resolve`, 'POST')).toHaveLength(1);
  });

  it('cannot re-open a resolved alert, and leaves an open one as it is', async () => {
    const open = diskAlert();
    const resolved = diskAlert(SEED_SITE_UIDS.northwind);
    sim.resolveAlert(resolved.alertUid);
    const datto = session();

    await expect(datto.applyStatus(resolved.alertUid, 'Open', autotask)).resolves.toBe('not-supported');
    await expect(datto.applyStatus(open.alertUid, 'Open', autotask)).resolves.toBe('unchanged');
    expect(sim.alert(resolved.alertUid)?.resolved).toBe(true);
    expect(sim.requests.filter((request) => request.method === 'POST' && request.path.endsWith('/resolve'))).toHaveLength(0);
  });

  it('answers not-supported for any other status without calling Datto', async () => {
    await expect(session().applyStatus(randomUUID(), 'Closed', autotask)).resolves.toBe('not-supported');
    expect(sim.requests).toHaveLength(0);
  });

  it('uses the alert the caller just read instead of asking again', async () => {
    const alert = diskAlert();
    const datto = session();
    const current = (await datto.getTicket(alert.alertUid))!;
    await expect(datto.applyStatus(alert.alertUid, 'Resolved', autotask, current)).resolves.toBe('changed');
    expect(calls(`/api/v2/alert/${alert.alertUid}`)).toHaveLength(1);
  });

  it('reports an alert Datto does not know as not found', async () => {
    const error = await failure(session().applyStatus(randomUUID(), 'Resolved', autotask));
    expect(error).toBeInstanceOf(RemoteNotFoundError);
    expect(error).toMatchObject({ system: 'datto-rmm', failure: 'refused' });
  });
});

describe('paging safety', () => {
  it('refuses to follow a nextPageUrl to another host, so the token never leaves Datto', async () => {
    const fake = await fakeDatto((_req, res) => {
      res.json({ pageDetails: { count: 1, nextPageUrl: 'https://collector.example/api/v2/account/sites?max=250&page=1' }, sites: [{ uid: 's-1', name: 'One' }] });
    });
    try {
      const error = await failure(client().session('c', { apiUrl: fake.url, apiKey: 'key-123456', apiSecret: 'secret-123456' }).listSites());
      expect(error).toBeInstanceOf(RemoteUnexpectedAnswerError);
      expect(error.message).toMatch(/https:\/\/collector\.example.*not followed/);
      expect(error.message).not.toContain('fake-token-123456');
      expect(fake.hits()).toEqual(['/api/v2/account/sites?page=0&max=250']);
    } finally {
      await fake.close();
    }
  });

  it('takes an empty nextPageUrl as the end of the list', async () => {
    const fake = await fakeDatto((_req, res) => {
      res.json({ pageDetails: { count: 1, nextPageUrl: '' }, sites: [{ uid: 's-1', name: 'One', autotaskCompanyId: '42' }] });
    });
    try {
      const sites = await client().session('c', { apiUrl: fake.url, apiKey: 'key-123456', apiSecret: 'secret-123456' }).listSites();
      expect(sites).toEqual([{ id: 's-1', name: 'One', description: null, autotaskCompanyId: 42 }]);
      expect(fake.hits()).toHaveLength(1);
    } finally {
      await fake.close();
    }
  });

  it('stops when a next page leads back to a page already read', async () => {
    const fake = await fakeDatto((req, res) => {
      res.json({ pageDetails: { nextPageUrl: `http://${req.headers.host}/api/v2/account/sites?page=0&max=250` }, sites: [{ uid: 's-1', name: 'One' }] });
    });
    try {
      const error = await failure(client().session('c', { apiUrl: fake.url, apiKey: 'key-123456', apiSecret: 'secret-123456' }).listSites());
      expect(error).toBeInstanceOf(RemoteUnexpectedAnswerError);
      expect(fake.hits()).toHaveLength(1);
    } finally {
      await fake.close();
    }
  });

  it('names the fields of an alert that breaks the API’s promise, never their values', async () => {
    const fake = await fakeDatto((_req, res) => {
      res.json({ alertUid: 'a-1', resolved: 'no', timestamp: 'yesterday', alertSourceInfo: { siteUid: 'site-secret-value' } });
    });
    try {
      const error = await failure(client().session('c', { apiUrl: fake.url, apiKey: 'key-123456', apiSecret: 'secret-123456' }).getTicket('a-1'));
      expect(error).toBeInstanceOf(RemoteUnexpectedAnswerError);
      expect(error.message).toMatch(/unexpected answer to GET \/api\/v2\/alert\/a-1.*resolved, timestamp/);
      expect(error.message).not.toContain('yesterday');
    } finally {
      await fake.close();
    }
  });
});

describe('failures', () => {
  it('retries a 5xx and succeeds', async () => {
    sim.faults.failNextRequests(2, { status: 503 });
    await expect(session().getAccount()).resolves.toMatchObject({ id: sim.account.uid });
    expect(calls('/api/v2/account').map((request) => request.status)).toEqual([503, 503, 200]);
  });

  it('gives up after the configured retries with RemoteUnavailableError', async () => {
    sim.faults.failNextRequests(10, { status: 500 });
    const error = await failure(session({ retries: 2 }).getAccount());
    expect(error).toBeInstanceOf(RemoteUnavailableError);
    expect(error).toMatchObject({ system: 'datto-rmm', failure: 'transient', status: 500 });
    expect(calls('/api/v2/account')).toHaveLength(3);
  });

  it('reports a 429 with its Retry-After without retrying, and holds every call of the account meanwhile', async () => {
    sim.faults.failNextRequests(1, { status: 429, retryAfterSeconds: 30 });
    const error = await failure(session().getAccount());
    expect(error).toBeInstanceOf(RemoteRateLimitedError);
    expect(error).toMatchObject({ system: 'datto-rmm', failure: 'rate-limited', limitScope: 'call', retryAfterMs: 30_000 });
    expect(calls('/api/v2/account')).toHaveLength(1);

    const held = await failure(client().session('connector-2', credentials()).getTicket(randomUUID()));
    expect(held).toBeInstanceOf(RemoteRateLimitedError);
    expect((held as RemoteRateLimitedError).retryAfterMs).toBeGreaterThan(20_000);
    expect((held as RemoteRateLimitedError).retryAfterMs).toBeLessThanOrEqual(30_000);
    expect(sim.requests.filter((request) => request.path.startsWith('/api/v2/alert/'))).toHaveLength(0);
  });

  it('reads the IP block (an HTML 403) as a 5-minute wait for the whole account', async () => {
    sim.setLimits({ accountLimitPerMinute: 1, blockAfter429s: 0 });
    const datto = session();
    await datto.getAccount();
    const error = await failure(datto.getAccount());
    expect(error).toBeInstanceOf(RemoteRateLimitedError);
    expect(error).toMatchObject({ system: 'datto-rmm', limitScope: 'call', retryAfterMs: 5 * 60_000 });
    expect(error.message).toMatch(/blocks this account's API access for about 5 minutes because of too many requests/);
    expect(calls('/api/v2/account').map((request) => request.status)).toEqual([200, 403]);
    sim.unblock();

    await expect(datto.getAccount()).rejects.toBeInstanceOf(RemoteRateLimitedError);
    expect(calls('/api/v2/account')).toHaveLength(2);
  });

  it('reads a 403 with a JSON body as a refusal of that call only', async () => {
    sim.faults.failNextRequests(1, { status: 403, message: 'Access denied' });
    const error = await failure(session().getAccount());
    expect(error).toBeInstanceOf(RemoteAuthError);
    expect(error).toMatchObject({ system: 'datto-rmm', failure: 'refused', status: 403 });
  });

  it('reports an unreachable Datto as unavailable, with no secret anywhere', async () => {
    const fake = await fakeDatto((_req, res) => res.end());
    const url = fake.url;
    await fake.close();
    const error = await failure(client({ retries: 1 }).session('c', { apiUrl: url, apiKey: 'key-77aa-secret', apiSecret: 'secret-88bb' }).getAccount());
    expect(error).toBeInstanceOf(RemoteUnavailableError);
    const everything = `${error.message} ${JSON.stringify(error)} ${JSON.stringify((error as { cause?: unknown }).cause)}`;
    expect(everything).not.toContain('key-77aa-secret');
    expect(everything).not.toContain('secret-88bb');
  });

  it('refuses an API URL that is not http(s) and a share of the limit outside 1–600', () => {
    expect(() => session({}, { apiUrl: 'ftp://merlot-api.centrastage.net' })).toThrow(RangeError);
    expect(() => session({}, { requestsPerMinute: 0 })).toThrow(RangeError);
    expect(() => session({}, { requestsPerMinute: 601 })).toThrow(RangeError);
  });
});

describe('observing calls', () => {
  it('reports each exchange with the route, not the alert uid, token request included', async () => {
    const seen: RemoteCallInfo[] = [];
    await session({ onCall: (info) => seen.push(info) }).getTicket(randomUUID());
    expect(seen.map(({ connectorId, method, route, status }) => ({ connectorId, method, route, status }))).toEqual([
      { connectorId: 'connector-1', method: 'POST', route: '/auth/oauth/token', status: 200 },
      { connectorId: 'connector-1', method: 'GET', route: '/api/v2/alert/{alertUid}', status: 404 },
    ]);
  });

  it('counts every request of the session', async () => {
    const datto = session();
    await datto.getAccount();
    await datto.getTicket(randomUUID());
    expect(datto.requestCount).toBe(3);
  });
});

describe('staying under Datto RMM’s limits', () => {
  it('shares one budget between the processes of an install', async () => {
    const share = { requestsPerMinute: 10 };
    const secondRedis = new Redis(testRedisUrl());
    try {
      const processes = [client({ inlineWaitMs: 0 }), client({ inlineWaitMs: 0, redis: secondRedis })];
      const outcomes: string[] = [];
      for (let call = 0; call < 12; call += 1) {
        const datto = processes[call % 2]!.session(`connector-${call % 2}`, credentials(share));
        outcomes.push(await datto.getTicket(randomUUID()).then(() => 'read', (error: unknown) => (error instanceof RemoteRateLimitedError ? `wait ${error.retryAfterMs > 0}` : 'other')));
      }
      expect(outcomes).toEqual([...Array<string>(10).fill('read'), 'wait true', 'wait true']);
      expect(sim.requests.filter((request) => request.path.startsWith('/api/v2/alert/'))).toHaveLength(10);
    } finally {
      secondRedis.disconnect();
    }
  });

  it('keeps alert resolves to their own share', async () => {
    const alerts = [diskAlert(), diskAlert(SEED_SITE_UIDS.northwind), diskAlert(SEED_SITE_UIDS.wideWorld)];
    const datto = session({ resolvesPerMinute: 2, inlineWaitMs: 0 });
    const autotask = { ticketId: 1, ticketNumber: null };
    await datto.applyStatus(alerts[0]!.alertUid, 'Resolved', autotask);
    await datto.applyStatus(alerts[1]!.alertUid, 'Resolved', autotask);
    await expect(datto.applyStatus(alerts[2]!.alertUid, 'Resolved', autotask)).rejects.toBeInstanceOf(RemoteRateLimitedError);
    expect(sim.alert(alerts[2]!.alertUid)?.resolved).toBe(false);
    await expect(datto.getAccount()).resolves.toMatchObject({ id: sim.account.uid });
  });

  it(
    'lets many concurrent calls of two processes all succeed, without Datto ever blocking the account',
    async () => {
      sim.setLimits({ accountLimitPerMinute: 60 });
      const alerts = [diskAlert(), diskAlert(SEED_SITE_UIDS.northwind), diskAlert(SEED_SITE_UIDS.tailspin)];
      const secondRedis = new Redis(testRedisUrl());
      try {
        // Default settings: the few requests in flight are what keeps a burst from collecting 429s before the first one holds the account.
        const processes = [client(), client({ redis: secondRedis })].map((datto, index) => datto.session(`connector-${index}`, credentials()));
        const waits = { count: 0 };
        const tickets = await Promise.all(
          Array.from({ length: 90 }, (_, call) => likeAJob(() => processes[call % 2]!.getTicket(alerts[call % 3]!.alertUid), waits)),
        );

        expect(tickets.map((ticket) => ticket?.id)).toEqual(Array.from({ length: 90 }, (_, call) => alerts[call % 3]!.alertUid));
        const statuses = sim.requests.filter((request) => request.path.startsWith('/api/v2/')).map((request) => request.status);
        expect(statuses.filter((status) => status === 403)).toHaveLength(0);
        // Few enough 429s that Datto's escalation to the block is nowhere near.
        expect(statuses.filter((status) => status === 429).length).toBeLessThan(DEFAULT_RATE_LIMITS.blockAfter429s / 2);
        expect(statuses.filter((status) => status === 200)).toHaveLength(90);
        // The limit was really met: callers were sent away to wait.
        expect(waits.count).toBeGreaterThan(0);
      } finally {
        secondRedis.disconnect();
      }
    },
    180_000,
  );
});
