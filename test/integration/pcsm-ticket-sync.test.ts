import type { Job } from 'bullmq';
import { waitFor } from '../harness/context';
import { ADMIN_TOKEN, startStack, ticketEvent, type Stack } from '../support/stack';

/** PCSM ticket events through ingress, Redis, the worker and the Autotask simulator. */
describe('PCSM ticket → Autotask ticket', () => {
  let stack: Stack;

  beforeEach(async () => {
    stack = await startStack('ticket-sync', { autotaskTimeoutMs: 1000 });
    await stack.putConnector('c1');
  });

  afterEach(async () => {
    await stack.close();
  });

  const ticketPosts = () => stack.sim.requests.filter((r) => r.method === 'POST' && r.path.toLowerCase().endsWith('/v1.0/tickets'));
  const ticketPatches = () => stack.sim.requests.filter((r) => r.method === 'PATCH' && r.entity?.toLowerCase() === 'tickets');
  const ticketCalls = () => stack.sim.requests.filter((r) => r.entity?.toLowerCase() === 'tickets');
  const link = async (pcsmTicketId = 'T-1001') => (await stack.admin('GET', `/api/v1/connectors/c1/tickets/${pcsmTicketId}`)).body;
  const jobsIn = async (state: 'failed' | 'completed'): Promise<Job[]> => stack.connectorQueue().getJobs([state]);
  const syncedLink = (id: string, timeoutMs = 10_000) =>
    waitFor(async () => {
      const body = await link(id);
      return body.state === 'synced' ? body : null;
    }, { timeoutMs, message: `ticket ${id} to be synced` });
  const idle = () => stack.idle();

  it('creates one Autotask ticket with the mapped fields for one event, and reads its number in a batch', async () => {
    const event = ticketEvent({ id: 'T-1', severity: 5, status: 'New', profileId: 'P-2' });
    const response = await stack.sendPcsm('c1', event);
    expect(response.status).toBe(202);
    expect(response.body).toMatchObject({ accepted: true, kind: 'ticket', newest: true, jobId: expect.any(String) });

    await syncedLink('T-1');
    const synced = await waitFor(async () => {
      const body = await link('T-1');
      return body.autotaskTicketNumber ? body : null;
    }, { message: 'the ticket number to be read' });
    const tickets = stack.sim.tickets();
    expect(tickets).toHaveLength(1);
    expect(tickets[0]).toMatchObject({
      id: synced.autotaskTicketId,
      ticketNumber: synced.autotaskTicketNumber,
      companyID: 175,
      title: 'Disk C: 95% full',
      status: 1,
      priority: 4,
      queueID: 29683498,
      billingCodeID: 29682801,
      externalID: synced.externalId,
    });
    expect(String(tickets[0]!.description)).toContain('SRV01');
    expect(synced.autotaskTicketNumber).toMatch(/^T\d{8}\.\d{4}$/);
    // One create and one query for the number; never a GET of the ticket.
    expect(ticketPosts()).toHaveLength(1);
    expect(ticketCalls().filter((r) => r.method === 'GET')).toHaveLength(0);
    // PCSM is shown the Autotask ticket.

    // What it cost is visible to operators, per connector and endpoint.
    const metrics = await waitFor(async () => {
      const text = await fetch(`${stack.url}/metrics`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } }).then((r) => r.text());
      return text.includes('pcsm_sync_jobs_total{job="ticket-sync",outcome="completed"}') ? text : null;
    }, { message: 'the finished job to be counted' });
    // The create and the ticket-number query.
    expect(metrics).toContain('pcsm_sync_autotask_requests_total{connector="c1",entity="Tickets",method="POST",status="200"} 2');
  });

  it('reads the numbers of many new tickets with one query', async () => {
    const ids = Array.from({ length: 12 }, (_, i) => `T-N${i}`);
    await Promise.all(ids.map((id) => stack.sendPcsm('c1', ticketEvent({ id }))));
    await waitFor(async () => (await Promise.all(ids.map((id) => link(id)))).every((l) => l.autotaskTicketNumber), {
      timeoutMs: 15_000,
      message: 'every ticket number to be read',
    });
    expect(ticketPosts()).toHaveLength(12);
    const queries = stack.sim.requests.filter((r) => r.method === 'POST' && /\/tickets\/query$/i.test(r.path));
    expect(queries.length).toBeLessThanOrEqual(2);
  });

  it('creates one ticket when the same event arrives twice, and the second delivery changes nothing', async () => {
    const event = ticketEvent({ id: 'T-2' });
    expect((await stack.sendPcsm('c1', event)).status).toBe(202);
    await syncedLink('T-2');
    await idle();
    const again = await stack.sendPcsm('c1', event);
    expect(again.status).toBe(202);
    expect(again.body).toMatchObject({ accepted: true, newest: false, jobId: null });
    await idle();
    expect(stack.sim.tickets()).toHaveLength(1);
    expect(ticketPosts()).toHaveLength(1);
    expect(ticketPatches()).toHaveLength(0);
  });

  it('settles a burst of 20 updates, delivered out of order, into at most 2 writes ending in the newest state', async () => {
    const events = Array.from({ length: 20 }, (_, i) =>
      ticketEvent(
        { id: 'T-3', title: `Disk C: ${80 + i}% full`, status: i < 19 ? 'In Progress' : 'Resolved', severity: i < 10 ? 3 : 5 },
        i === 0 ? 'ticket.created' : 'ticket.updated',
      ),
    );
    const shuffled = [...events.slice(10).reverse(), ...events.slice(0, 10)];
    const responses = await Promise.all(shuffled.map((event) => stack.sendPcsm('c1', event)));
    expect(responses.map((r) => r.status)).toEqual(Array(20).fill(202));
    // However many events, at most one job per ticket waits (plus the ticket-numbers batch).
    expect((await stack.openJobs()).length).toBeLessThanOrEqual(2);

    const last = events[19]!.data;
    await waitFor(async () => (await link('T-3')).appliedUpdatedAt === new Date(last.updatedAt).toISOString(), {
      timeoutMs: 15_000,
      message: 'the newest state to be applied',
    });
    const [ticket] = stack.sim.tickets();
    expect(stack.sim.tickets()).toHaveLength(1);
    expect(ticket).toMatchObject({ title: last.title, status: 5, priority: 4 });
    expect(ticketPosts()).toHaveLength(1);
    expect(ticketPosts().length + ticketPatches().length).toBeLessThanOrEqual(2);
  });

  it('ignores an event older than the state already applied', async () => {
    const newer = ticketEvent({ id: 'T-4', status: 'Resolved', updatedAt: '2026-11-27T13:00:00.000Z' });
    const older = ticketEvent({ id: 'T-4', status: 'New', updatedAt: '2026-11-27T12:00:00.000Z' }, 'ticket.updated');
    await stack.sendPcsm('c1', newer);
    await syncedLink('T-4');
    const answer = await stack.sendPcsm('c1', older);
    expect(answer.body).toMatchObject({ newest: false, jobId: null });
    await idle();
    expect(stack.sim.tickets()[0]).toMatchObject({ status: 5 });
    expect(ticketPatches()).toHaveLength(0);
  });

  it('does not create a duplicate when Autotask commits the create and the answer times out', async () => {
    stack.sim.faults.commitThenTimeout(1, { mode: 'hang' });
    await stack.sendPcsm('c1', ticketEvent({ id: 'T-5' }));
    const synced = await syncedLink('T-5', 40_000);
    expect(stack.sim.tickets()).toHaveLength(1);
    expect(ticketPosts()).toHaveLength(1);
    expect(synced.autotaskTicketId).toBe(stack.sim.tickets()[0]!.id);
    const lookups = stack.sim.requests.filter((r) => r.method === 'POST' && r.path.toLowerCase().endsWith('/tickets/query'));
    expect(lookups.length).toBeGreaterThanOrEqual(1);
  }, 60_000);

  it('holds the connector for Retry-After when Autotask answers 429, then creates the ticket', async () => {
    stack.sim.faults.failNextWrites(1, { status: 429, retryAfterSeconds: 2, errors: ['Rate limit exceeded.'] });
    await stack.sendPcsm('c1', ticketEvent({ id: 'T-6' }));
    await syncedLink('T-6', 15_000);
    const posts = ticketPosts();
    expect(posts).toHaveLength(2);
    expect(posts[0]!.status).toBe(429);
    expect(Date.parse(posts[1]!.at) - Date.parse(posts[0]!.at)).toBeGreaterThanOrEqual(1900);
    expect(stack.sim.tickets()).toHaveLength(1);
  });

  it('retries an Autotask 500 that is not a validation failure until it works, without a second ticket', async () => {
    stack.sim.faults.failNextWrites(3, { status: 500, errors: ['An unexpected error has occurred. Please try again later.'] });
    await stack.sendPcsm('c1', ticketEvent({ id: 'T-500' }));
    const synced = await syncedLink('T-500', 45_000);
    expect(stack.sim.tickets()).toHaveLength(1);
    expect(synced.autotaskTicketId).toBe(stack.sim.tickets()[0]!.id);
    expect(await jobsIn('failed')).toHaveLength(0);
  }, 60_000);

  it('fails the job with Autotask’s message when Autotask refuses the ticket, and asks again only after a change', async () => {
    // Company 176 exists but is inactive: the simulator refuses it as the real API does.
    const input = stack.input();
    await stack.putConnector('c1', { ...input, mappings: { ...input.mappings, profiles: [{ profileId: 'P-1', companyId: 176 }] } });
    await stack.sendPcsm('c1', ticketEvent({ id: 'T-7', updatedAt: '2026-11-27T12:00:00Z' }));
    const [failed] = await waitFor(async () => {
      const jobs = await jobsIn('failed');
      return jobs.length > 0 ? jobs : null;
    });
    expect(failed!.failedReason).toMatch(/companyID/);
    expect(ticketPosts()).toHaveLength(1);
    const state = await link('T-7');
    expect(state).toMatchObject({ state: 'failed', lastError: expect.stringMatching(/companyID/), nextAttemptAt: expect.any(String) });
    const listed = await stack.admin('GET', '/api/v1/connectors/c1/tickets?state=failed');
    expect(listed.body.items).toEqual([expect.objectContaining({ pcsmTicketId: 'T-7', state: 'failed' })]);

    // An older or equal state does not ask Autotask again.
    const stale = await stack.sendPcsm('c1', ticketEvent({ id: 'T-7', updatedAt: '2020-01-01T00:00:00Z' }, 'ticket.updated'));
    expect(stale.body).toMatchObject({ newest: false, jobId: null });
    await idle();
    expect(ticketPosts()).toHaveLength(1);

    // The company is active again in Autotask: an operator's retry brings it through.
    stack.sim.faults.setCompanyActive(176, true);
    const retry = await stack.admin('POST', '/api/v1/connectors/c1/tickets/T-7/retry');
    expect(retry.status).toBe(202);
    await syncedLink('T-7');
    expect(stack.sim.tickets()).toHaveLength(1);
  });

  it('refuses without calling Autotask when an association is missing, and syncs once the association is saved', async () => {
    await stack.sendPcsm('c1', ticketEvent({ id: 'T-8', profileId: 'P-unknown' }));
    const [failed] = await waitFor(async () => {
      const jobs = await jobsIn('failed');
      return jobs.length > 0 ? jobs : null;
    });
    expect(failed!.failedReason).toContain('mappings.profiles');
    expect(stack.sim.requests.filter((r) => r.entity?.toLowerCase() === 'tickets')).toHaveLength(0);
    expect((await link('T-8')).state).toBe('failed');

    // The configuration change is what the refusal waited for.
    const input = stack.input();
    await stack.putConnector('c1', { ...input, mappings: { ...input.mappings, profiles: [...input.mappings.profiles, { profileId: 'P-unknown', companyId: 174 }] } });
    await syncedLink('T-8', 15_000);
    expect(stack.sim.tickets()).toEqual([expect.objectContaining({ companyID: 174 })]);
  });

  it('updates the linked ticket with one PATCH on the collection URL, sending only what changed', async () => {
    await stack.sendPcsm('c1', ticketEvent({ id: 'T-9', status: 'New', updatedAt: '2026-11-27T12:00:00Z' }));
    await syncedLink('T-9');
    await stack.sendPcsm('c1', ticketEvent({ id: 'T-9', status: 'Resolved', updatedAt: '2026-11-27T12:05:00Z' }, 'ticket.updated'));
    await waitFor(async () => stack.sim.tickets()[0]?.status === 5);
    const [patch] = ticketPatches();
    expect(patch!.path).toMatch(/\/V1\.0\/Tickets$/i);
    expect(ticketPatches()).toHaveLength(1);
    expect(Object.keys(patch!.body as object).sort()).toEqual(['id', 'status']);
  });
});
