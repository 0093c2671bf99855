import { pcsmTicketToRmm } from '../../src/pcsm/adapter';
import { signPcsmPayload } from '../../src/ingress/pcsm-signature';
import { PCSM_WEBHOOK_SECRET, startStack, ticketEvent, type Stack } from '../support/stack';

/** The contract's answers for bad input: a clear 4xx and nothing enqueued. */
describe('POST /webhooks/pcsm/{connectorId}', () => {
  let stack: Stack;

  beforeAll(async () => {
    // No worker: whatever is enqueued stays countable.
    stack = await startStack('pcsm-ingress', { worker: false });
    await stack.putConnector('c1');
  });

  afterAll(async () => {
    await stack.close();
  });

  beforeEach(async () => {
    for (const queue of stack.queues()) await queue.obliterate({ force: true });
  });

  it('answers 202 once the ticket state is recorded and its job is in Redis, with the job id', async () => {
    const event = ticketEvent({ id: 'T-ingress-1' });
    const response = await stack.sendPcsm('c1', event);
    expect(response.status).toBe(202);
    expect(response.body).toMatchObject({ accepted: true, eventId: event.id, jobId: expect.any(String), newest: true });
    expect(await stack.jobCount()).toBe(1);
    const job = await stack.connectorQueue().getJob(response.body.jobId);
    expect(job?.name).toBe('ticket-sync');
    expect(job?.data).toEqual({ connectorId: 'c1', ticketId: 'T-ingress-1' });
    // The state itself waits in the ticket's desired-state record, not in the job.
    const { state } = await stack.runtime.store.desiredStates.read('c1', 'T-ingress-1');
    expect(JSON.parse(state!.desired!)).toEqual(pcsmTicketToRmm(event.data));
  });

  it('enqueues a duplicate delivery once and still answers 2xx', async () => {
    const event = ticketEvent({ id: 'T-ingress-2' });
    expect((await stack.sendPcsm('c1', event)).status).toBe(202);
    const again = await stack.sendPcsm('c1', event);
    expect(again.status).toBe(202);
    expect(again.body).toMatchObject({ accepted: true, newest: false });
    expect(await stack.jobCount()).toBe(1);
  });

  it('keeps one job for a ticket whatever the number of its events', async () => {
    const events = Array.from({ length: 30 }, (_, i) => ticketEvent({ id: 'T-ingress-3', title: `Load ${i}` }, 'ticket.updated'));
    const answers = await Promise.all(events.map((event) => stack.sendPcsm('c1', event)));
    expect(answers.every((answer) => answer.status === 202)).toBe(true);
    expect(await stack.jobCount()).toBe(1);
    const { state } = await stack.runtime.store.desiredStates.read('c1', 'T-ingress-3');
    expect(JSON.parse(state!.desired!).title).toBe('Load 29');
  });

  it('accepts profile events', async () => {
    const response = await stack.sendPcsm('c1', {
      id: 'evt_profile_1',
      type: 'profile.created',
      occurredAt: '2026-11-27T12:00:00Z',
      data: { id: 'P-3', name: 'Wide World Importers', description: null, updatedAt: '2026-11-27T12:00:00Z' },
    });
    expect(response.status).toBe(202);
    expect(response.body.kind).toBe('profile');
  });

  const rejected: Array<[string, number, (s: Stack) => Promise<{ status: number; body: any; headers: Headers }>]> = [
    ['a wrong signature', 401, (s) => s.sendPcsm('c1', ticketEvent(), { secret: 'not-the-secret' })],
    ['a missing signature', 401, (s) => s.sendPcsm('c1', ticketEvent(), { signature: null })],
    ['a stale timestamp', 401, (s) => s.sendPcsm('c1', ticketEvent(), { timestamp: Math.floor(Date.now() / 1000) - 301 })],
    ['an unknown connector', 401, (s) => s.sendPcsm('nobody', ticketEvent())],
    ['a body over 256 KiB', 413, (s) => s.sendPcsm('c1', ticketEvent({ description: 'x'.repeat(257 * 1024) }))],
    ['a body that is not JSON', 400, (s) => s.sendRaw('c1', '{"id": "evt_1", ')],
    ['a wrong content type', 415, (s) => s.sendRaw('c1', JSON.stringify(ticketEvent()), { contentType: 'text/plain' })],
  ];

  it.each(rejected)('rejects %s with %i and enqueues nothing', async (_case, status, send) => {
    const response = await send(stack);
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect(response.body).toMatchObject({ status, title: expect.any(String) });
    expect(await stack.jobCount()).toBe(0);
  });

  it('answers an unknown connector exactly like a bad signature', async () => {
    const unknown = await stack.sendPcsm('nobody', ticketEvent());
    const wrong = await stack.sendPcsm('c1', ticketEvent(), { secret: 'not-the-secret' });
    expect(unknown.body).toEqual(wrong.body);
  });

  it('rejects an event that fails the schema with 400 naming the fields', async () => {
    const event = ticketEvent();
    const broken = { ...event, data: { ...event.data, severity: 9, title: undefined } };
    const response = await stack.sendPcsm('c1', broken);
    expect(response.status).toBe(400);
    const fields = response.body.errors.map((e: { field: string }) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['data.severity', 'data.title']));
    expect(await stack.jobCount()).toBe(0);
  });

  it('verifies the signature over the exact bytes sent, whitespace included', async () => {
    const raw = `{ "id": "evt_ws", "type": "ticket.created", "occurredAt": "2026-11-27T12:00:00Z",\n "data": ${JSON.stringify(ticketEvent().data)} }`;
    const timestamp = Math.floor(Date.now() / 1000);
    expect((await stack.sendRaw('c1', raw, { signature: signPcsmPayload(PCSM_WEBHOOK_SECRET, raw, timestamp) })).status).toBe(202);
    const reformatted = JSON.stringify(JSON.parse(raw));
    expect((await stack.sendRaw('c1', reformatted, { signature: signPcsmPayload(PCSM_WEBHOOK_SECRET, raw, timestamp) })).status).toBe(401);
  });
});

describe('when Redis is unreachable', () => {
  let stack: Stack;

  beforeAll(async () => {
    // Nothing listens on port 1: every add fails at once, as during a Redis outage.
    stack = await startStack('pcsm-ingress-down', { worker: false, redisUrl: 'redis://127.0.0.1:1' });
    await stack.putConnector('c1');
  });

  afterAll(async () => {
    await stack.runtime.close();
    await stack.sim.close();
    await stack.pcsm.close();
  });

  it('answers 503 with Retry-After, never 202', async () => {
    const response = await stack.sendPcsm('c1', ticketEvent());
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('5');
    expect(response.body).toMatchObject({ status: 503 });
  });

  it('reports not ready on /readyz', async () => {
    const response = await fetch(`${stack.url}/readyz`);
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ checks: { redis: false, mongo: true } });
  });
});
