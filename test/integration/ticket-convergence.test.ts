import { createLogger } from '../../src/logger';
import { startRuntime } from '../../src/runtime';
import { startAutotaskSimulator, type AutotaskSimulator } from '../../src/simulators/autotask';
import { pokeTicket } from '../../src/sync/ticket-intake';
import { retryTickets } from '../../src/sync/ticket-retries';
import { waitFor } from '../harness/context';
import { startStack, ticketEvent, type Stack } from '../support/stack';

/** What operators see of work that is not synced yet, and how the engine gets it there by itself. */
describe('tickets converging', () => {
  let stack: Stack;

  beforeEach(async () => {
    stack = await startStack('convergence', { autotaskTimeoutMs: 1000 });
    await stack.putConnector('c1');
  });

  afterEach(async () => {
    await stack.close();
  });

  const link = async (id: string) => (await stack.admin('GET', `/api/v1/connectors/c1/tickets/${id}`)).body;

  it('lists a ticket held by an Autotask outage as pending, with the reason and the next attempt, and retries it on request', async () => {
    stack.sim.faults.failAllFor(60_000, { status: 500, errors: ['An unexpected error has occurred. Please try again later.'] });
    await stack.sendPcsm('c1', ticketEvent({ id: 'T-OUT' }));
    const pending = await waitFor(async () => {
      const listed = (await stack.admin('GET', '/api/v1/connectors/c1/tickets?state=pending')).body;
      return listed.items.find((item: { lastError: string | null }) => item.lastError) ?? null;
    }, { message: 'the ticket to be listed with its failure' });
    expect(pending).toMatchObject({ pcsmTicketId: 'T-OUT', state: expect.stringMatching(/pending|creating/), lastError: expect.stringContaining('unexpected error'), nextAttemptAt: expect.any(String) });
    expect((await stack.admin('GET', '/api/v1/connectors/c1/tickets?state=failed')).body.items).toEqual([]);

    // Autotask is back; the operator does not wait for the backoff.
    stack.sim.faults.clear();
    expect((await stack.admin('POST', '/api/v1/connectors/c1/tickets/retry')).status).toBe(202);
    await waitFor(async () => (await link('T-OUT')).state === 'synced', { timeoutMs: 15_000, message: 'the ticket to be created after the retry' });
    expect(stack.sim.tickets()).toHaveLength(1);
    expect((await stack.admin('GET', '/api/v1/connectors/c1/tickets?state=pending')).body.items).toEqual([]);
  });

  it('answers 400 for an unknown list state and 404 for an unknown connector', async () => {
    expect((await stack.admin('GET', '/api/v1/connectors/c1/tickets?state=odd')).status).toBe(400);
    expect((await stack.admin('GET', '/api/v1/connectors/nobody/tickets?state=failed')).status).toBe(404);
    expect((await stack.admin('POST', '/api/v1/connectors/c1/tickets/T-none/retry')).status).toBe(404);
  });

  it('gives a ticket whose job was lost its job back (the overdue sweep)', async () => {
    // No worker runs this ticket's job: it is removed by hand, as an operator might in Bull Board.
    await stack.runtime.workers!.close();
    await stack.sendPcsm('c1', ticketEvent({ id: 'T-LOST' }));
    for (const job of await stack.openJobs()) await job.remove();
    expect(await stack.openJobs()).toHaveLength(0);

    const { store, producer, config } = stack.runtime;
    const intake = {
      desiredStates: store.desiredStates,
      record: <T>(step: () => Promise<T>) => step(),
      policy: { settleMs: config.syncSettleMs, maxWaitMs: config.syncMaxWaitMs, minIntervalMs: config.syncMinIntervalMs },
      scheduleTicket: (connectorId: string, ticketId: string, timing: Parameters<typeof producer.enqueue<'ticket-sync'>>[2]) =>
        producer.enqueue('ticket-sync', { connectorId, ticketId }, timing),
    };
    const deps = { ...intake, store, overdueAfterMs: 10 * 60_000, scheduleTicketNumbers: async () => undefined };
    // Not overdue yet: nothing to do.
    expect(await retryTickets(deps, 'c1', 'overdue')).toEqual({ retried: 0 });
    // Eleven minutes later it is.
    expect(await retryTickets(deps, 'c1', 'overdue', new Date(Date.now() + 11 * 60_000))).toEqual({ retried: 1 });
    expect((await stack.openJobs()).map((job) => job.data)).toEqual([{ connectorId: 'c1', ticketId: 'T-LOST' }]);
    // Asking again adds no second job.
    expect(await pokeTicket(intake, 'c1', 'T-LOST', { force: false })).toBe((await stack.openJobs())[0]!.id);
    expect(await stack.openJobs()).toHaveLength(1);
  });

  it('tells every process at once that a connector changed (no stale cached mapping)', async () => {
    const other = await startRuntime(stack.runtime.config, { api: false, worker: true, logger: createLogger({ level: 'error', service: 'test' }) });
    try {
      // Only the other process works now; its cache holds the connector as first saved.
      await stack.runtime.workers!.close();
      await stack.sendPcsm('c1', ticketEvent({ id: 'T-CACHE-1' }));
      await waitFor(async () => (await link('T-CACHE-1')).state === 'synced', { timeoutMs: 10_000 });
      expect(stack.sim.tickets()[0]).toMatchObject({ companyID: 174 });

      const input = stack.input();
      await stack.putConnector('c1', { ...input, mappings: { ...input.mappings, profiles: [{ profileId: 'P-1', companyId: 175 }] } });
      await stack.sendPcsm('c1', ticketEvent({ id: 'T-CACHE-2' }));
      await waitFor(async () => (await link('T-CACHE-2')).state === 'synced', { timeoutMs: 10_000 });
      expect(stack.sim.tickets().find((t) => String(t.externalID).endsWith('T-CACHE-2'))).toMatchObject({ companyID: 175 });
    } finally {
      await other.close();
    }
  });
});

describe('one connector in trouble', () => {
  let stack: Stack;
  let slowDb: AutotaskSimulator;

  beforeAll(async () => {
    stack = await startStack('isolation', { autotaskTimeoutMs: 5000, concurrency: 5 });
    slowDb = await startAutotaskSimulator({ port: 0 });
  });

  afterAll(async () => {
    await stack.close();
    await slowDb.close();
  });

  it('does not delay another connector’s new tickets', async () => {
    const input = stack.input();
    // Connector "slow" has its own Autotask database, answering every call after 3 s.
    await stack.putConnector('slow', { ...input, autotask: { ...input.autotask, zoneUrl: slowDb.zoneUrl } });
    await stack.putConnector('c1');
    slowDb.faults.latencyMs = 3_000;
    await Promise.all(Array.from({ length: 30 }, (_, i) => stack.sendPcsm('slow', ticketEvent({ id: `S-${i}` }))));
    await new Promise((resolve) => setTimeout(resolve, 500));

    const sent = Date.now();
    await stack.sendPcsm('c1', ticketEvent({ id: 'FAST-1' }));
    await waitFor(() => stack.sim.tickets().length === 1, { timeoutMs: 10_000, message: 'the other connector’s ticket' });
    const took = Date.now() - sent;
    // The slow connector still has most of its tickets to go.
    expect(slowDb.tickets().length).toBeLessThan(30);
    expect(took).toBeLessThan(3_000);
  }, 60_000);
});
