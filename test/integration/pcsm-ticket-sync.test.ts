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
  const link = async (pcsmTicketId = 'T-1001') => (await stack.admin('GET', `/api/v1/connectors/c1/tickets/${pcsmTicketId}`)).body;
  const jobsIn = async (state: 'failed' | 'completed'): Promise<Job[]> => stack.queues()[0]!.getJobs([state]);

  it('creates one Autotask ticket with the mapped fields for one event', async () => {
    const event = ticketEvent({ id: 'T-1', severity: 5, status: 'New', profileId: 'P-2' });
    const response = await stack.sendPcsm('c1', event);
    expect(response.status).toBe(202);

    const synced = await waitFor(async () => ((await link('T-1')).state === 'synced' ? link('T-1') : null), {
      message: 'the ticket link to become synced',
    });
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
    expect(ticketPosts()).toHaveLength(1);

    // What it cost is visible to operators, per connector and endpoint.
    const metrics = await waitFor(async () => {
      const text = await fetch(`${stack.url}/metrics`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } }).then((r) => r.text());
      return text.includes('pcsm_sync_jobs_total{job="pcsm-ticket-event",outcome="completed"} 1') ? text : null;
    }, { message: 'the finished job to be counted' });
    expect(metrics).toContain('pcsm_sync_autotask_requests_total{connector="c1",entity="Tickets",method="POST",status="200"} 1');
  });

  it('creates one ticket when the same event arrives twice', async () => {
    const event = ticketEvent({ id: 'T-2' });
    expect((await stack.sendPcsm('c1', event)).status).toBe(202);
    await waitFor(async () => (await link('T-2')).state === 'synced', { message: 'first delivery synced' });
    const again = await stack.sendPcsm('c1', event);
    expect(again.status).toBe(202);
    // The re-delivery must finish too: wait until no job is left waiting or active.
    await waitFor(async () => (await stack.queues()[0]!.getJobCounts('waiting', 'active', 'delayed')).waiting === 0);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(stack.sim.tickets()).toHaveLength(1);
    expect(ticketPosts()).toHaveLength(1);
    expect(ticketPatches()).toHaveLength(0);
  });

  it('coalesces a burst of 20 updates into at most 3 writes ending in the newest state', async () => {
    const events = Array.from({ length: 20 }, (_, i) =>
      ticketEvent(
        { id: 'T-3', title: `Disk C: ${80 + i}% full`, status: i < 19 ? 'In Progress' : 'Resolved', severity: i < 10 ? 3 : 5 },
        i === 0 ? 'ticket.created' : 'ticket.updated',
      ),
    );
    const responses = await Promise.all(events.map((event) => stack.sendPcsm('c1', event)));
    expect(responses.map((r) => r.status)).toEqual(Array(20).fill(202));

    const last = events[19]!.data;
    await waitFor(
      async () => {
        const counts = await stack.queues()[0]!.getJobCounts('completed');
        return counts.completed === 20;
      },
      { timeoutMs: 20_000, message: 'all 20 jobs completed' },
    );
    const [ticket] = stack.sim.tickets();
    expect(stack.sim.tickets()).toHaveLength(1);
    expect(ticket).toMatchObject({ title: last.title, status: 5, priority: 4 });
    const writes = ticketPosts().length + ticketPatches().length;
    expect(ticketPosts()).toHaveLength(1);
    expect(writes).toBeLessThanOrEqual(3);
    expect((await link('T-3')).appliedUpdatedAt).toBe(new Date(last.updatedAt).toISOString());
  });

  it('ignores an event older than the state already applied', async () => {
    const newer = ticketEvent({ id: 'T-4', status: 'Resolved', updatedAt: '2026-11-27T13:00:00.000Z' });
    const older = ticketEvent({ id: 'T-4', status: 'New', updatedAt: '2026-11-27T12:00:00.000Z' }, 'ticket.updated');
    await stack.sendPcsm('c1', newer);
    await waitFor(async () => (await link('T-4')).state === 'synced');
    await stack.sendPcsm('c1', older);
    await waitFor(async () => (await stack.queues()[0]!.getJobCounts('completed')).completed === 2);
    expect(stack.sim.tickets()[0]).toMatchObject({ status: 5 });
    expect(ticketPatches()).toHaveLength(0);
    const outcome = await stack.runtime.store.processedEvents.get('c1', older.id);
    expect(outcome?.outcome).toBe('stale');
  });

  it('does not create a duplicate when Autotask commits the create and the answer times out', async () => {
    stack.sim.faults.commitThenTimeout(1, { mode: 'hang' });
    await stack.sendPcsm('c1', ticketEvent({ id: 'T-5' }));
    const synced = await waitFor(async () => ((await link('T-5')).state === 'synced' ? link('T-5') : null), {
      timeoutMs: 20_000,
      message: 'the ticket to be linked after the lost answer',
    });
    expect(stack.sim.tickets()).toHaveLength(1);
    expect(ticketPosts()).toHaveLength(1);
    expect(synced.autotaskTicketId).toBe(stack.sim.tickets()[0]!.id);
    const lookups = stack.sim.requests.filter((r) => r.method === 'POST' && r.path.toLowerCase().endsWith('/tickets/query'));
    expect(lookups.length).toBeGreaterThanOrEqual(1);
  });

  it('waits for Retry-After when Autotask answers 429, then creates the ticket', async () => {
    stack.sim.faults.failNextWrites(1, { status: 429, retryAfterSeconds: 2, errors: ['Rate limit exceeded.'] });
    await stack.sendPcsm('c1', ticketEvent({ id: 'T-6' }));
    await waitFor(async () => (await link('T-6')).state === 'synced', { timeoutMs: 15_000 });
    const posts = ticketPosts();
    expect(posts).toHaveLength(2);
    expect(posts[0]!.status).toBe(429);
    expect(Date.parse(posts[1]!.at) - Date.parse(posts[0]!.at)).toBeGreaterThanOrEqual(1900);
    expect(stack.sim.tickets()).toHaveLength(1);
  });

  it('fails the job with Autotask’s message, once, when Autotask rejects the ticket', async () => {
    // Company 176 exists but is inactive: the simulator refuses it as the real API does.
    await stack.putConnector('c1', {
      ...stack.input(),
      mappings: { ...stack.input().mappings, profiles: [{ profileId: 'P-1', companyId: 176 }] },
    });
    await stack.sendPcsm('c1', ticketEvent({ id: 'T-7' }));
    const [failed] = await waitFor(async () => {
      const jobs = await jobsIn('failed');
      return jobs.length > 0 ? jobs : null;
    });
    expect(failed!.failedReason).toMatch(/companyID/);
    expect(failed!.attemptsMade).toBe(1);
    expect(ticketPosts()).toHaveLength(1);
    const state = await link('T-7');
    expect(state).toMatchObject({ state: 'failed', lastError: expect.stringMatching(/companyID/) });

    // A later event with the same state does not ask Autotask again.
    await stack.sendPcsm('c1', ticketEvent({ id: 'T-7', updatedAt: '2020-01-01T00:00:00Z' }, 'ticket.updated'));
    await waitFor(async () => (await jobsIn('failed')).length + (await jobsIn('completed')).length === 2);
    expect(ticketPosts()).toHaveLength(1);
  });

  it('fails without calling Autotask when an association is missing, naming what to configure', async () => {
    await stack.sendPcsm('c1', ticketEvent({ id: 'T-8', profileId: 'P-unknown' }));
    const [failed] = await waitFor(async () => {
      const jobs = await jobsIn('failed');
      return jobs.length > 0 ? jobs : null;
    });
    expect(failed!.failedReason).toContain('mappings.profiles');
    expect(stack.sim.requests.filter((r) => r.entity?.toLowerCase() === 'tickets')).toHaveLength(0);
  });

  it('updates the linked ticket with one PATCH on the collection URL', async () => {
    await stack.sendPcsm('c1', ticketEvent({ id: 'T-9', status: 'New', updatedAt: '2026-11-27T12:00:00Z' }));
    await waitFor(async () => (await link('T-9')).state === 'synced');
    await stack.sendPcsm('c1', ticketEvent({ id: 'T-9', status: 'Resolved', updatedAt: '2026-11-27T12:05:00Z' }, 'ticket.updated'));
    await waitFor(async () => stack.sim.tickets()[0]?.status === 5);
    const [patch] = ticketPatches();
    expect(patch!.path).toMatch(/\/V1\.0\/Tickets$/i);
    expect(ticketPatches()).toHaveLength(1);
  });
});
