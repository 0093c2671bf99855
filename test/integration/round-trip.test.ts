import { waitFor } from '../harness/context';
import { startStack, type Stack } from '../support/stack';
import { runCli } from '../../src/cli/cli';
import { ADMIN_TOKEN } from '../support/stack';

/**
 * Both directions with both simulators delivering their own webhooks: PCSM monitor → Autotask
 * ticket → technician completes it → Autotask's TicketWebhook → PCSM ticket resolved, and nothing
 * bounces back.
 */
describe('round trip with live webhooks', () => {
  let stack: Stack;

  beforeEach(async () => {
    stack = await startStack('round-trip');
    await stack.putConnector('c1');
  });

  afterEach(async () => {
    await stack.close();
  });

  const register = async () => {
    let out = '';
    const code = await runCli(['--url', stack.url, 'connectors', 'register-webhook', 'c1', '--public-url', stack.url], {
      stdout: (text) => (out += text),
      stderr: (text) => (out += text),
      env: { ADMIN_TOKEN },
    });
    expect(code).toBe(0);
    return out;
  };

  const quiet = async () => {
    await stack.sim.webhooksIdle();
    await stack.pcsm.webhooksIdle();
    await stack.idle('c1', 15_000);
    await stack.sim.webhooksIdle();
    await stack.pcsm.webhooksIdle();
  };

  it('registers the Autotask webhook once, excluding the connector’s API user, and again changes nothing', async () => {
    expect(await register()).toMatch(/^created Autotask webhook \d+ → .*\/webhooks\/autotask\/c1\nfields added: 2, excluded resources added: 1 \(excluded: 29682885\)\n$/);
    expect(await register()).toMatch(/^updated Autotask webhook \d+ .*\nfields added: 0, excluded resources added: 0/);
    expect(stack.sim.ticketWebhooks()).toHaveLength(1);
    expect(stack.sim.ticketWebhooks()[0]).toMatchObject({ isActive: true, isReady: true });
  });

  it('closes the loop: PCSM ticket → Autotask → completed by a technician → PCSM resolved, in bounded writes', async () => {
    await register();
    const pcsmTicket = await stack.pcsm.createTicket({ profileId: 'P-1', title: 'Backup failed on NAS02', status: 'New', severity: 5 });
    await waitFor(() => stack.sim.tickets().length === 1, { timeoutMs: 10_000, message: 'the Autotask ticket' });
    await quiet();
    // PCSM shows the Autotask ticket number, as its own connector did.
    expect(stack.pcsm.tickets().find((t) => t.id === pcsmTicket.id)?.autotask).toEqual({
      ticketId: stack.sim.tickets()[0]!.id,
      ticketNumber: stack.sim.tickets()[0]!.ticketNumber,
    });
    // Our own create was made by the excluded API user: Autotask sent nothing back.
    expect(stack.sim.webhookDeliveries()).toHaveLength(0);

    const autotaskTicket = stack.sim.tickets()[0]!;
    stack.sim.changeTicket(Number(autotaskTicket.id), { status: 5 }); // by the technician
    await waitFor(() => stack.pcsm.tickets().find((t) => t.id === pcsmTicket.id)?.status === 'Resolved', {
      timeoutMs: 10_000,
      message: 'the PCSM ticket to follow the technician',
    });
    await quiet();

    const deliveries = stack.sim.webhookDeliveries();
    expect(deliveries).toHaveLength(1);
    expect(deliveries[0]).toMatchObject({ status: 202, attempt: 1 });
    // Writes, counted: one Autotask create; two PCSM updates (the Autotask ticket number, then the
    // status). PCSM echoes both as ticket.updated, and neither writes anything to Autotask.
    expect(stack.sim.requests.filter((r) => r.write && r.entity?.toLowerCase() === 'tickets')).toHaveLength(1);
    expect(stack.pcsm.requests.filter((r) => r.method === 'PATCH')).toHaveLength(2);
    expect(stack.sim.tickets()[0]).toMatchObject({ status: 5 });

    // A later PCSM change (closed by the monitor) goes to Autotask and, being in sync, writes no status.
    await stack.pcsm.updateTicket(pcsmTicket.id, { status: 'Closed' });
    await quiet();
    expect(stack.sim.requests.filter((r) => r.write && r.entity?.toLowerCase() === 'tickets')).toHaveLength(1);
    expect(stack.pcsm.requests.filter((r) => r.method === 'PATCH')).toHaveLength(2);
  });
});
