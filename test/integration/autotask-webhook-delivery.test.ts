import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { AutotaskClient } from '../../src/autotask/client';
import type { AutotaskSession, TicketWebhookSpec } from '../../src/autotask/types';
import {
  API_USER_RESOURCE_ID,
  DEFAULT_CREDENTIALS,
  startAutotaskSimulator,
  TECHNICIAN_RESOURCE_ID,
  type AutotaskSimulator,
} from '../../src/simulators/autotask';

const SECRET = 'hook-secret-ç-42';

interface Received {
  path: string;
  signature: string | undefined;
  contentType: string | undefined;
  raw: Buffer;
  body: any;
}

let sim: AutotaskSimulator;
let receiver: Server;
let receiverUrl: string;
let received: Received[] = [];
/** Status the receiver answers for the n-th POST to /hook (0-based); 200 when absent. */
let answer: (index: number) => number = () => 200;

function verifies(raw: Buffer, signature: string | undefined): boolean {
  const expected = Buffer.from(`sha1=${createHmac('sha1', SECRET).update(raw).digest('base64')}`);
  const sent = Buffer.from(signature ?? '');
  return sent.length === expected.length && timingSafeEqual(sent, expected);
}

const hooks = (): Received[] => received.filter((entry) => entry.path === '/hook');

function session(): AutotaskSession {
  return new AutotaskClient({ zoneLookupUrl: sim.zoneLookupUrl, minRetryDelayMs: 10, maxRetryDelayMs: 20, timeoutMs: 2000 })
    .session('connector-hooks', { ...DEFAULT_CREDENTIALS });
}

const spec = (extra: Partial<TicketWebhookSpec> = {}): TicketWebhookSpec => ({
  name: 'PCSM sync',
  webhookUrl: `${receiverUrl}/hook`,
  deactivationUrl: `${receiverUrl}/deactivated`,
  secretKey: SECRET,
  subscribedFields: ['status', 'priority', 'title'],
  displayAlwaysFields: ['ticketNumber', 'companyID'],
  excludedResourceIds: [API_USER_RESOURCE_ID],
  ...extra,
});

beforeAll(async () => {
  sim = await startAutotaskSimulator({ port: 0, latencyAtHalfMs: 0, latencyAtThreeQuartersMs: 0, webhookRetryDelayMs: 20, webhookTimeoutMs: 300 });
  const app = express();
  app.use(express.raw({ type: () => true }));
  app.post('/:name', (req, res) => {
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const entry: Received = {
      path: req.path,
      signature: req.get('x-hook-signature'),
      contentType: req.get('content-type'),
      raw,
      body: JSON.parse(raw.toString('utf8')),
    };
    received.push(entry);
    res.status(entry.path === '/hook' ? answer(hooks().length - 1) : 200).end();
  });
  receiver = await new Promise<Server>((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
});

beforeEach(async () => {
  received = [];
  answer = () => 200;
  await session().ensureTicketWebhook(spec());
});

afterEach(async () => {
  await sim.webhooksIdle();
  sim.reset();
});

afterAll(async () => {
  await sim.close();
  await new Promise<void>((resolve) => {
    receiver.close(() => resolve());
    receiver.closeAllConnections();
  });
});

describe('delivery of ticket events', () => {
  it("posts a technician's change, signed over the raw .NET-escaped bytes", async () => {
    const [id = 0] = sim.addTickets([{ title: 'Imprimante bloquée <urgent> & "vite"' }]);
    sim.changeTicket(id, { status: 8 });
    await sim.webhooksIdle();

    expect(hooks()).toHaveLength(2);
    const [created, updated] = hooks();
    for (const entry of hooks()) {
      expect(entry.contentType).toBe('application/json');
      expect(verifies(entry.raw, entry.signature)).toBe(true);
      expect(entry.raw.every((byte) => byte < 0x80)).toBe(true);
    }
    const text = created?.raw.toString('utf8') ?? '';
    expect(text).toContain('bloqu\\u00E9e \\u003Curgent\\u003E \\u0026 \\u0022vite\\u0022');
    // Re-serialising the parsed body loses the escapes, so its signature no longer matches.
    expect(verifies(Buffer.from(JSON.stringify(created?.body)), created?.signature)).toBe(false);

    const guid = sim.ticketWebhooks()[0]?.webhookGUID;
    const ticket = sim.tickets()[0];
    expect(created?.body).toEqual({
      Action: 'Create',
      Guid: guid,
      EntityType: 'Ticket',
      Id: id,
      Fields: { Title: 'Imprimante bloquée <urgent> & "vite"', Status: '1', Priority: '2', TicketNumber: ticket?.ticketNumber, CompanyID: '174' },
      EventTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      SequenceNumber: 1,
      PersonID: TECHNICIAN_RESOURCE_ID,
    });
    expect(updated?.body).toMatchObject({ Action: 'Update', Guid: guid, Id: id, SequenceNumber: 2, Fields: { Status: '8' } });
  });

  it('does not post changes made by the excluded API user, but does for a resource it impersonates', async () => {
    const connector = session();
    const id = await connector.createTicket({ companyID: 174, title: 'From the connector', status: 1, priority: 2 });
    await connector.updateTicket(id, { status: 8 });
    sim.changeTicket(id, { priority: 1 }, { by: API_USER_RESOURCE_ID });
    await sim.webhooksIdle();
    expect(hooks()).toHaveLength(0);

    const impersonating = new AutotaskClient({ zoneLookupUrl: sim.zoneLookupUrl })
      .session('connector-hooks', { ...DEFAULT_CREDENTIALS, impersonationResourceId: TECHNICIAN_RESOURCE_ID });
    await impersonating.updateTicket(id, { status: 5 });
    await sim.webhooksIdle();
    expect(hooks().map((entry) => [entry.body.Action, entry.body.PersonID, entry.body.Fields.Status])).toEqual([['Update', TECHNICIAN_RESOURCE_ID, '5']]);
  });

  it('does not post an update that changes no subscribed field', async () => {
    const [id = 0] = sim.addTickets([{}]);
    await sim.webhooksIdle();
    sim.changeTicket(id, { description: 'only the description' });
    await sim.webhooksIdle();
    expect(hooks().map((entry) => entry.body.Action)).toEqual(['Create']);
  });

  it('tries a failing receiver 5 times, then logs the payload in WebhookEventErrorLogs and goes on with the next event', async () => {
    answer = (index) => (index < 5 ? 503 : 200);
    const [first = 0, second = 0] = sim.addTickets([{ title: 'first' }, { title: 'second' }]);
    await sim.webhooksIdle();

    expect(hooks().map((entry) => [entry.body.Id, entry.body.SequenceNumber])).toEqual([
      [first, 1], [first, 1], [first, 1], [first, 1], [first, 1], [second, 2],
    ]);
    expect(sim.webhookDeliveries().filter((delivery) => delivery.kind === 'event').map((delivery) => [delivery.attempt, delivery.status])).toEqual([
      [1, 503], [2, 503], [3, 503], [4, 503], [5, 503], [1, 200],
    ]);
    const logs = sim.webhookErrorLogs();
    expect(logs).toEqual([expect.objectContaining({ sequenceNumber: 1, errorMessage: expect.stringContaining('503'), payload: hooks()[0]?.raw.toString('utf8') })]);
    expect(sim.ticketWebhooks()[0]?.isActive).toBe(true);
  });

  it('holds later events back while the head of the queue is being retried', async () => {
    answer = (index) => (index < 2 ? 500 : 200);
    sim.addTickets([{ title: 'a' }]);
    sim.addTickets([{ title: 'b' }]);
    sim.addTickets([{ title: 'c' }]);
    await sim.webhooksIdle();
    expect(hooks().map((entry) => entry.body.Fields.Title)).toEqual(['a', 'a', 'a', 'b', 'c']);
    expect(sim.webhookErrorLogs()).toEqual([]);
  });

  it('counts a receiver slower than the timeout as a failure', async () => {
    const slow = express();
    slow.post('/slow', (_req, res) => { setTimeout(() => res.status(200).end(), 1000); });
    const server = await new Promise<Server>((resolve) => { const listening = slow.listen(0, '127.0.0.1', () => resolve(listening)); });
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slow`;
      const webhookId = sim.ticketWebhooks()[0]?.id as number;
      await fetch(`${sim.zoneUrl}V1.0/TicketWebhooks`, {
        method: 'PATCH',
        headers: { ApiIntegrationCode: DEFAULT_CREDENTIALS.integrationCode, UserName: DEFAULT_CREDENTIALS.username, Secret: DEFAULT_CREDENTIALS.secret, 'Content-Type': 'application/json' },
        body: JSON.stringify({ id: webhookId, webhookUrl: url }),
      });
      sim.addTickets([{}]);
      await sim.webhooksIdle();
      const attempts = sim.webhookDeliveries().filter((delivery) => delivery.kind === 'event');
      expect(attempts).toHaveLength(5);
      expect(attempts.every((delivery) => delivery.status === null && delivery.error === 'The operation has timed out.')).toBe(true);
      expect(sim.webhookErrorLogs()).toHaveLength(1);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

describe('losses and deactivation', () => {
  it('dropNextWebhookDeliveries loses exactly one event: no POST, no retry, no error-log entry', async () => {
    sim.faults.dropNextWebhookDeliveries(1);
    sim.addTickets([{ title: 'lost' }, { title: 'kept' }]);
    await sim.webhooksIdle();
    expect(hooks().map((entry) => [entry.body.Fields.Title, entry.body.SequenceNumber])).toEqual([['kept', 2]]);
    expect(sim.webhookDeliveries().filter((delivery) => delivery.dropped)).toHaveLength(1);
    expect(sim.webhookErrorLogs()).toEqual([]);
  });

  it('deactivates the webhook after 25 consecutive failures and calls its deactivation URL, unsigned', async () => {
    answer = () => 500;
    sim.addTickets(Array.from({ length: 6 }, (_, index) => ({ title: `t${index}` })));
    await sim.webhooksIdle();

    expect(hooks()).toHaveLength(25);
    expect(sim.ticketWebhooks()[0]).toMatchObject({ isActive: false });
    const notices = received.filter((entry) => entry.path === '/deactivated');
    expect(notices).toHaveLength(1);
    expect(notices[0]?.signature).toBeUndefined();
    expect(notices[0]?.body).toMatchObject({ Action: 'Deactivated', Guid: sim.ticketWebhooks()[0]?.webhookGUID });
    // Five events used their attempts; the sixth never got a chance.
    expect(sim.webhookErrorLogs().map((log) => log.sequenceNumber)).toEqual([1, 2, 3, 4, 5, 6]);

    answer = () => 200;
    sim.changeTicket(sim.tickets()[0]?.id as number, { status: 8 });
    await sim.webhooksIdle();
    expect(hooks()).toHaveLength(25);
  });
});
