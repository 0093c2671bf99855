import express from 'express';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  DEFAULT_DATTO_CREDENTIALS,
  DELETED_DEVICES_SITE_NAME,
  SEED_DEVICE_UIDS,
  SEED_SITE_UIDS,
  startDattoRmmSimulator,
  type DattoRmmSimulator,
  type SimAlert,
} from '../../src/simulators/datto-rmm';

const SECRET = 'whsec-datto-0123456789';
const BASIC = `Basic ${Buffer.from('public-client:public').toString('base64')}`;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const DISK_FULL = { '@class': 'perf_disk_usage_ctx', diskName: 'C:', totalVolume: 100, freeSpace: 4, unitOfMeasure: 'PERCENT', diskNameDesignation: 'SINGLE_VOLUME' };

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  body: any;
}

interface Received {
  path: string;
  query: Record<string, unknown>;
  secretHeader: string | undefined;
  contentType: string | undefined;
  raw: string;
  payload: any;
}

/** A tiny webhook receiver: records each POST and answers with the next queued status (200 when none). */
class Receiver {
  readonly received: Received[] = [];
  readonly statuses: number[] = [];
  url = '';
  private server: Server | null = null;

  async start(): Promise<void> {
    const app = express();
    app.post('/hook', express.text({ type: () => true }), (req, res) => {
      const raw = String(req.body);
      let payload: unknown;
      try {
        payload = JSON.parse(raw);
      } catch {
        payload = undefined;
      }
      this.received.push({ path: req.path, query: { ...req.query }, secretHeader: req.header('x-webhook-secret'), contentType: req.header('content-type'), raw, payload });
      res.status(this.statuses.shift() ?? 202).end();
    });
    this.server = await new Promise<Server>((resolve) => {
      const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
    });
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hook`;
  }

  events(): string[] {
    return this.received.map((entry) => `${entry.payload?.event} ${entry.payload?.alertUid}`);
  }

  clear(): void {
    this.received.length = 0;
    this.statuses.length = 0;
  }

  close(): Promise<void> {
    const server = this.server;
    if (!server) return Promise.resolve();
    return new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }
}

async function send(url: string, init: RequestInit = {}): Promise<Answer> {
  const response = await fetch(url, init);
  const text = await response.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  return { status: response.status, headers: response.headers, text, body };
}

function tokenRequest(simulator: DattoRmmSimulator, form: Record<string, string>, authorization: string | null = BASIC): Promise<Answer> {
  return send(simulator.tokenUrl, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...(authorization ? { Authorization: authorization } : {}) },
    body: new URLSearchParams(form).toString(),
  });
}

async function grant(simulator: DattoRmmSimulator): Promise<string> {
  const answer = await tokenRequest(simulator, { grant_type: 'password', username: simulator.credentials.apiKey, password: simulator.credentials.apiSecret });
  expect(answer.status).toBe(200);
  return answer.body.access_token as string;
}

/** Waits for a condition the simulator reaches by itself (auto-resolve); fails the test after `timeoutMs`. */
async function eventually(check: () => boolean, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await sleep(10);
  }
}

let sim: DattoRmmSimulator;
let token: string;
const receiver = new Receiver();

function api(method: string, pathOrUrl: string, bearer: string | null = token): Promise<Answer> {
  const url = pathOrUrl.startsWith('http') ? pathOrUrl : `${sim.url}${pathOrUrl}`;
  return send(url, { method, headers: bearer === null ? {} : { Authorization: `Bearer ${bearer}` } });
}

function control(method: string, path: string, body?: unknown): Promise<Answer> {
  return send(`${sim.url}/__sim${path}`, {
    method,
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

function raiseDiskAlert(overrides: Partial<Parameters<DattoRmmSimulator['raiseAlert']>[0]> = {}): SimAlert {
  return sim.raiseAlert({ siteUid: SEED_SITE_UIDS.fabrikam, priority: 'High', context: DISK_FULL, ...overrides });
}

beforeAll(async () => {
  await receiver.start();
  sim = await startDattoRmmSimulator({ port: 0, webhook: { url: receiver.url, secret: SECRET }, minuteMs: 20, webhookTimeoutMs: 2_000 });
});
beforeEach(async () => {
  token = await grant(sim);
});
afterEach(async () => {
  await sim.webhooksIdle();
  sim.reset();
  sim.setWebhook({ url: receiver.url, secret: SECRET });
  sim.resolvedWebhookOnAutoResolve = true;
  receiver.clear();
});
afterAll(async () => {
  await sim.close();
  await receiver.close();
});

describe('the token endpoint', () => {
  it('grants a bearer token for the API key and secret, with the public client in HTTP Basic', async () => {
    const answer = await tokenRequest(sim, { grant_type: 'password', username: DEFAULT_DATTO_CREDENTIALS.apiKey, password: DEFAULT_DATTO_CREDENTIALS.apiSecret });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('cache-control')).toBe('no-store');
    expect(answer.body).toEqual({
      access_token: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/),
      token_type: 'bearer',
      refresh_token: expect.any(String),
      expires_in: 360_000,
      scope: expect.any(String),
      jti: expect.stringMatching(GUID),
    });
    const claims = JSON.parse(Buffer.from(answer.body.access_token.split('.')[1], 'base64url').toString('utf8'));
    expect(claims).toMatchObject({ jti: answer.body.jti, client_id: 'public-client' });
  });

  it('accepts the client pair as client_id/client_secret form fields', async () => {
    const answer = await tokenRequest(sim, { grant_type: 'password', username: sim.credentials.apiKey, password: sim.credentials.apiSecret, client_id: 'public-client', client_secret: 'public' }, null);
    expect(answer.status).toBe(200);
  });

  it('answers 400 invalid_grant for a wrong key or secret', async () => {
    const forms: Array<Record<string, string>> = [
      { grant_type: 'password', username: 'wrong-key', password: sim.credentials.apiSecret },
      { grant_type: 'password', username: sim.credentials.apiKey, password: 'wrong-secret' },
      { grant_type: 'password' },
    ];
    for (const form of forms) {
      const answer = await tokenRequest(sim, form);
      expect({ form, status: answer.status, body: answer.body }).toEqual({ form, status: 400, body: { error: 'invalid_grant', error_description: 'Bad credentials' } });
    }
  });

  it('answers 401 for a wrong or missing client pair, before looking at the grant', async () => {
    const form = { grant_type: 'password', username: sim.credentials.apiKey, password: sim.credentials.apiSecret };
    const wrong = await tokenRequest(sim, form, `Basic ${Buffer.from('public-client:secret').toString('base64')}`);
    expect(wrong.status).toBe(401);
    expect(wrong.body).toEqual({ error: 'unauthorized', error_description: 'Bad credentials' });
    expect(wrong.headers.get('www-authenticate')).toContain('Basic');
    const missing = await tokenRequest(sim, form, null);
    expect(missing.status).toBe(401);
    expect(missing.body.error).toBe('unauthorized');
    expect(sim.tokenGrants).toBe(1);
  });

  it('refuses other grant types, a missing grant type and other verbs', async () => {
    expect((await tokenRequest(sim, { grant_type: 'client_credentials' })).body).toEqual({ error: 'unsupported_grant_type', error_description: 'Unsupported grant type: client_credentials' });
    expect((await tokenRequest(sim, {})).status).toBe(400);
    const get = await send(sim.tokenUrl, { headers: { Authorization: BASIC } });
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
  });

  it('exchanges the refresh token for a new access token', async () => {
    const first = await tokenRequest(sim, { grant_type: 'password', username: sim.credentials.apiKey, password: sim.credentials.apiSecret });
    const refreshed = await tokenRequest(sim, { grant_type: 'refresh_token', refresh_token: first.body.refresh_token });
    expect(refreshed.status).toBe(200);
    expect((await api('GET', '/api/v2/account', refreshed.body.access_token)).status).toBe(200);
    expect((await tokenRequest(sim, { grant_type: 'refresh_token', refresh_token: 'nope' })).status).toBe(401);
  });
});

describe('bearer tokens', () => {
  it('are required on every API call: 401 without one, 401 for an unknown one', async () => {
    const missing = await api('GET', '/api/v2/account', null);
    expect(missing.status).toBe(401);
    expect(missing.body).toEqual({ error: 'unauthorized', error_description: 'Full authentication is required to access this resource' });
    const unknown = await api('GET', '/api/v2/account', 'not-a-token');
    expect(unknown.status).toBe(401);
    expect(unknown.body.error).toBe('invalid_token');
    expect(unknown.headers.get('www-authenticate')).toContain('invalid_token');
  });

  it('are not needed for the system status', async () => {
    const answer = await api('GET', '/api/v2/system/status', null);
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ version: expect.any(String), status: 'OK', started: expect.any(Number) });
  });

  it('expire after their lifetime and then answer 401 until a new grant', async () => {
    const shortLived = await startDattoRmmSimulator({ port: 0, tokenTtlMs: 1_000 });
    try {
      const answer = await tokenRequest(shortLived, { grant_type: 'password', username: shortLived.credentials.apiKey, password: shortLived.credentials.apiSecret });
      expect(answer.body.expires_in).toBe(1);
      const bearer = answer.body.access_token as string;
      const call = (value: string): Promise<Answer> => send(`${shortLived.url}/api/v2/account`, { headers: { Authorization: `Bearer ${value}` } });
      expect((await call(bearer)).status).toBe(200);
      await sleep(1_100);
      const expired = await call(bearer);
      expect(expired.status).toBe(401);
      expect(expired.body).toEqual({ error: 'invalid_token', error_description: expect.stringMatching(/^Access token expired/) });
      expect((await call(await grant(shortLived))).status).toBe(200);
    } finally {
      await shortLived.close();
    }
  });

  it('all expire at once through the control, and a second grant does not revoke the first', async () => {
    const second = await grant(sim);
    expect((await api('GET', '/api/v2/account', token)).status).toBe(200);
    expect((await api('GET', '/api/v2/account', second)).status).toBe(200);
    expect((await control('POST', '/tokens/expire')).status).toBe(204);
    expect((await api('GET', '/api/v2/account', token)).status).toBe(401);
    expect((await api('GET', '/api/v2/account', second)).status).toBe(401);
    expect((await api('GET', '/api/v2/account', await grant(sim))).status).toBe(200);
    expect((await control('GET', '/tokens')).body).toEqual({ grants: 3 });
  });
});

describe('the account and its sites', () => {
  it('answers the account with its device counts', async () => {
    const answer = await api('GET', '/api/v2/account');
    expect(answer.body).toEqual({
      id: 1001,
      uid: 'ab12cd34',
      name: 'Contoso MSP',
      currency: 'USD',
      descriptor: { bilingEmail: expect.any(String), deviceLimit: expect.any(Number), timeZone: expect.any(String) },
      devicesStatus: { numberOfDevices: 8, numberOfOnlineDevices: 7, numberOfOfflineDevices: 1, numberOfOnDemandDevices: 0, numberOfManagedDevices: 8 },
    });
  });

  it('lists the seed sites with Autotask company ids as strings, the Deleted Devices pseudo-site included', async () => {
    const answer = await api('GET', '/api/v2/account/sites?page=0&max=250');
    expect(answer.body.pageDetails).toEqual({ count: 6, totalCount: 6, prevPageUrl: null, nextPageUrl: null });
    const sites = answer.body.sites as Array<Record<string, unknown>>;
    expect(sites.map((site) => [site.name, site.autotaskCompanyId, site.autotaskCompanyName])).toEqual([
      [DELETED_DEVICES_SITE_NAME, null, null],
      ['Fabrikam', '174', 'Fabrikam Ltd'],
      ['Fabrikam Branch Office', '174', 'Fabrikam Ltd'],
      ['Northwind Traders', '175', 'Northwind Traders'],
      ['Wide World Importers', null, null],
      ['Tailspin Toys', null, null],
    ]);
    expect(Object.keys(sites[1] ?? {}).sort()).toEqual(
      ['id', 'uid', 'accountUid', 'name', 'description', 'notes', 'onDemand', 'splashtopAutoInstall', 'proxySettings', 'devicesStatus', 'autotaskCompanyName', 'autotaskCompanyId', 'portalUrl'].sort(),
    );
    expect(sites[1]).toMatchObject({ uid: SEED_SITE_UIDS.fabrikam, accountUid: 'ab12cd34', devicesStatus: { numberOfDevices: 2, numberOfOnlineDevices: 2, numberOfOfflineDevices: 0 } });
  });

  it('pages from 0 with absolute nextPageUrl/prevPageUrl on its own host, null at the ends', async () => {
    for (let index = 0; index < 260; index += 1) sim.addSite({ name: `Paged ${index}` });
    const first = await api('GET', '/api/v2/account/sites?page=0&max=250');
    expect(first.body.pageDetails).toEqual({ count: 250, totalCount: 266, prevPageUrl: null, nextPageUrl: `${sim.url}/api/v2/account/sites?max=250&page=1` });
    const second = await api('GET', first.body.pageDetails.nextPageUrl);
    expect(second.body.pageDetails).toEqual({ count: 16, totalCount: 266, prevPageUrl: `${sim.url}/api/v2/account/sites?max=250&page=0`, nextPageUrl: null });
    const uids = [...first.body.sites, ...second.body.sites].map((site: { uid: string }) => site.uid);
    expect(new Set(uids).size).toBe(266);
    expect((await api('GET', '/api/v2/account/sites')).body.sites[0].uid).toBe(SEED_SITE_UIDS.deletedDevices);
  });

  it('clamps max above 250 silently', async () => {
    for (let index = 0; index < 250; index += 1) sim.addSite({ name: `Paged ${index}` });
    const answer = await api('GET', '/api/v2/account/sites?max=1000');
    expect(answer.status).toBe(200);
    expect(answer.body.pageDetails.count).toBe(250);
    expect(answer.body.pageDetails.nextPageUrl).toBe(`${sim.url}/api/v2/account/sites?max=250&page=1`);
    expect((await api('GET', '/api/v2/system/pagination')).body).toEqual({ max: 250 });
  });

  it('refuses a page that is not a number or below 0, Spring-style', async () => {
    for (const query of ['page=x', 'page=-1', 'max=0']) {
      const answer = await api('GET', `/api/v2/account/sites?${query}`);
      expect({ query, status: answer.status }).toEqual({ query, status: 400 });
      expect(answer.body).toEqual({ timestamp: expect.any(String), status: 400, error: 'Bad Request', message: expect.any(String), path: '/api/v2/account/sites' });
    }
  });

  it('filters by siteName (partial, case-insensitive) and answers one site or 404', async () => {
    expect((await api('GET', '/api/v2/account/sites?siteName=fabrikam')).body.sites.map((site: { name: string }) => site.name)).toEqual(['Fabrikam', 'Fabrikam Branch Office']);
    expect((await api('GET', `/api/v2/site/${SEED_SITE_UIDS.northwind}`)).body.name).toBe('Northwind Traders');
    const missing = await api('GET', '/api/v2/site/d5a00000-0000-4000-8000-00000000ffff');
    expect(missing.status).toBe(404);
    expect(missing.body.message).toBe('Site was not found.');
  });
});

describe('alerts', () => {
  it('lists open alerts with the wire shape: epoch-ms dates, a snake_case @class, no totalCount', async () => {
    const raised = raiseDiskAlert({ diagnostics: 'C: 4% free', autoresolveMins: null });
    const answer = await api('GET', '/api/v2/account/alerts/open?page=0&max=100');
    expect(answer.body.pageDetails).toEqual({ count: 1, prevPageUrl: null, nextPageUrl: null });
    expect(answer.body.alerts).toEqual([
      {
        alertUid: raised.alertUid,
        priority: 'High',
        diagnostics: 'C: 4% free',
        resolved: false,
        resolvedBy: null,
        resolvedOn: null,
        muted: false,
        ticketNumber: null,
        timestamp: expect.any(Number),
        autoresolveMins: null,
        alertMonitorInfo: { sendsEmails: false, createsTicket: false },
        alertContext: DISK_FULL,
        alertSourceInfo: { deviceUid: SEED_DEVICE_UIDS.fabrikamServer, deviceName: 'FAB-SRV01', siteUid: SEED_SITE_UIDS.fabrikam, siteName: 'Fabrikam' },
        responseActions: expect.any(Array),
      },
    ]);
    expect(raised.alertUid).toMatch(GUID);
    expect(Math.abs(answer.body.alerts[0].timestamp - Date.now())).toBeLessThan(60_000);
  });

  it('pages open alerts oldest first, 100 at most to a page, by following nextPageUrl', async () => {
    const raised = sim.storm({ count: 120, siteUid: SEED_SITE_UIDS.northwind });
    const first = await api('GET', '/api/v2/account/alerts/open?max=250');
    expect(first.body.pageDetails).toEqual({ count: 100, prevPageUrl: null, nextPageUrl: `${sim.url}/api/v2/account/alerts/open?max=100&page=1` });
    const seen: string[] = [];
    let next: string | null = `${sim.url}/api/v2/account/alerts/open?page=0&max=50`;
    while (next) {
      const page: Answer = await api('GET', next);
      seen.push(...page.body.alerts.map((alert: SimAlert) => alert.alertUid));
      next = page.body.pageDetails.nextPageUrl;
    }
    expect(seen).toEqual(raised.map((alert) => alert.alertUid));
  });

  it('answers one alert open, then resolved, and 404 for an unknown uid', async () => {
    const raised = raiseDiskAlert();
    expect((await api('GET', `/api/v2/alert/${raised.alertUid}`)).body).toMatchObject({ alertUid: raised.alertUid, resolved: false });
    sim.resolveAlert(raised.alertUid, { by: 'tina.technician' });
    const resolved = await api('GET', `/api/v2/alert/${raised.alertUid}`);
    expect(resolved.body).toMatchObject({ alertUid: raised.alertUid, resolved: true, resolvedBy: 'tina.technician', resolvedOn: expect.any(Number) });
    const unknown = await api('GET', '/api/v2/alert/00000000-0000-4000-8000-000000000000');
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ status: 404, error: 'Not Found', path: '/api/v2/alert/00000000-0000-4000-8000-000000000000' });
  });

  it('resolves once through the API (200, empty body), and a second resolve changes nothing', async () => {
    const raised = raiseDiskAlert();
    const first = await api('POST', `/api/v2/alert/${raised.alertUid}/resolve`);
    expect(first.status).toBe(200);
    expect(first.text).toBe('');
    const once = sim.alert(raised.alertUid);
    expect(once).toMatchObject({ resolved: true, resolvedBy: 'connector.api', resolvedOn: expect.any(Number) });
    const again = await api('POST', `/api/v2/alert/${raised.alertUid}/resolve`);
    expect(again.status).toBe(200);
    expect(sim.alert(raised.alertUid)?.resolvedOn).toBe(once?.resolvedOn);
    expect((await api('GET', '/api/v2/account/alerts/open')).body.alerts).toEqual([]);
    expect((await api('GET', '/api/v2/account/alerts/resolved')).body.alerts.map((alert: SimAlert) => alert.alertUid)).toEqual([raised.alertUid]);
    await sim.webhooksIdle();
    expect(receiver.events()).toEqual([`triggered ${raised.alertUid}`, `resolved ${raised.alertUid}`]);
    expect((await api('POST', '/api/v2/alert/00000000-0000-4000-8000-000000000000/resolve')).status).toBe(404);
  });

  it('shows what the native Autotask integration did on an alert whose monitor creates tickets', () => {
    const pending = raiseDiskAlert({ createsTicket: true });
    const ticketed = raiseDiskAlert({ createsTicket: true, ticketNumber: 'T20261127.0042' });
    expect(pending.alertMonitorInfo.createsTicket).toBe(true);
    expect(pending.responseActions.map((action) => action.actionType)).toEqual(['TICKET_PENDING']);
    expect(ticketed).toMatchObject({ ticketNumber: 'T20261127.0042', responseActions: [{ actionType: 'TICKET_CREATED', actionReference: 'T20261127.0042', actionTime: expect.any(Number) }] });
  });

  it('lists per site and filters muted', async () => {
    const fabrikam = raiseDiskAlert();
    const northwind = raiseDiskAlert({ siteUid: SEED_SITE_UIDS.northwind, muted: true });
    const site = await api('GET', `/api/v2/site/${SEED_SITE_UIDS.northwind}/alerts/open`);
    expect(site.body.alerts.map((alert: SimAlert) => alert.alertUid)).toEqual([northwind.alertUid]);
    const unmuted = await api('GET', '/api/v2/account/alerts/open?muted=false');
    expect(unmuted.body.alerts.map((alert: SimAlert) => alert.alertUid)).toEqual([fabrikam.alertUid]);
  });
});

describe('unknown routes and verbs', () => {
  it('answers 404 with a Spring Boot error body, after authentication', async () => {
    const answer = await api('GET', '/api/v2/tickets');
    expect(answer.status).toBe(404);
    expect(answer.body).toEqual({ timestamp: expect.stringMatching(/\+00:00$/), status: 404, error: 'Not Found', message: expect.any(String), path: '/api/v2/tickets' });
    expect((await api('GET', '/api/v2/tickets', null)).status).toBe(401);
  });

  it('answers 405 with Allow for a known path and another verb', async () => {
    const raised = raiseDiskAlert();
    const answer = await api('GET', `/api/v2/alert/${raised.alertUid}/resolve`);
    expect(answer.status).toBe(405);
    expect(answer.headers.get('allow')).toBe('POST');
    expect(answer.body).toMatchObject({ status: 405, error: 'Method Not Allowed' });
    expect((await api('DELETE', '/api/v2/account')).headers.get('allow')).toBe('GET');
    expect(sim.alert(raised.alertUid)?.resolved).toBe(false);
  });
});

describe('rate limits', () => {
  let limited: DattoRmmSimulator;
  let bearer: string;
  const read = (): Promise<Answer> => send(`${limited.url}/api/v2/account`, { headers: { Authorization: `Bearer ${bearer}` } });
  const resolve = (uid: string): Promise<Answer> => send(`${limited.url}/api/v2/alert/${uid}/resolve`, { method: 'POST', headers: { Authorization: `Bearer ${bearer}` } });

  beforeAll(async () => {
    limited = await startDattoRmmSimulator({ port: 0, accountLimitPerMinute: 10, alertResolveLimitPerMinute: 3, blockAfter429s: 2, blockMs: 400 });
  });
  beforeEach(async () => {
    limited.reset();
    bearer = await grant(limited);
  });
  afterAll(async () => {
    await limited.close();
  });

  it('answers 429 with Retry-After past the per-minute limit, then 403 and a block for a client that keeps calling', async () => {
    for (let index = 0; index < 10; index += 1) expect((await read()).status).toBe(200);
    const limitedAnswer = await read();
    expect(limitedAnswer.status).toBe(429);
    expect(Number(limitedAnswer.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(Number(limitedAnswer.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    expect(limitedAnswer.body).toMatchObject({ status: 429, error: 'Too Many Requests' });
    expect((await read()).status).toBe(429);

    const blocked = await read();
    expect(blocked.status).toBe(403);
    expect(blocked.headers.get('content-type')).toContain('text/html');
    expect(blocked.headers.get('retry-after')).toBeNull();
    // Blocked at the edge: the token endpoint and the health check are refused too.
    expect((await tokenRequest(limited, { grant_type: 'password', username: limited.credentials.apiKey, password: limited.credentials.apiSecret })).status).toBe(403);
    expect((await send(`${limited.url}/api/v2/system/status`)).status).toBe(403);

    await sleep(450);
    // The block is over; the 60 s window is still full.
    expect((await read()).status).toBe(429);
  });

  it('counts alert resolves in their own bucket, apart from reads', async () => {
    const alerts = Array.from({ length: 4 }, () => limited.raiseAlert({ siteUid: SEED_SITE_UIDS.fabrikam, priority: 'Low', context: DISK_FULL }));
    for (const alert of alerts.slice(0, 3)) expect((await resolve(alert.alertUid)).status).toBe(200);
    const refused = await resolve(alerts[3]!.alertUid);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(limited.alert(alerts[3]!.alertUid)?.resolved).toBe(false);
    expect((await read()).status).toBe(200);

    const rate = await send(`${limited.url}/api/v2/system/request_rate`, { headers: { Authorization: `Bearer ${bearer}` } });
    expect(rate.body).toMatchObject({
      slidingTimeWindowSizeSeconds: 60,
      accountUid: 'ab12cd34',
      accountCount: 2,
      accountRateLimit: 10,
      accountCutOffRatio: 0.9,
      accountWriteRateLimit: 600,
      accountWriteCount: 3,
      operationWriteStatus: { 'alert-resolve': { limit: 3, count: 3 } },
    });
  });

  it('does not count calls refused for a bad token', async () => {
    for (let index = 0; index < 12; index += 1) await send(`${limited.url}/api/v2/account`, { headers: { Authorization: 'Bearer nope' } });
    expect((await read()).status).toBe(200);
    expect(limited.rateStatus().accountCount).toBe(1);
  });

  it('delays each read beyond 90 % of the budget by the cut-off delay', async () => {
    limited.setLimits({ cutOffDelayMs: 150 });
    try {
      for (let index = 0; index < 9; index += 1) await read();
      const started = Date.now();
      expect((await read()).status).toBe(200);
      expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    } finally {
      limited.setLimits({ cutOffDelayMs: 0 });
    }
  });

  it('are adjustable at run time, and an unblock lifts a block', async () => {
    limited.setLimits({ accountLimitPerMinute: 1, blockAfter429s: 1, blockMs: 60_000 });
    try {
      expect((await read()).status).toBe(200);
      expect((await read()).status).toBe(429);
      expect((await read()).status).toBe(403);
      expect((await read()).status).toBe(403);
      limited.unblock();
      // Unblocked, and past 429s forgotten: the full window answers 429 again before any new block.
      expect((await read()).status).toBe(429);
      expect((await read()).status).toBe(403);
    } finally {
      limited.setLimits({ accountLimitPerMinute: 10, blockAfter429s: 2, blockMs: 400 });
    }
  });
});

describe('fault injection', () => {
  it('fails the next API calls with the asked status and Retry-After, then recovers', async () => {
    sim.faults.failNextRequests(2, { status: 503, retryAfterSeconds: 7 });
    const first = await api('GET', '/api/v2/account');
    expect(first.status).toBe(503);
    expect(first.headers.get('retry-after')).toBe('7');
    expect(first.body).toMatchObject({ status: 503, error: 'Service Unavailable', path: '/api/v2/account' });
    expect((await api('GET', '/api/v2/account')).status).toBe(503);
    expect((await api('GET', '/api/v2/account')).status).toBe(200);
  });

  it('a failed resolve changes nothing and sends no webhook', async () => {
    const raised = raiseDiskAlert();
    sim.faults.failNextRequests(1, { status: 500 });
    expect((await api('POST', `/api/v2/alert/${raised.alertUid}/resolve`)).status).toBe(500);
    expect(sim.alert(raised.alertUid)?.resolved).toBe(false);
    await sim.webhooksIdle();
    expect(receiver.events()).toEqual([`triggered ${raised.alertUid}`]);
  });

  it('fails the token endpoint alone when asked', async () => {
    sim.faults.failNextRequests(1, { status: 500 }, 'token');
    expect((await api('GET', '/api/v2/account')).status).toBe(200);
    const refused = await tokenRequest(sim, { grant_type: 'password', username: sim.credentials.apiKey, password: sim.credentials.apiSecret });
    expect(refused.status).toBe(500);
    expect(refused.body).toEqual({ error: 'server_error', error_description: expect.any(String) });
    expect(typeof (await grant(sim))).toBe('string');
  });

  it('fails every call during an outage window, then recovers', async () => {
    sim.faults.failAllFor(300, { status: 502 });
    expect((await api('GET', '/api/v2/account')).status).toBe(502);
    expect((await tokenRequest(sim, { grant_type: 'password', username: sim.credentials.apiKey, password: sim.credentials.apiSecret })).status).toBe(502);
    await sleep(350);
    expect((await api('GET', '/api/v2/account')).status).toBe(200);
  });

  it('drops the connection of the next call with no answer', async () => {
    sim.faults.dropNextConnections(1);
    await expect(fetch(`${sim.url}/api/v2/account`, { headers: { Authorization: `Bearer ${token}` } })).rejects.toThrow();
    expect((await api('GET', '/api/v2/account')).status).toBe(200);
    const logged = sim.requests.filter((entry) => entry.path === '/api/v2/account');
    expect(logged.map((entry) => entry.status)).toEqual([null, 200]);
  });

  it('adds latency to API calls', async () => {
    sim.faults.latencyMs = 120;
    const started = Date.now();
    await api('GET', '/api/v2/account');
    expect(Date.now() - started).toBeGreaterThanOrEqual(110);
  });

  it('clear() forgets pending faults', async () => {
    sim.faults.failNextRequests(1, { status: 500 });
    sim.faults.dropNextConnections(1);
    sim.faults.clear();
    expect((await api('GET', '/api/v2/account')).status).toBe(200);
  });
});

describe('scenario controls', () => {
  it('raiseAlert uses the site’s first device unless told, and refuses unknown sites, foreign devices and spec class names', () => {
    expect(raiseDiskAlert().alertSourceInfo.deviceUid).toBe(SEED_DEVICE_UIDS.fabrikamServer);
    expect(raiseDiskAlert({ deviceUid: SEED_DEVICE_UIDS.fabrikamWorkstation }).alertSourceInfo.deviceName).toBe('FAB-WS01');
    expect(() => raiseDiskAlert({ siteUid: 'd5a00000-0000-4000-8000-00000000ffff' })).toThrow(/not found/);
    expect(() => raiseDiskAlert({ deviceUid: SEED_DEVICE_UIDS.northwindServer })).toThrow(/not in site/);
    expect(() => raiseDiskAlert({ context: { '@class': 'DiskUsageContext' } })).toThrow(/_ctx/);
    expect(() => raiseDiskAlert({ priority: 'Urgent' as never })).toThrow(/priority/);
  });

  it('resolveAlert resolves as a technician or as the monitor (system)', () => {
    const byTechnician = raiseDiskAlert();
    const bySystem = raiseDiskAlert();
    expect(sim.resolveAlert(byTechnician.alertUid, { by: 'tina.technician' })).toMatchObject({ resolved: true, resolvedBy: 'tina.technician' });
    expect(sim.resolveAlert(bySystem.alertUid)).toMatchObject({ resolved: true, resolvedBy: 'system' });
  });

  it('an alert with autoresolveMins resolves itself as "auto" and sends the resolved webhook', async () => {
    const raised = raiseDiskAlert({ autoresolveMins: 2 });
    expect(sim.pendingAutoResolves()).toEqual([raised.alertUid]);
    await eventually(() => sim.alert(raised.alertUid)?.resolved === true);
    expect(sim.alert(raised.alertUid)).toMatchObject({ resolvedBy: 'auto', resolvedOn: expect.any(Number), autoresolveMins: 2 });
    await sim.webhooksIdle();
    expect(receiver.events()).toEqual([`triggered ${raised.alertUid}`, `resolved ${raised.alertUid}`]);
  });

  it('an auto-resolve can be set to send no resolved webhook; a manual resolve first cancels it', async () => {
    sim.resolvedWebhookOnAutoResolve = false;
    const auto = raiseDiskAlert({ autoresolveMins: 1 });
    const manual = raiseDiskAlert({ autoresolveMins: 1 });
    sim.resolveAlert(manual.alertUid, { by: 'tina.technician' });
    await eventually(() => sim.alert(auto.alertUid)?.resolved === true);
    await sleep(40);
    await sim.webhooksIdle();
    expect(sim.alert(manual.alertUid)?.resolvedBy).toBe('tina.technician');
    expect(receiver.events()).toEqual([`triggered ${auto.alertUid}`, `triggered ${manual.alertUid}`, `resolved ${manual.alertUid}`]);
  });

  it('recur raises a new alert on the same device for the same @class and object', async () => {
    const first = raiseDiskAlert({ priority: 'Critical' });
    sim.resolveAlert(first.alertUid);
    const again = sim.recur(first.alertUid);
    expect(again.alertUid).not.toBe(first.alertUid);
    expect(again).toMatchObject({ resolved: false, priority: 'Critical', alertContext: DISK_FULL, alertSourceInfo: first.alertSourceInfo });
    expect(again.timestamp).toBeGreaterThan(first.timestamp);
    expect(sim.alert(first.alertUid)?.resolved).toBe(true);
    await sim.webhooksIdle();
    expect(receiver.events()).toEqual([`triggered ${first.alertUid}`, `resolved ${first.alertUid}`, `triggered ${again.alertUid}`]);
  });

  it('storm raises many offline alerts, one per device, creating devices as needed', () => {
    const alerts = sim.storm({ count: 5, siteUid: SEED_SITE_UIDS.wideWorld, priority: 'Critical' });
    expect(alerts).toHaveLength(5);
    expect(new Set(alerts.map((alert) => alert.alertSourceInfo.deviceUid)).size).toBe(5);
    expect(alerts.every((alert) => alert.alertContext['@class'] === 'online_offline_status_ctx' && alert.priority === 'Critical')).toBe(true);
    expect(sim.devices(SEED_SITE_UIDS.wideWorld)).toHaveLength(5);
    const sameThing = sim.storm({ count: 4, siteUid: SEED_SITE_UIDS.fabrikam, context: { '@class': 'srvc_status_ctx', serviceName: 'Spooler', status: 'STOPPED' } });
    expect(sameThing.map((alert) => alert.alertSourceInfo.deviceName)).toEqual(['FAB-SRV01', 'FAB-WS01', 'FAB-SRV01', 'FAB-WS01']);
  });

  it('sites can be added, renamed, associated and removed; alerts show the site’s current name', async () => {
    const added = sim.addSite({ name: 'Adventure Works', autotaskCompanyId: 175, autotaskCompanyName: 'Northwind Traders' });
    expect(added).toMatchObject({ id: 7, uid: expect.stringMatching(GUID), autotaskCompanyId: '175' });
    const raised = raiseDiskAlert();
    sim.renameSite(SEED_SITE_UIDS.fabrikam, 'Fabrikam HQ');
    expect((await api('GET', `/api/v2/alert/${raised.alertUid}`)).body.alertSourceInfo.siteName).toBe('Fabrikam HQ');
    sim.setSiteAutotaskCompany(SEED_SITE_UIDS.wideWorld, '176', 'Old Customer');
    sim.setSiteAutotaskCompany(SEED_SITE_UIDS.northwind, null);
    const sites = (await api('GET', '/api/v2/account/sites')).body.sites as Array<{ uid: string; autotaskCompanyId: string | null; autotaskCompanyName: string | null }>;
    expect(sites.find((site) => site.uid === SEED_SITE_UIDS.wideWorld)).toMatchObject({ autotaskCompanyId: '176', autotaskCompanyName: 'Old Customer' });
    expect(sites.find((site) => site.uid === SEED_SITE_UIDS.northwind)).toMatchObject({ autotaskCompanyId: null, autotaskCompanyName: null });

    sim.removeSite(SEED_SITE_UIDS.fabrikam);
    const after = (await api('GET', '/api/v2/account/sites')).body.sites as Array<{ uid: string; devicesStatus: { numberOfDevices: number } }>;
    expect(after.map((site) => site.uid)).not.toContain(SEED_SITE_UIDS.fabrikam);
    expect(after.find((site) => site.uid === SEED_SITE_UIDS.deletedDevices)?.devicesStatus.numberOfDevices).toBe(3);
    expect((await api('GET', `/api/v2/alert/${raised.alertUid}`)).body.alertSourceInfo).toMatchObject({ siteUid: SEED_SITE_UIDS.fabrikam, siteName: 'Fabrikam HQ' });
  });

  it('logs each call and resets to the seed', async () => {
    await api('GET', '/api/v2/account/sites?page=0&max=5');
    expect(sim.requests.at(-1)).toEqual({ at: expect.any(String), method: 'GET', path: '/api/v2/account/sites', query: { page: '0', max: '5' }, status: 200 });
    expect(sim.requests.some((entry) => entry.path === '/auth/oauth/token')).toBe(true);
    sim.addSite({ name: 'Temporary' });
    raiseDiskAlert();
    sim.reset();
    expect(sim.sites()).toHaveLength(6);
    expect(sim.alerts()).toEqual([]);
    expect(sim.requests).toEqual([]);
    expect(sim.tokenGrants).toBe(0);
    expect((await api('GET', '/api/v2/account')).status).toBe(401);
  });
});

describe('control routes', () => {
  it('raise, resolve, recur and storm alerts over HTTP', async () => {
    const raised = await control('POST', '/alerts', { siteUid: SEED_SITE_UIDS.northwind, priority: 'Moderate', context: { '@class': 'srvc_status_ctx', serviceName: 'Spooler', status: 'STOPPED' } });
    expect(raised.status).toBe(201);
    const recurred = await control('POST', `/alerts/${raised.body.alertUid}/recur`);
    expect(recurred.status).toBe(201);
    const resolved = await control('POST', `/alerts/${raised.body.alertUid}/resolve`, { by: 'tina.technician' });
    expect(resolved.body).toMatchObject({ resolved: true, resolvedBy: 'tina.technician' });
    const storm = await control('POST', '/alerts/storm', { count: 3, siteUid: SEED_SITE_UIDS.tailspin });
    expect(storm.body.items).toHaveLength(3);
    expect((await control('GET', '/alerts?resolved=false')).body.items).toHaveLength(4);
    expect((await control('POST', '/alerts', { siteUid: SEED_SITE_UIDS.northwind, priority: 'Moderate', context: { '@class': 'x' } })).status).toBe(400);
    expect((await control('POST', '/alerts/00000000-0000-4000-8000-000000000000/resolve', {})).status).toBe(404);
  });

  it('manage sites, limits, faults and the webhook over HTTP', async () => {
    const site = await control('POST', '/sites', { name: 'Litware' });
    expect(site.status).toBe(201);
    expect((await control('PUT', `/sites/${site.body.uid}/autotask-company`, { autotaskCompanyId: '174', autotaskCompanyName: 'Fabrikam Ltd' })).body.autotaskCompanyId).toBe('174');
    expect((await control('PATCH', `/sites/${site.body.uid}`, { name: 'Litware Inc' })).body.name).toBe('Litware Inc');
    expect((await control('DELETE', `/sites/${site.body.uid}`)).status).toBe(204);

    expect((await control('PUT', '/limits', { accountLimitPerMinute: 700 })).status).toBe(204);
    expect((await control('GET', '/limits')).body.accountRateLimit).toBe(700);
    sim.setLimits({ accountLimitPerMinute: 600 });

    await control('POST', '/faults/fail-next-requests', { count: 1, status: 429, retryAfterSeconds: 2 });
    expect((await api('GET', '/api/v2/account')).status).toBe(429);
    await control('POST', '/faults/drop-next-connections', { count: 1 });
    await control('DELETE', '/faults');
    expect((await api('GET', '/api/v2/account')).status).toBe(200);

    expect((await control('PUT', '/webhook', { url: receiver.url, secret: 'rotated', auth: 'query' })).status).toBe(204);
    expect((await control('GET', '/webhook')).body).toMatchObject({ url: receiver.url, auth: 'query' });
    await control('POST', '/faults/repeat-next-webhooks', { count: 1 });
    raiseDiskAlert();
    expect((await control('POST', '/webhooks/idle')).status).toBe(204);
    expect(receiver.received.map((entry) => entry.query.secret)).toEqual(['rotated', 'rotated']);
    expect((await control('GET', '/webhook-deliveries')).body.items).toHaveLength(2);
    expect((await control('PUT', '/webhook', { url: 'not a url', secret: 'x' })).status).toBe(400);
  });
});

describe('the webhook sender', () => {
  it('POSTs the filled-in template as JSON with X-Webhook-Secret, once', async () => {
    const raised = raiseDiskAlert({ priority: 'Critical' });
    await sim.webhooksIdle();
    expect(receiver.received).toHaveLength(1);
    const [delivery] = receiver.received;
    expect(delivery).toMatchObject({ path: '/hook', query: {}, secretHeader: SECRET, contentType: 'application/json' });
    expect(delivery?.payload).toEqual({
      schema: 'datto-rmm/1',
      event: 'triggered',
      alertUid: raised.alertUid,
      platform: 'merlot',
      priority: 'Critical',
      siteUid: SEED_SITE_UIDS.fabrikam,
      deviceUid: SEED_DEVICE_UIDS.fabrikamServer,
      message: 'Disk usage on C:: 4% free of 100 GB',
    });
    expect(sim.webhookDeliveries()).toEqual([
      { event: 'triggered', alertUid: raised.alertUid, url: receiver.url, at: expect.any(String), status: 202, dropped: false, repeated: false, reordered: false, body: delivery?.raw },
    ]);
    expect(sim.alert(raised.alertUid)?.responseActions).toEqual([
      { actionTime: expect.any(Number), actionType: 'WEBHOOK_EXECUTED', description: expect.any(String), actionReference: null, actionReferenceInt: null },
    ]);
  });

  it('puts the secret in the query string instead when configured, never in a header', async () => {
    sim.setWebhook({ url: `${receiver.url}?connector=c1`, secret: 'se cret&1', auth: 'query' });
    const raised = raiseDiskAlert();
    sim.resolveAlert(raised.alertUid);
    await sim.webhooksIdle();
    expect(receiver.received.map((entry) => [entry.query, entry.secretHeader])).toEqual([
      [{ connector: 'c1', secret: 'se cret&1' }, undefined],
      [{ connector: 'c1', secret: 'se cret&1' }, undefined],
    ]);
    expect(receiver.received[1]?.payload).toMatchObject({ event: 'resolved', alertUid: raised.alertUid });
    expect(sim.webhookDeliveries().every((entry) => !entry.url.includes('se cret'))).toBe(true);
  });

  it('makes one attempt only: a refused delivery is not retried and leaves an error on the alert', async () => {
    receiver.statuses.push(500);
    const raised = raiseDiskAlert();
    await sim.webhooksIdle();
    await sleep(50);
    expect(receiver.received).toHaveLength(1);
    expect(sim.webhookDeliveries().map((entry) => entry.status)).toEqual([500]);
    expect(sim.alert(raised.alertUid)?.responseActions.map((action) => action.actionType)).toEqual(['WEBHOOK_EXECUTION_ERROR']);
  });

  it('loses the next delivery when asked', async () => {
    sim.faults.loseNextWebhooks(1);
    const lost = raiseDiskAlert();
    const kept = raiseDiskAlert();
    await sim.webhooksIdle();
    expect(receiver.events()).toEqual([`triggered ${kept.alertUid}`]);
    expect(sim.webhookDeliveries().map((entry) => [entry.alertUid, entry.dropped, entry.status])).toEqual([
      [lost.alertUid, true, null],
      [kept.alertUid, false, 202],
    ]);
  });

  it('repeats a delivery when asked: the same bytes twice', async () => {
    sim.faults.repeatNextWebhooks(1);
    const raised = raiseDiskAlert();
    await sim.webhooksIdle();
    expect(receiver.events()).toEqual([`triggered ${raised.alertUid}`, `triggered ${raised.alertUid}`]);
    expect(receiver.received[0]?.raw).toBe(receiver.received[1]?.raw);
    expect(sim.webhookDeliveries().map((entry) => entry.repeated)).toEqual([false, true]);
  });

  it('reorders when asked: the held delivery goes out after the next one', async () => {
    sim.faults.reorderNextWebhooks(1);
    const first = raiseDiskAlert();
    const second = raiseDiskAlert();
    await sim.webhooksIdle();
    expect(receiver.events()).toEqual([`triggered ${second.alertUid}`, `triggered ${first.alertUid}`]);
    expect(sim.webhookDeliveries().map((entry) => entry.reordered)).toEqual([false, true]);
  });

  it('sends the resolved webhook before the triggered one when asked', async () => {
    sim.faults.resolvedBeforeTriggered(1);
    const raised = raiseDiskAlert();
    await sim.webhooksIdle();
    expect(receiver.received).toHaveLength(0);
    sim.resolveAlert(raised.alertUid);
    await sim.webhooksIdle();
    expect(receiver.events()).toEqual([`resolved ${raised.alertUid}`, `triggered ${raised.alertUid}`]);
  });

  it('sends held deliveries on flush', async () => {
    sim.faults.reorderNextWebhooks(1);
    const raised = raiseDiskAlert();
    await sim.webhooksIdle();
    expect(receiver.received).toHaveLength(0);
    sim.flushHeldWebhooks();
    await sim.webhooksIdle();
    expect(receiver.events()).toEqual([`triggered ${raised.alertUid}`]);
  });

  it('escapes values so a message with quotes stays JSON, unless raw values are asked for', async () => {
    const context = { '@class': 'srvc_status_ctx', serviceName: 'My "quoted" service', status: 'STOPPED' };
    raiseDiskAlert({ context });
    await sim.webhooksIdle();
    expect(receiver.received[0]?.payload.message).toBe('Service My "quoted" service is stopped');

    sim.setWebhook({ url: receiver.url, secret: SECRET, rawValues: true });
    raiseDiskAlert({ context });
    await sim.webhooksIdle();
    expect(receiver.received[1]?.payload).toBeUndefined();
    expect(receiver.received[1]?.raw).toContain('My "quoted" service');
  });

  it('sends no resolved payload when the template has none, and nothing without a target', async () => {
    sim.setWebhook({ url: receiver.url, secret: SECRET, templates: { resolved: null } });
    const raised = raiseDiskAlert();
    sim.resolveAlert(raised.alertUid);
    sim.setWebhook(null);
    raiseDiskAlert();
    await sim.webhooksIdle();
    expect(receiver.events()).toEqual([`triggered ${raised.alertUid}`]);
  });
});
