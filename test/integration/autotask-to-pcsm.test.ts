import { signAutotaskPayload } from '../../src/ingress/autotask-signature';
import { waitFor } from '../harness/context';
import { AUTOTASK_WEBHOOK_SECRET, startStack, type Stack } from '../support/stack';

/**
 * Autotask → PCSM: a technician completes the ticket in Autotask, Autotask says so by webhook or
 * callout, and the PCSM ticket follows — once, without echoes.
 */
describe('Autotask → PCSM round trip', () => {
  let stack: Stack;

  beforeEach(async () => {
    stack = await startStack('autotask-to-pcsm');
    await stack.putConnector('c1');
  });

  afterEach(async () => {
    await stack.close();
  });

  /** A PCSM monitor raises a ticket; PCSM's own webhook brings it to Autotask. */
  const raiseInPcsm = async () => {
    const pcsmTicket = await stack.pcsm.createTicket({ profileId: 'P-1', title: 'Disk C: 95% full', status: 'New', severity: 4 });
    const link = await waitFor(async () => {
      const response = await stack.admin('GET', `/api/v1/connectors/c1/tickets/${pcsmTicket.id}`);
      return response.body.state === 'synced' ? response.body : null;
    }, { timeoutMs: 10_000, message: 'the PCSM ticket to reach Autotask' });
    // The connector then shows the Autotask ticket on the PCSM ticket (one PATCH); count from here.
    await waitFor(() => stack.pcsm.tickets().find((t) => t.id === pcsmTicket.id)?.autotask, { timeoutMs: 10_000 });
    await stack.pcsm.webhooksIdle();
    patchesBefore = stack.pcsm.requests.filter((r) => r.method === 'PATCH').length;
    return { pcsmTicket, autotaskTicketId: link.autotaskTicketId as number };
  };
  let patchesBefore = 0;

  const webhookBody = (id: number, status: number, sequence = 1) =>
    JSON.stringify({
      Action: 'Update',
      Guid: 'd0046a73-76a0-41c4-a634-4b7fce7e43ec',
      EntityType: 'Ticket',
      Id: id,
      Fields: { Status: String(status) },
      EventTime: new Date().toISOString(),
      SequenceNumber: sequence,
      PersonID: 29682886,
    });

  /** Jobs in any state, so a job a worker already finished still counts. */
  const autotaskJobs = async () =>
    (await stack.connectorQueue().getJobs(['waiting', 'active', 'delayed', 'prioritized', 'completed', 'failed'])).filter(
      (job) => job?.name === 'autotask-ticket-changed',
    ).length;
  /** PCSM updates made after the ticket was raised and linked. */
  const pcsmWrites = () => stack.pcsm.requests.filter((r) => r.method === 'PATCH').slice(patchesBefore);
  const autotaskTicketWrites = () => stack.sim.requests.filter((r) => r.write && r.entity?.toLowerCase() === 'tickets');
  const settled = async () => {
    await stack.idle();
    await stack.pcsm.webhooksIdle();
    await stack.idle();
  };

  it('resolves the PCSM ticket when the Autotask ticket is completed (webhook), in one write each way', async () => {
    const { pcsmTicket, autotaskTicketId } = await raiseInPcsm();
    stack.sim.changeTicket(autotaskTicketId, { status: 5 });
    const response = await stack.sendAutotaskWebhook('c1', webhookBody(autotaskTicketId, 5));
    expect(response.status).toBe(202);

    await waitFor(() => stack.pcsm.tickets().find((t) => t.id === pcsmTicket.id)?.status === 'Resolved', {
      timeoutMs: 10_000,
      message: 'the PCSM ticket to be resolved',
    });
    await settled();
    expect(stack.pcsm.tickets().find((t) => t.id === pcsmTicket.id)).toMatchObject({
      status: 'Resolved',
      autotask: { ticketId: autotaskTicketId, ticketNumber: expect.stringMatching(/^T\d{8}\.\d{4}$/) },
    });
    // PCSM's echo of our PATCH (ticket.updated) comes back, and changes nothing in Autotask.
    expect(autotaskTicketWrites()).toHaveLength(1);
    expect(pcsmWrites()).toHaveLength(1);
    expect(stack.sim.tickets()[0]).toMatchObject({ status: 5 });
  });

  it('does the same through an Extension Callout (GET, ticket id in the query string)', async () => {
    const { pcsmTicket, autotaskTicketId } = await raiseInPcsm();
    stack.sim.changeTicket(autotaskTicketId, { status: 5 });
    expect((await stack.sendCallout('c1', { query: `TicketID=${autotaskTicketId}` })).status).toBe(202);
    await waitFor(() => stack.pcsm.tickets().find((t) => t.id === pcsmTicket.id)?.status === 'Resolved', { timeoutMs: 10_000 });
  });

  it('accepts a POSTed callout form with the id under any casing, and refuses wrong credentials', async () => {
    const { pcsmTicket, autotaskTicketId } = await raiseInPcsm();
    stack.sim.changeTicket(autotaskTicketId, { status: 8 });
    const before = await autotaskJobs();
    const refused = await stack.sendCallout('c1', { method: 'POST', form: `ticketid=${autotaskTicketId}`, credentials: { username: 'callout-user', password: 'nope' } });
    expect(refused.status).toBe(401);
    expect(await autotaskJobs()).toBe(before);
    expect((await stack.sendCallout('c1', { method: 'POST', form: `ticketid=${autotaskTicketId}` })).status).toBe(202);
    await waitFor(() => stack.pcsm.tickets().find((t) => t.id === pcsmTicket.id)?.status === 'In Progress', { timeoutMs: 10_000 });
  });

  it('keeps a status a technician chose when it maps back to the PCSM status (no bounce)', async () => {
    const { pcsmTicket, autotaskTicketId } = await raiseInPcsm();
    // Waiting Vendor (13) is no forward association, but the operator maps it back to "Waiting".
    await stack.putConnector('c1', stack.input({ mappings: { ...stack.input().mappings, reverseStatuses: [{ autotask: 13, rmm: 'Waiting' }] } }));
    stack.sim.changeTicket(autotaskTicketId, { status: 13 });
    await stack.sendAutotaskWebhook('c1', webhookBody(autotaskTicketId, 13));
    await waitFor(() => stack.pcsm.tickets().find((t) => t.id === pcsmTicket.id)?.status === 'Waiting', { timeoutMs: 10_000 });
    await settled();
    expect(stack.sim.tickets()[0]).toMatchObject({ status: 13 });
    expect(autotaskTicketWrites()).toHaveLength(1);
  });

  it('changes nothing in PCSM for an Autotask status no association reaches', async () => {
    const { pcsmTicket, autotaskTicketId } = await raiseInPcsm();
    stack.sim.changeTicket(autotaskTicketId, { status: 13 });
    await stack.sendAutotaskWebhook('c1', webhookBody(autotaskTicketId, 13));
    const [done] = await waitFor(async () => {
      const jobs = (await stack.connectorQueue().getJobs(['completed'])).filter((job) => job.name === 'autotask-ticket-changed');
      return jobs.length > 0 ? jobs : null;
    });
    expect(done!.returnvalue).toMatchObject({ outcome: 'unmapped-status', detail: expect.stringContaining('13') });
    expect(pcsmWrites()).toHaveLength(0);
    expect(stack.pcsm.tickets().find((t) => t.id === pcsmTicket.id)?.status).toBe('New');
  });

  it('coalesces a burst of deliveries for one ticket into at most two runs', async () => {
    const { autotaskTicketId } = await raiseInPcsm();
    stack.sim.changeTicket(autotaskTicketId, { status: 8 });
    const reads = () => stack.sim.requests.filter((r) => r.method === 'GET' && new RegExp(`/tickets/${autotaskTicketId}$`, 'i').test(r.path)).length;
    const readsBefore = reads();
    await Promise.all(Array.from({ length: 10 }, (_, i) => stack.sendAutotaskWebhook('c1', webhookBody(autotaskTicketId, 8, i + 2))));
    await settled();
    expect(reads() - readsBefore).toBeLessThanOrEqual(2);
    expect(pcsmWrites()).toHaveLength(1);
  });

  describe('webhook authenticity', () => {
    it.each([
      ['a forged signature', (raw: string) => stack.sendAutotaskWebhook('c1', raw, { secret: 'not-the-secret' })],
      ['a tampered body', (raw: string) =>
        stack.sendAutotaskWebhook('c1', raw.replace('"5"', '"1"'), { signature: signAutotaskPayload(AUTOTASK_WEBHOOK_SECRET, raw) })],
      ['no signature', (raw: string) => stack.sendAutotaskWebhook('c1', raw, { signature: null })],
      ['a hex signature (the wrong encoding)', (raw: string) => stack.sendAutotaskWebhook('c1', raw, { signature: `sha1=${'ab'.repeat(20)}` })],
    ])('refuses %s with 401 and enqueues nothing', async (_case, send) => {
      expect((await send(webhookBody(30001, 5))).status).toBe(401);
      expect(await autotaskJobs()).toBe(0);
    });

    it('verifies a body with .NET-style escapes and non-ASCII text over its raw bytes', async () => {
      // As Autotask sends it: é, ü and "&" escaped as \\uXXXX inside the JSON string.
      const raw =
        '{"Action":"Update","Guid":"g","EntityType":"Ticket","Id":30001,"Fields":{"Title":"Caf\\u00E9 \\u0026 M\\u00FCller \\u003Cserver\\u003E","Status":"5"},"EventTime":"2026-11-29T10:00:00Z","SequenceNumber":7,"PersonID":29682886}';
      const response = await stack.sendAutotaskWebhook('c1', raw);
      expect(response.status).toBe(202);
      // Re-serialising the parsed body would break the signature: prove the raw bytes were used.
      const reserialised = JSON.stringify(JSON.parse(raw));
      expect((await stack.sendAutotaskWebhook('c1', reserialised, { signature: signAutotaskPayload(AUTOTASK_WEBHOOK_SECRET, raw) })).status).toBe(401);
    });

    it('does not trust an unsigned "Deactivated" notice', async () => {
      const raw = JSON.stringify({ Action: 'Deactivated', Guid: 'g' });
      expect((await stack.sendAutotaskWebhook('c1', raw, { signature: null })).status).toBe(401);
      expect((await stack.sendAutotaskWebhook('c1', raw)).status).toBe(202);
      expect(await autotaskJobs()).toBe(0);
    });

    it('reads keys case-insensitively and ignores entities other than tickets', async () => {
      const lower = JSON.stringify({ action: 'Update', entityType: 'Ticket', id: 30001, sequenceNumber: 1 });
      expect((await stack.sendAutotaskWebhook('c1', lower)).status).toBe(202);
      expect(await autotaskJobs()).toBe(1);
      const company = JSON.stringify({ Action: 'Update', EntityType: 'Account', Id: 174 });
      expect((await stack.sendAutotaskWebhook('c1', company)).body).toMatchObject({ ignored: 'Account Update' });
    });
  });
});
