import { Writable } from 'node:stream';
import { createLogger } from '../../src/logger';
import { waitFor } from '../harness/context';
import { PCSM_WEBHOOK_SECRET, startStack, ticketEvent, type Stack } from '../support/stack';

/** Failures between our bookkeeping and Autotask, and what operators see of them. */
describe('ticket sync when things go wrong', () => {
  let stack: Stack;
  let lines: string[];

  beforeEach(async () => {
    lines = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const logger = createLogger({ level: 'debug', service: 'test', stream: sink });
    stack = await startStack('ticket-sync-failures', { autotaskTimeoutMs: 1000, logger });
  });

  afterEach(async () => {
    await stack.close();
  });

  const link = async (id: string) => (await stack.admin('GET', `/api/v1/connectors/c1/tickets/${id}`)).body;
  const ticketPosts = () => stack.sim.requests.filter((r) => r.method === 'POST' && /\/v1\.0\/tickets$/i.test(r.path));

  it('does not create a second ticket when the worker fails after Autotask committed the create', async () => {
    await stack.putConnector('c1');
    const links = stack.runtime.store.ticketLinks;
    const original = links.recordCreated.bind(links);
    let crashes = 0;
    links.recordCreated = async (...args) => {
      if (crashes === 0) {
        crashes += 1;
        throw new Error('simulated crash before the link was stored');
      }
      return original(...args);
    };
    await stack.sendPcsm('c1', ticketEvent({ id: 'T-20' }));
    const synced = await waitFor(async () => ((await link('T-20')).state === 'synced' ? link('T-20') : null), {
      timeoutMs: 15_000,
      message: 'the retry to link the ticket Autotask already has',
    });
    expect(crashes).toBe(1);
    expect(stack.sim.tickets()).toHaveLength(1);
    expect(ticketPosts()).toHaveLength(1);
    expect(synced.autotaskTicketId).toBe(stack.sim.tickets()[0]!.id);
  });

  it('suspends the connector when Autotask refuses the credentials: its work waits, then resumes once they are fixed, without leaking them', async () => {
    const input = stack.input();
    await stack.putConnector('c1', { ...input, autotask: { ...input.autotask, secret: 'wrong-secret-value' } });
    const event = ticketEvent({ id: 'T-21' });
    await stack.sendPcsm('c1', event);
    const connector = await waitFor(async () => {
      const body = (await stack.admin('GET', '/api/v1/connectors/c1')).body;
      return body.status === 'needs-attention' ? body : null;
    }, { message: 'the connector to need attention' });
    expect(connector.problems).toEqual([expect.objectContaining({ mapping: 'autotask', reason: expect.stringMatching(/refused the credentials/) })]);
    expect(JSON.stringify(connector)).not.toContain('wrong-secret-value');
    // The job waits in the paused queue: nothing failed.
    expect(await stack.connectorQueue().isPaused()).toBe(true);
    expect(await stack.connectorQueue().getJobs(['failed'])).toHaveLength(0);
    expect((await link('T-21')).state).toBe('pending');

    const all = lines.join('\n');
    for (const secret of ['wrong-secret-value', input.autotask.integrationCode, PCSM_WEBHOOK_SECRET, input.rmm.apiKey]) {
      expect(all).not.toContain(secret);
    }
    const refusal = lines.map((line) => JSON.parse(line)).find((entry) => entry.message === 'credentials refused: the connector needs attention and its work waits');
    expect(refusal).toMatchObject({ connectorId: 'c1', ticketId: 'T-21', system: 'autotask' });

    // The operator saves the right secret: the connector is checked at once and its work runs.
    await stack.putConnector('c1', input);
    await waitFor(async () => (await link('T-21')).state === 'synced', { timeoutMs: 15_000, message: 'the waiting ticket to sync' });
    expect((await stack.admin('GET', '/api/v1/connectors/c1')).body.status).toBe('ok');
    expect(await stack.connectorQueue().isPaused()).toBe(false);
    expect(stack.sim.tickets()).toHaveLength(1);
  });

  it('discovers the Autotask zone once per connector and sends ImpersonationResourceId on writes', async () => {
    const input = stack.input();
    await stack.putConnector('c1', { ...input, autotask: { ...input.autotask, impersonationResourceId: 29682885 } });
    for (const id of ['T-22', 'T-23', 'T-24']) await stack.sendPcsm('c1', ticketEvent({ id }));
    await waitFor(async () => (await Promise.all(['T-22', 'T-23', 'T-24'].map(link))).every((l) => l.state === 'synced'), {
      timeoutMs: 10_000,
    });
    const zoneLookups = stack.sim.requests.filter((r) => /zoneinformation/i.test(r.path));
    expect(zoneLookups).toHaveLength(1);
    expect(ticketPosts()).toHaveLength(3);
    expect(ticketPosts().every((r) => String(r.impersonationResourceId) === '29682885')).toBe(true);
  });

  it('records PCSM profiles from profile events, newest state winning', async () => {
    await stack.putConnector('c1');
    const profile = (name: string, updatedAt: string, id: string) => ({
      id,
      type: 'profile.updated',
      occurredAt: updatedAt,
      data: { id: 'P-7', name, description: null, updatedAt },
    });
    await stack.sendPcsm('c1', profile('Wide World Importers', '2026-11-27T12:00:00Z', 'evt_p1'));
    await stack.sendPcsm('c1', profile('Old Name', '2026-11-27T11:00:00Z', 'evt_p0'));
    await waitFor(async () => (await stack.connectorQueue().getJobs(['completed'])).filter((job) => job.name === 'rmm-site-event').length === 2);
    const [recorded] = await stack.runtime.store.rmmSites.list('c1');
    expect(recorded).toMatchObject({ siteId: 'P-7', name: 'Wide World Importers' });
    expect((await stack.runtime.store.processedEvents.get('c1', 'evt_p0'))?.outcome).toBe('stale');
  });
});
