import express from 'express';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PcsmClient, type PcsmCallInfo, type PcsmClientOptions } from '../../src/pcsm/client';
import {
  PcsmAuthError,
  PcsmNotFoundError,
  PcsmRateLimitedError,
  PcsmRequestError,
  PcsmUnavailableError,
  PcsmUnexpectedAnswerError,
} from '../../src/pcsm/errors';
import type { PcsmSession } from '../../src/pcsm/types';
import { startPcsmSimulator, type PcsmSimulator } from '../../src/simulators/pcsm';

let sim: PcsmSimulator;

function client(options: PcsmClientOptions = {}): PcsmClient {
  return new PcsmClient({ minRetryDelayMs: 5, maxRetryDelayMs: 10, timeoutMs: 2000, ...options });
}

function session(options: PcsmClientOptions = {}, credentials: { apiUrl?: string; apiKey?: string } = {}): PcsmSession {
  return client(options).session('connector-1', { apiUrl: sim.url, apiKey: sim.apiKey, ...credentials });
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

/** A stand-in PCSM that answers every request with `answer`, to see what the client makes of broken servers. */
async function fakePcsm(answer: (req: express.Request, res: express.Response) => void): Promise<{ url: string; hits: () => number; close: () => Promise<void> }> {
  let hits = 0;
  const app = express();
  app.use((req, res) => {
    hits += 1;
    answer(req, res);
  });
  const server = await new Promise<Server>((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    hits: () => hits,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

const apiCalls = (path: string): number => sim.requests.filter((request) => request.path === path).length;

beforeAll(async () => {
  sim = await startPcsmSimulator({ port: 0 });
});
afterEach(() => sim.reset());
afterAll(() => sim.close());

describe('reading the account catalogue', () => {
  it('reads the account', async () => {
    await expect(session().getAccount()).resolves.toEqual({ id: 'acc-1', name: 'Contoso MSP' });
  });

  it('reads every profile across pages, asking for 100 at a time', async () => {
    const profiles = await session().listProfiles();
    expect(profiles).toHaveLength(153);
    expect(profiles.slice(0, 3).map((profile) => [profile.id, profile.name])).toEqual([
      ['P-1', 'Fabrikam Ltd'],
      ['P-2', 'Northwind Traders'],
      ['P-3', 'Wide World Importers'],
    ]);
    expect(new Set(profiles.map((profile) => profile.id)).size).toBe(153);
    expect(sim.requests.map((request) => request.query)).toEqual([
      { page: '1', pageSize: '100' },
      { page: '2', pageSize: '100' },
    ]);
  });

  it('reads the ticket statuses in PCSM order', async () => {
    await expect(session().listTicketStatuses()).resolves.toEqual(['New', 'In Progress', 'Waiting', 'Resolved', 'Closed']);
  });

  it('works with an API URL that ends in a slash', async () => {
    await expect(session({}, { apiUrl: `${sim.url}/` }).getAccount()).resolves.toMatchObject({ id: 'acc-1' });
  });

  it('sends the API key as a bearer token', async () => {
    const seen: Array<string | undefined> = [];
    const fake = await fakePcsm((req, res) => {
      seen.push(req.headers.authorization);
      res.json({ id: 'acc-9', name: 'Fake' });
    });
    try {
      await client().session('c', { apiUrl: fake.url, apiKey: 'the-key-1234' }).getAccount();
      expect(seen).toEqual(['Bearer the-key-1234']);
    } finally {
      await fake.close();
    }
  });
});

describe('reading tickets', () => {
  it('answers null for a ticket PCSM does not know', async () => {
    await expect(session().getTicket('T-404')).resolves.toBeNull();
  });

  it('reads a ticket with its (absent) Autotask link', async () => {
    const created = sim.createTicket({ title: 'Disk C: 95% full', severity: 4, deviceId: 'D-9', deviceName: 'SRV01' });
    await expect(session().getTicket(created.id)).resolves.toEqual({ ...created, autotask: null });
  });

  it('escapes ticket ids in the path', async () => {
    sim.createTicket({ id: 'T:1&x=y' });
    await expect(session().getTicket('T:1&x=y')).resolves.toMatchObject({ id: 'T:1&x=y' });
  });

  it('pages tickets changed since a watermark, oldest change first', async () => {
    const start = Date.parse('2026-03-01T00:00:00Z');
    for (let index = 0; index < 250; index += 1) sim.createTicket({ title: `Alert ${index}` }, { at: new Date(start + index * 1000) });

    const pages = await collect(session().ticketsUpdatedSince(new Date(start - 1)));
    expect(pages.map((page) => page.length)).toEqual([100, 100, 50]);
    const titles = pages.flat().map((ticket) => ticket.title);
    expect(titles).toEqual(Array.from({ length: 250 }, (_, index) => `Alert ${index}`));
    expect(sim.requests.map((request) => request.query.page)).toEqual(['1', '2', '3']);
  });

  it('returns only tickets changed strictly after the watermark', async () => {
    const start = Date.parse('2026-03-01T00:00:00Z');
    const tickets = Array.from({ length: 5 }, (_, index) => sim.createTicket({ title: `Alert ${index}` }, { at: new Date(start + index * 1000) }));
    const watermark = new Date(tickets[2]!.updatedAt);

    const changed = (await collect(session().ticketsUpdatedSince(watermark))).flat();
    expect(changed.map((ticket) => ticket.id)).toEqual([tickets[3]!.id, tickets[4]!.id]);
    expect(sim.requests[0]?.query.updatedSince).toBe(watermark.toISOString());
  });

  it('sees a ticket again once it changes after the watermark', async () => {
    const old = sim.createTicket({ title: 'Old' }, { at: new Date('2026-03-01T00:00:00Z') });
    const watermark = new Date('2026-03-02T00:00:00Z');
    expect((await collect(session().ticketsUpdatedSince(watermark))).flat()).toEqual([]);
    sim.updateTicket(old.id, { status: 'Waiting' });
    expect((await collect(session().ticketsUpdatedSince(watermark))).flat().map((ticket) => ticket.status)).toEqual(['Waiting']);
  });

  it('refuses an invalid watermark before calling PCSM', () => {
    expect(() => session().ticketsUpdatedSince(new Date('nonsense'))).toThrow(RangeError);
    expect(sim.requests).toHaveLength(0);
  });
});

describe('updating tickets', () => {
  it('changes the status and stores the Autotask link', async () => {
    const created = sim.createTicket({ status: 'New' });
    const updated = await session().updateTicket(created.id, { status: 'Resolved', autotask: { ticketId: 30001, ticketNumber: 'T20261127.0001' } });

    expect(updated).toMatchObject({ id: created.id, status: 'Resolved', autotask: { ticketId: 30001, ticketNumber: 'T20261127.0001' } });
    expect(Date.parse(updated.updatedAt)).toBeGreaterThan(Date.parse(created.updatedAt));
    expect(sim.tickets()[0]).toMatchObject({ status: 'Resolved', autotask: { ticketId: 30001, ticketNumber: 'T20261127.0001' } });
    await expect(session().getTicket(created.id)).resolves.toEqual(updated);
  });

  it('stores a link without a ticket number and leaves the status alone', async () => {
    const created = sim.createTicket({ status: 'In Progress' });
    const updated = await session().updateTicket(created.id, { autotask: { ticketId: 30002, ticketNumber: null } });
    expect(updated).toMatchObject({ status: 'In Progress', autotask: { ticketId: 30002, ticketNumber: null } });
  });

  it('reports an unknown status as a permanent refusal with what PCSM said', async () => {
    const created = sim.createTicket();
    const error = await failure(session().updateTicket(created.id, { status: 'Done' }));
    expect(error).toBeInstanceOf(PcsmRequestError);
    expect((error as PcsmRequestError).status).toBe(400);
    expect((error as PcsmRequestError).serverMessage).toMatch(/unknown status "Done"/);
    expect(apiCalls(`/api/v1/tickets/${created.id}`)).toBe(1);
  });

  it('reports a ticket PCSM does not know as not found', async () => {
    await expect(session().updateTicket('T-404', { status: 'Resolved' })).rejects.toBeInstanceOf(PcsmNotFoundError);
  });
});

describe('failures', () => {
  it('reports a wrong API key as PcsmAuthError without the key in the message, and does not retry', async () => {
    const wrongKey = 'wrong-key-5f1c2e9a';
    const error = await failure(session({}, { apiKey: wrongKey }).getAccount());
    expect(error).toBeInstanceOf(PcsmAuthError);
    expect(error.message).toMatch(/^PCSM refused the API key/);
    expect(error.message).not.toContain(wrongKey);
    expect(error.message).not.toContain(sim.apiKey);
    expect(JSON.stringify(error)).not.toContain(wrongKey);
    expect(sim.requests).toHaveLength(1);
  });

  it('retries a read after a 503 and succeeds', async () => {
    sim.faults.failNextRequests(1, { status: 503 });
    await expect(session().getAccount()).resolves.toMatchObject({ id: 'acc-1' });
    expect(sim.requests.map((request) => request.status)).toEqual([503, 200]);
  });

  it('retries a PATCH after a 503: the same body twice leaves one change', async () => {
    const created = sim.createTicket();
    sim.faults.failNextRequests(2, { status: 502 });
    const updated = await session().updateTicket(created.id, { status: 'Resolved' });
    expect(updated.status).toBe('Resolved');
    expect(sim.requests.map((request) => request.status)).toEqual([502, 502, 200]);
  });

  it('gives up after the configured retries with PcsmUnavailableError', async () => {
    sim.faults.failNextRequests(10, { status: 500 });
    const error = await failure(session({ retries: 2 }).getAccount());
    expect(error).toBeInstanceOf(PcsmUnavailableError);
    expect((error as PcsmUnavailableError).status).toBe(500);
    expect(sim.requests).toHaveLength(3);
  });

  it('reports 429 as PcsmRateLimitedError with Retry-After, without retrying', async () => {
    sim.faults.failNextRequests(1, { status: 429, retryAfterSeconds: 7 });
    const error = await failure(session().listTicketStatuses());
    expect(error).toBeInstanceOf(PcsmRateLimitedError);
    expect((error as PcsmRateLimitedError).retryAfterMs).toBe(7000);
    expect(sim.requests).toHaveLength(1);
  });

  it('reports a slow answer as unavailable once the timeout passes', async () => {
    sim.faults.latencyMs = 500;
    const error = await failure(session({ timeoutMs: 100, retries: 0 }).getAccount());
    expect(error).toBeInstanceOf(PcsmUnavailableError);
    expect(error.message).toMatch(/no answer within 100 ms/);
  });

  it('reports an unreachable PCSM as unavailable without the key anywhere', async () => {
    const fake = await fakePcsm((_req, res) => res.end());
    const url = fake.url;
    await fake.close();
    const error = await failure(client({ retries: 1 }).session('c', { apiUrl: url, apiKey: 'secret-key-77aa' }).getAccount());
    expect(error).toBeInstanceOf(PcsmUnavailableError);
    expect(`${error.message} ${JSON.stringify(error)} ${JSON.stringify((error as { cause?: unknown }).cause)}`).not.toContain('secret-key-77aa');
  });

  it('reports a body that breaks the contract as an unexpected answer, naming the fields', async () => {
    const fake = await fakePcsm((_req, res) => res.json({ id: 12 }));
    try {
      const error = await failure(client().session('c', { apiUrl: fake.url, apiKey: 'k-123456' }).getAccount());
      expect(error).toBeInstanceOf(PcsmUnexpectedAnswerError);
      expect(error).toBeInstanceOf(PcsmRequestError);
      expect(error.message).toMatch(/unexpected answer to GET \/api\/v1\/account.*id, name/);
      expect(fake.hits()).toBe(1);
    } finally {
      await fake.close();
    }
  });

  it('stops paging when nextPage does not move forward', async () => {
    const fake = await fakePcsm((_req, res) => res.json({ items: [{ id: 'P-1', name: 'Loop', updatedAt: '2026-01-01T00:00:00Z' }], nextPage: 1 }));
    try {
      const error = await failure(client().session('c', { apiUrl: fake.url, apiKey: 'k-123456' }).listProfiles());
      expect(error).toBeInstanceOf(PcsmUnexpectedAnswerError);
      expect(error.message).toMatch(/nextPage 1/);
      expect(fake.hits()).toBe(1);
    } finally {
      await fake.close();
    }
  });

  it('refuses an API URL that is not http(s)', () => {
    expect(() => client().session('c', { apiUrl: 'ftp://pcsm.example', apiKey: 'k' })).toThrow(RangeError);
    expect(() => client().session('c', { apiUrl: 'not a url', apiKey: 'k' })).toThrow(RangeError);
  });
});

describe('observing calls', () => {
  it('reports each exchange with the route, not the ticket id', async () => {
    const calls: PcsmCallInfo[] = [];
    sim.faults.failNextRequests(1, { status: 503 });
    await client({ onCall: (info) => calls.push(info) }).session('connector-7', { apiUrl: sim.url, apiKey: sim.apiKey }).getTicket('T-1');
    expect(calls.map(({ connectorId, method, route, status }) => ({ connectorId, method, route, status }))).toEqual([
      { connectorId: 'connector-7', method: 'GET', route: '/api/v1/tickets/{id}', status: 503 },
      { connectorId: 'connector-7', method: 'GET', route: '/api/v1/tickets/{id}', status: 404 },
    ]);
  });

  it('is not disturbed by an observer that throws', async () => {
    const throwing = client({ onCall: () => { throw new Error('observer broke'); } });
    await expect(throwing.session('c', { apiUrl: sim.url, apiKey: sim.apiKey }).getAccount()).resolves.toMatchObject({ id: 'acc-1' });
  });
});
