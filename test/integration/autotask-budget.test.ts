import { waitFor } from '../harness/context';
import { ADMIN_TOKEN, startStack, ticketEvent, type Stack } from '../support/stack';

/**
 * Autotask's hour almost spent by the MSP's other integrations (9,600 of 10,000): new tickets
 * still go through, everything of lower rank waits for the hour to turn, and nothing is refused.
 */
describe('when the Autotask hour is nearly spent', () => {
  let stack: Stack;

  beforeEach(async () => {
    stack = await startStack('budget', {
      autotaskTimeoutMs: 2000,
      env: { AUTOTASK_BUDGET_RECHECK_SECONDS: '2', AUTOTASK_BUDGET_READING_SECONDS: '1' },
    });
    await stack.putConnector('c1');
    await stack.idle();
  });

  afterEach(async () => {
    await stack.close();
  });

  const calls = (pattern: RegExp) => stack.sim.requests.filter((r) => pattern.test(r.path));

  it('creates new tickets, holds reconciliation and catalogue refreshes after one budget check, refuses nothing, and shows it', async () => {
    stack.sim.faults.setThreshold(10_000, 9_600);
    const before = stack.sim.requests.length;

    await stack.sendPcsm('c1', ticketEvent({ id: 'T-B1' }));
    // Its number too: the batch read of numbers (an update's rank) must not meet the reconciliation's budget reading of 96 %.
    await waitFor(
      async () => {
        const ticket = (await stack.admin('GET', '/api/v1/connectors/c1/tickets/T-B1')).body;
        return ticket.state === 'synced' && ticket.autotaskTicketNumber !== null;
      },
      { message: 'the new ticket and its number' },
    );

    const reconcile = await stack.admin('POST', '/api/v1/connectors/c1/reconcile');
    expect(reconcile.status).toBe(202);
    expect((await stack.admin('POST', '/api/v1/connectors/c1/setup/refresh')).status).toBe(202);
    // Both ran their budget check and went back to wait.
    await waitFor(async () => {
      const delayed = await stack.connectorQueue().getJobs(['delayed']);
      return delayed.filter((job) => (job.name === 'reconcile' || job.name === 'catalogue-refresh') && !job.repeatJobKey).length === 2;
    }, { message: 'reconciliation and the catalogue refresh to wait' });

    const since = stack.sim.requests.slice(before);
    expect(since.filter((r) => /thresholdinformation/i.test(r.path)).length).toBeGreaterThanOrEqual(1);
    // No ticket query of the reconciliation, no picklist read of the catalogue refresh.
    expect(since.filter((r) => /\/tickets\/query$/i.test(r.path) && r.method === 'POST')).toHaveLength(1); // the ticket number
    expect(since.filter((r) => /entityinformation/i.test(r.path))).toHaveLength(0);
    expect(since.filter((r) => r.status === 429)).toHaveLength(0);

    const connector = (await stack.admin('GET', '/api/v1/connectors/c1')).body;
    expect(connector.budget).toMatchObject({ limit: 10_000, readAt: expect.any(String), holding: expect.arrayContaining(['reconciliation', 'catalogue refreshes']) });
    expect(connector.budget.used).toBeGreaterThanOrEqual(9_600);
    expect(connector.budget.holding).not.toContain('new tickets');
    const metrics = await fetch(`${stack.url}/metrics`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } }).then((r) => r.text());
    const ratio = Number(/pcsm_sync_autotask_budget_used_ratio\{database="api@contoso\.example"\} ([0-9.]+)/.exec(metrics)?.[1]);
    expect(ratio).toBeGreaterThanOrEqual(0.96);
    expect(metrics).toMatch(/pcsm_sync_autotask_budget_requests\{database="api@contoso\.example",kind="limit"\} 10000/);

    // The hour turns: the waiting work runs by itself.
    stack.sim.faults.setThreshold(10_000, 500);
    await waitFor(async () => calls(/entityinformation\/fields$/i).length > 0 && calls(/\/tickets\/query$/i).length > 1, {
      timeoutMs: 20_000,
      message: 'the held reconciliation and catalogue refresh to run once the hour turned',
    });
    expect(stack.sim.requests.filter((r) => r.status === 429)).toHaveLength(0);
  });
});
