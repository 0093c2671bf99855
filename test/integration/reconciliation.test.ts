import { externalIdPrefix } from '../../src/mapping/external-id';
import { startRuntime } from '../../src/runtime';
import { createLogger } from '../../src/logger';
import { waitFor } from '../harness/context';
import { startStack, type Stack } from '../support/stack';

/** Reconciliation finds what webhooks missed, on both sides, from watermarks kept in MongoDB. */
describe('reconciliation', () => {
  let stack: Stack;

  beforeEach(async () => {
    stack = await startStack('reconciliation');
    await stack.putConnector('c1');
  });

  afterEach(async () => {
    await stack.close();
  });

  const runReconcile = async () => {
    const response = await stack.admin('POST', '/api/v1/connectors/c1/reconcile');
    expect(response.status).toBe(202);
    const job = await waitFor(async () => {
      const found = await stack.connectorQueue().getJob(response.body.jobId);
      // One read: finishedOn and returnvalue come from the same snapshot of the job.
      return found?.finishedOn ? found : null;
    }, { timeoutMs: 15_000, message: 'the reconciliation run to finish' });
    return job.returnvalue as { autotaskCalls: number; rmmCalls: number; autotaskChanges: number; rmmChanges: number; truncated: string[] };
  };

  const raiseInPcsm = async (title = 'Disk C: 95% full') => {
    const pcsmTicket = await stack.pcsm.createTicket({ profileId: 'P-1', title, status: 'New', severity: 4 });
    const link = await waitFor(async () => {
      const body = (await stack.admin('GET', `/api/v1/connectors/c1/tickets/${pcsmTicket.id}`)).body;
      return body.state === 'synced' ? body : null;
    }, { timeoutMs: 10_000 });
    return { pcsmTicket, autotaskTicketId: link.autotaskTicketId as number };
  };

  it('repairs a dropped Autotask webhook: the completed ticket resolves the PCSM ticket', async () => {
    const { pcsmTicket, autotaskTicketId } = await raiseInPcsm();
    await runReconcile();
    // A technician completes the ticket; Autotask's webhook never arrives.
    stack.sim.changeTicket(autotaskTicketId, { status: 5 });
    const report = await runReconcile();
    expect(report).toMatchObject({ autotaskChanges: 1, autotaskCalls: 1 });
    await waitFor(() => stack.pcsm.tickets().find((t) => t.id === pcsmTicket.id)?.status === 'Resolved', {
      timeoutMs: 10_000,
      message: 'the PCSM ticket to be resolved by the reconciliation',
    });
  });

  it('repairs a dropped PCSM webhook: the change reaches Autotask', async () => {
    const { pcsmTicket } = await raiseInPcsm();
    await runReconcile();
    stack.pcsm.faults.dropNextWebhooks(1);
    await stack.pcsm.updateTicket(pcsmTicket.id, { title: 'Disk C: 99% full' });
    const report = await runReconcile();
    expect(report.rmmChanges).toBeGreaterThanOrEqual(1);
    await waitFor(() => stack.sim.tickets()[0]?.title === 'Disk C: 99% full', { timeoutMs: 10_000 });
  });

  it('keeps its watermarks in MongoDB, so a fresh process sends nothing already seen', async () => {
    await raiseInPcsm();
    const first = await runReconcile();
    expect(first.autotaskChanges + first.rmmChanges).toBeGreaterThan(0);
    const marks = await stack.runtime.store.watermarks.model.find({ connectorId: 'c1' }).lean();
    expect(marks.map((m) => m.source).sort()).toEqual(['autotask', 'rmm']);

    // A second worker process, as after a restart, shares nothing with the first but MongoDB.
    const restarted = await startRuntime(stack.runtime.config, { api: false, worker: true, logger: createLogger({ level: 'error', service: 'test' }) });
    try {
      await stack.runtime.workers!.close();
      const response = await stack.admin('POST', '/api/v1/connectors/c1/reconcile');
      const job = await waitFor(async () => {
        const found = await stack.connectorQueue().getJob(response.body.jobId);
        // One read: finishedOn and returnvalue come from the same snapshot of the job.
        return found?.finishedOn ? found : null;
      }, { timeoutMs: 15_000 });
      expect(job.returnvalue).toMatchObject({ autotaskChanges: 0, rmmChanges: 0, autotaskCalls: 1, rmmCalls: 1 });
    } finally {
      await restarted.close();
    }
  });

  it('spends one Autotask call on 1,000 linked tickets when nothing changed, and three when all did', async () => {
    const prefix = externalIdPrefix('c1', 'PCSM');
    const start = Date.now() - 3600_000;
    for (let i = 0; i < 1000; i += 1) {
      stack.sim.addTickets([{ companyID: 174, title: `Ticket ${i}`, status: 1, priority: 2, externalID: `${prefix}R-${i}` }], {
        at: new Date(start + i * 1000),
      });
    }
    const all = await runReconcile();
    expect(all).toMatchObject({ autotaskChanges: 1000, autotaskCalls: 3, truncated: [] });
    const quiet = await runReconcile();
    expect(quiet).toMatchObject({ autotaskChanges: 0, autotaskCalls: 1 });
  });
});
