import express from 'express';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyPcsmSignature } from '../../src/ingress/pcsm-signature';
import { pcsmEventSchema } from '../../src/pcsm/events';
import { startPcsmSimulator, type PcsmSimulator } from '../../src/simulators/pcsm';

const SECRET = 'whsec-test-0123456789';

interface Answer {
  status: number;
  headers: Headers;
  body: any;
}

interface Received {
  raw: Buffer;
  signature: string | undefined;
  contentType: string | undefined;
  event: any;
}

/** A tiny webhook receiver: records the raw bytes and answers with the next queued status (200 when none). */
class Receiver {
  readonly received: Received[] = [];
  readonly statuses: number[] = [];
  url = '';
  private server: Server | null = null;

  async start(): Promise<void> {
    const app = express();
    app.post('/hook', express.raw({ type: () => true }), (req, res) => {
      const raw = req.body as Buffer;
      this.received.push({
        raw,
        signature: req.header('x-pcsm-signature'),
        contentType: req.header('content-type'),
        event: JSON.parse(raw.toString('utf8')),
      });
      res.status(this.statuses.shift() ?? 200).end();
    });
    this.server = await new Promise<Server>((resolve) => {
      const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
    });
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hook`;
  }

  clear(): void {
    this.received.length = 0;
    this.statuses.length = 0;
  }

  types(): string[] {
    return this.received.map((entry) => `${entry.event.type} ${entry.event.data.id}`);
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

let sim: PcsmSimulator;
const receiver = new Receiver();

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = { Authorization: `Bearer ${sim.apiKey}` }): Promise<Answer> {
  const response = await fetch(`${sim.url}${path}`, {
    method,
    headers: { ...headers, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
}

beforeAll(async () => {
  await receiver.start();
  sim = await startPcsmSimulator({ port: 0, webhook: { url: receiver.url, secret: SECRET }, webhookRetryDelaysMs: [20, 40, 80] });
});
afterEach(async () => {
  await sim.webhooksIdle();
  sim.reset();
  sim.setWebhook({ url: receiver.url, secret: SECRET });
  sim.emitOnApiChanges = true;
  receiver.clear();
});
afterAll(async () => {
  await sim.close();
  await receiver.close();
});

describe('authentication', () => {
  it('answers 401 with { error } when the key is missing or wrong', async () => {
    const attempts: Array<Record<string, string>> = [{}, { Authorization: 'Bearer nope' }, { Authorization: sim.apiKey }];
    for (const headers of attempts) {
      const answer = await call('GET', '/api/v1/account', undefined, headers);
      expect(answer.status).toBe(401);
      expect(answer.body).toEqual({ error: expect.any(String) });
      expect(JSON.stringify(answer.body)).not.toContain(sim.apiKey);
    }
  });

  it('accepts the configured key', async () => {
    const answer = await call('GET', '/api/v1/account');
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ id: 'acc-1', name: 'Contoso MSP' });
  });
});

describe('the seed', () => {
  it('has the three named profiles first, then fillers, 153 in all', () => {
    const profiles = sim.profiles();
    expect(profiles.slice(0, 3).map((profile) => `${profile.id} ${profile.name}`)).toEqual([
      'P-1 Fabrikam Ltd',
      'P-2 Northwind Traders',
      'P-3 Wide World Importers',
    ]);
    expect(profiles[3]).toMatchObject({ id: 'P-1001', name: 'Customer 001' });
    expect(profiles).toHaveLength(153);
  });

  it('answers the five ticket statuses exactly', async () => {
    expect((await call('GET', '/api/v1/ticket-statuses')).body).toEqual({ items: ['New', 'In Progress', 'Waiting', 'Resolved', 'Closed'] });
  });

  it('can be started with a smaller seed', async () => {
    const small = await startPcsmSimulator({ port: 0, generatedProfiles: 0, apiKey: 'other-key', account: { id: 'acc-2', name: 'Other' } });
    try {
      expect(small.profiles()).toHaveLength(3);
      expect(small.apiKey).toBe('other-key');
    } finally {
      await small.close();
    }
  });
});

describe('the API', () => {
  it('pages profiles with nextPage until null', async () => {
    const first = await call('GET', '/api/v1/profiles?page=1&pageSize=100');
    const second = await call('GET', '/api/v1/profiles?page=2&pageSize=100');
    expect(first.body.items).toHaveLength(100);
    expect(first.body.nextPage).toBe(2);
    expect(second.body.items).toHaveLength(53);
    expect(second.body.nextPage).toBeNull();
    expect((await call('GET', '/api/v1/profiles?page=3&pageSize=100')).body).toEqual({ items: [], nextPage: null });
  });

  it('refuses a page size above 100 or a page below 1', async () => {
    expect((await call('GET', '/api/v1/profiles?page=1&pageSize=101')).status).toBe(400);
    expect((await call('GET', '/api/v1/profiles?page=0')).status).toBe(400);
  });

  it('answers 404 { error } for an unknown ticket', async () => {
    const answer = await call('GET', '/api/v1/tickets/T-9');
    expect(answer.status).toBe(404);
    expect(answer.body).toEqual({ error: expect.stringContaining('T-9') });
  });

  it('lists tickets changed after updatedSince, sorted by updatedAt then id, 100 to a page', async () => {
    const at = new Date('2026-05-01T00:00:00Z');
    sim.createTicket({ id: 'T-B' }, { at });
    sim.createTicket({ id: 'T-A' }, { at });
    for (let index = 0; index < 100; index += 1) sim.createTicket({}, { at: new Date(at.getTime() + 1000 + index) });
    sim.createTicket({ id: 'T-OLD' }, { at: new Date('2026-04-01T00:00:00Z') });

    const first = await call('GET', `/api/v1/tickets?updatedSince=${encodeURIComponent('2026-04-30T00:00:00Z')}&page=1`);
    expect(first.body.items).toHaveLength(100);
    expect(first.body.items.slice(0, 2).map((ticket: { id: string }) => ticket.id)).toEqual(['T-A', 'T-B']);
    expect(first.body.nextPage).toBe(2);
    const second = await call('GET', `/api/v1/tickets?updatedSince=${encodeURIComponent('2026-04-30T00:00:00Z')}&page=2`);
    expect(second.body.items).toHaveLength(2);
    expect(second.body.nextPage).toBeNull();
    const strictlyAfter = await call('GET', `/api/v1/tickets?updatedSince=${encodeURIComponent(at.toISOString())}&page=1`);
    expect(strictlyAfter.body.items.map((ticket: { id: string }) => ticket.id)).not.toContain('T-A');
  });

  it('refuses an updatedSince that is not an ISO date-time', async () => {
    expect((await call('GET', '/api/v1/tickets?updatedSince=yesterday&page=1')).status).toBe(400);
  });

  it('PATCH changes status and link, bumps updatedAt, and answers the ticket', async () => {
    const created = sim.createTicket();
    const answer = await call('PATCH', `/api/v1/tickets/${created.id}`, { status: 'Waiting', autotask: { ticketId: 30001, ticketNumber: 'T20261127.0001' } });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ id: created.id, status: 'Waiting', autotask: { ticketId: 30001, ticketNumber: 'T20261127.0001' } });
    expect(answer.body.updatedAt > created.updatedAt).toBe(true);
  });

  it('PATCH with values already set changes nothing, not even updatedAt', async () => {
    const created = sim.createTicket({ status: 'Waiting' });
    const answer = await call('PATCH', `/api/v1/tickets/${created.id}`, { status: 'Waiting' });
    expect(answer.body.updatedAt).toBe(created.updatedAt);
  });

  it('PATCH answers 400 { error } for an unknown status or a bad body, changing nothing', async () => {
    const created = sim.createTicket();
    const bad = [{ status: 'Done' }, { title: 'x' }, { status: 3 }, { autotask: { ticketId: 'x', ticketNumber: null } }, [1], '{not json'];
    for (const body of bad) {
      const answer = await call('PATCH', `/api/v1/tickets/${created.id}`, body);
      expect({ body, status: answer.status }).toEqual({ body, status: 400 });
      expect(answer.body).toEqual({ error: expect.any(String) });
    }
    expect(sim.tickets()[0]).toEqual(created);
  });

  it('logs each API request with method, path and status', async () => {
    await call('GET', '/api/v1/tickets/T-1');
    expect(sim.requests).toEqual([{ at: expect.any(String), method: 'GET', path: '/api/v1/tickets/T-1', query: {}, status: 404 }]);
  });
});

describe('fault injection', () => {
  it('fails the next requests with the asked status and Retry-After, then recovers', async () => {
    sim.faults.failNextRequests(2, { status: 429, retryAfterSeconds: 3 });
    const first = await call('GET', '/api/v1/account');
    expect(first.status).toBe(429);
    expect(first.headers.get('retry-after')).toBe('3');
    expect((await call('GET', '/api/v1/account')).status).toBe(429);
    expect((await call('GET', '/api/v1/account')).status).toBe(200);
  });

  it('a failed PATCH changes nothing', async () => {
    const created = sim.createTicket();
    sim.faults.failNextRequests(1, { status: 503 });
    expect((await call('PATCH', `/api/v1/tickets/${created.id}`, { status: 'Closed' })).status).toBe(503);
    expect(sim.tickets()[0]?.status).toBe('New');
  });

  it('adds latency to API calls', async () => {
    sim.faults.latencyMs = 150;
    const started = Date.now();
    await call('GET', '/api/v1/account');
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });
});

describe('webhooks', () => {
  it('signs each event over the exact bytes sent, as JSON', async () => {
    const ticket = sim.createTicket({ title: 'Disk C: 95% full', severity: 4, deviceId: 'D-9', deviceName: 'SRV01' });
    await sim.webhooksIdle();

    expect(receiver.received).toHaveLength(1);
    const [delivery] = receiver.received;
    expect(delivery?.contentType).toBe('application/json');
    expect(verifyPcsmSignature(SECRET, delivery?.signature, delivery!.raw, Math.floor(Date.now() / 1000))).toEqual({ ok: true });
    expect(verifyPcsmSignature('another-secret', delivery?.signature, delivery!.raw, Math.floor(Date.now() / 1000))).toEqual({ ok: false, reason: 'mismatch' });
    const tampered = Buffer.from(delivery!.raw.toString('utf8').replace('95%', '96%'));
    expect(verifyPcsmSignature(SECRET, delivery?.signature, tampered, Math.floor(Date.now() / 1000)).ok).toBe(false);

    const parsed = pcsmEventSchema.parse(delivery?.event);
    expect(parsed).toMatchObject({ type: 'ticket.created', occurredAt: ticket.updatedAt, data: { id: ticket.id, title: 'Disk C: 95% full', severity: 4 } });
    expect(parsed.id).toMatch(/^evt_[0-9A-HJKMNP-TV-Z]{26}$/);
  });

  it('delivers events in the order the changes happened', async () => {
    const a = sim.createTicket();
    const b = sim.createTicket();
    sim.updateTicket(a.id, { status: 'In Progress' });
    const profile = sim.createProfile({ name: 'Tailspin Toys' });
    sim.updateProfile(profile.id, { description: 'VIP' });
    sim.updateTicket(b.id, { severity: 5 });
    await sim.webhooksIdle();

    expect(receiver.types()).toEqual([
      `ticket.created ${a.id}`,
      `ticket.created ${b.id}`,
      `ticket.updated ${a.id}`,
      `profile.created ${profile.id}`,
      `profile.updated ${profile.id}`,
      `ticket.updated ${b.id}`,
    ]);
    for (const entry of receiver.received) expect(pcsmEventSchema.safeParse(entry.event).success).toBe(true);
    expect(new Set(receiver.received.map((entry) => entry.event.id)).size).toBe(6);
  });

  it('sends nothing for a change that changes nothing', async () => {
    const ticket = sim.createTicket({ status: 'Waiting' });
    sim.updateTicket(ticket.id, { status: 'Waiting' });
    await sim.webhooksIdle();
    expect(receiver.types()).toEqual([`ticket.created ${ticket.id}`]);
  });

  it('sends ticket.updated for changes the connector makes through the API, unless told not to', async () => {
    const ticket = sim.createTicket();
    await call('PATCH', `/api/v1/tickets/${ticket.id}`, { status: 'Resolved' });
    await sim.webhooksIdle();
    expect(receiver.types()).toEqual([`ticket.created ${ticket.id}`, `ticket.updated ${ticket.id}`]);
    expect(receiver.received[1]?.event.data).toMatchObject({ status: 'Resolved' });

    sim.emitOnApiChanges = false;
    await call('PATCH', `/api/v1/tickets/${ticket.id}`, { status: 'Closed' });
    await sim.webhooksIdle();
    expect(receiver.received).toHaveLength(2);
  });

  it('dropNextWebhooks loses exactly one event', async () => {
    const first = sim.createTicket();
    sim.faults.dropNextWebhooks(1);
    const lost = sim.createTicket();
    const third = sim.createTicket();
    await sim.webhooksIdle();

    expect(receiver.types()).toEqual([`ticket.created ${first.id}`, `ticket.created ${third.id}`]);
    expect(sim.webhookEvents().map((record) => [record.event.data.id, record.fate])).toEqual([
      [first.id, 'delivered'],
      [lost.id, 'dropped'],
      [third.id, 'delivered'],
    ]);
    expect(sim.webhookDeliveries().map((delivery) => delivery.eventId)).not.toContain(sim.webhookEvents()[1]?.event.id);
  });

  it('retries a delivery the receiver refuses, keeping later events behind it', async () => {
    receiver.statuses.push(500, 503);
    const first = sim.createTicket();
    const second = sim.createTicket();
    await sim.webhooksIdle();

    expect(receiver.types()).toEqual([`ticket.created ${first.id}`, `ticket.created ${first.id}`, `ticket.created ${first.id}`, `ticket.created ${second.id}`]);
    expect(sim.webhookDeliveries().map(({ attempt, status }) => [attempt, status])).toEqual([[1, 500], [2, 503], [3, 200], [1, 200]]);
    // Every attempt is signed afresh; the bytes are the same event.
    expect(new Set(receiver.received.slice(0, 3).map((entry) => entry.raw.toString('utf8'))).size).toBe(1);
  });

  it('gives an event up after the last attempt and goes on with the next', async () => {
    receiver.statuses.push(500, 500, 500, 500);
    const first = sim.createTicket();
    const second = sim.createTicket();
    await sim.webhooksIdle();
    expect(sim.webhookEvents().map((record) => record.fate)).toEqual(['failed', 'delivered']);
    expect(sim.webhookDeliveries().filter((delivery) => delivery.eventId === sim.webhookEvents()[0]?.event.id)).toHaveLength(4);
    expect(receiver.types().at(-1)).toBe(`ticket.created ${second.id}`);
    expect(first.id).not.toBe(second.id);
  });

  it('failNextWebhookDeliveries fails an attempt before it reaches the receiver, then retries', async () => {
    sim.faults.failNextWebhookDeliveries(1);
    sim.createTicket();
    await sim.webhooksIdle();
    expect(receiver.received).toHaveLength(1);
    expect(sim.webhookDeliveries().map(({ attempt, status }) => [attempt, status])).toEqual([[1, null], [2, 200]]);
  });

  it('sends nothing while no webhook is set, and to the new URL once set', async () => {
    sim.setWebhook(null);
    sim.createTicket();
    sim.setWebhook({ url: receiver.url, secret: SECRET });
    const later = sim.createTicket();
    await sim.webhooksIdle();
    expect(receiver.types()).toEqual([`ticket.created ${later.id}`]);
    expect(sim.webhookEvents().map((record) => record.fate)).toEqual(['no-webhook', 'delivered']);
  });
});

describe('control routes', () => {
  it('create and change tickets as a PCSM user, with webhooks', async () => {
    const created = await call('POST', '/__sim/tickets', { title: 'CPU 100%', severity: 5, profileId: 'P-2' }, {});
    expect(created.status).toBe(201);
    const changed = await call('PATCH', `/__sim/tickets/${created.body.id}`, { status: 'Resolved' }, {});
    expect(changed.body).toMatchObject({ status: 'Resolved' });
    await call('POST', '/__sim/webhooks/idle', {}, {});
    expect(receiver.types()).toEqual([`ticket.created ${created.body.id}`, `ticket.updated ${created.body.id}`]);
  });

  it('refuses a ticket for an unknown profile or with an unknown field', async () => {
    expect((await call('POST', '/__sim/tickets', { profileId: 'P-404' }, {})).status).toBe(400);
    expect((await call('POST', '/__sim/tickets', { sevrity: 5 }, {})).status).toBe(400);
    expect((await call('PATCH', '/__sim/tickets/T-404', { status: 'Closed' }, {})).status).toBe(404);
  });

  it('inject faults and reset to the seed', async () => {
    await call('POST', '/__sim/faults/fail-next-requests', { count: 1, status: 503 }, {});
    expect((await call('GET', '/api/v1/account')).status).toBe(503);
    await call('POST', '/__sim/profiles', { name: 'Tailspin Toys' }, {});
    await call('POST', '/__sim/faults/drop-next-webhooks', { count: 1 }, {});
    await call('POST', '/__sim/reset', {}, {});
    expect((await call('GET', '/__sim/profiles', undefined, {})).body.items).toHaveLength(153);
    expect((await call('GET', '/__sim/requests', undefined, {})).body.items).toEqual([]);
    const after = sim.createTicket();
    await sim.webhooksIdle();
    expect(receiver.types().at(-1)).toBe(`ticket.created ${after.id}`);
  });

  it('set the webhook and read the delivery log', async () => {
    await call('PUT', '/__sim/webhook', { url: receiver.url, secret: 'rotated-secret', emitOnApiChanges: false }, {});
    expect(sim.emitOnApiChanges).toBe(false);
    sim.createTicket();
    await sim.webhooksIdle();
    expect(verifyPcsmSignature('rotated-secret', receiver.received[0]?.signature, receiver.received[0]!.raw, Math.floor(Date.now() / 1000)).ok).toBe(true);
    const log = await call('GET', '/__sim/webhook-deliveries', undefined, {});
    expect(log.body.items).toEqual([{ eventId: expect.stringMatching(/^evt_/), type: 'ticket.created', url: receiver.url, attempt: 1, at: expect.any(String), status: 200 }]);
  });
});
