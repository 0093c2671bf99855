/**
 * `npm run demo`: the whole pipeline on loopback with embedded defaults, a few PCSM webhooks, and
 * the Autotask tickets they became. Keeps serving the dashboard until Ctrl-C (`--exit` stops at once).
 */
import { randomBytes } from 'node:crypto';
import { startLocalPipeline, waitUntil } from './local-pipeline';

const CONNECTOR_ID = 'demo';

async function main(): Promise<void> {
  const exitWhenDone = process.argv.includes('--exit');
  say('Starting Redis and MongoDB (or using the ones that answer), the Autotask simulator, the api and a worker…');
  const pipeline = await startLocalPipeline({ port: Number(process.env.PORT ?? 3000) });
  const { url, sim } = pipeline;
  say(`Autotask simulator: ${sim.zoneUrl}`);

  say('Linking the demo PCSM account to the simulated Autotask database…');
  await pipeline.createConnector(CONNECTOR_ID);

  const tickets = [
    { id: 'T-1001', profileId: 'P-1', title: 'Disk C: 95% full on SRV01', status: 'New', severity: 4, deviceName: 'SRV01' },
    { id: 'T-1002', profileId: 'P-2', title: 'Backup job failed on NAS02', status: 'New', severity: 5, deviceName: 'NAS02' },
    { id: 'T-1003', profileId: 'P-1', title: 'Antivirus definitions out of date', status: 'New', severity: 2, deviceName: 'WS-17' },
  ];
  let at = Date.now() - 60_000;
  const send = async (type: string, data: Record<string, unknown>) => {
    at += 1000;
    const updatedAt = new Date(at).toISOString();
    const status = await pipeline.sendPcsm(CONNECTOR_ID, {
      id: `evt_demo_${randomBytes(6).toString('hex')}`,
      type,
      occurredAt: updatedAt,
      data: { description: 'Raised by a PCSM monitor.', deviceId: 'D-1', ...data, updatedAt },
    });
    say(`  PCSM ${type.padEnd(14)} ${String(data.id).padEnd(7)} ${String(data.status).padEnd(12)} → HTTP ${status}`);
  };

  say('Sending signed PCSM webhooks…');
  for (const ticket of tickets) await send('ticket.created', ticket);
  await send('ticket.updated', { ...tickets[0], status: 'In Progress' });
  await send('ticket.updated', { ...tickets[1], status: 'Resolved' });

  const synced = await waitUntil(
    async () => (await Promise.all(tickets.map((t) => pipeline.linkState(CONNECTOR_ID, t.id)))).every((s) => s === 'synced'),
    30_000,
    200,
  );
  if (!synced) say('Not every ticket synced within 30 s: see the dashboard for failed jobs.');

  say('\nAutotask tickets now in the simulator:');
  console.table(
    sim.tickets().map((t) => ({
      id: t.id,
      ticketNumber: t.ticketNumber,
      companyID: t.companyID,
      title: t.title,
      status: t.status,
      priority: t.priority,
      queueID: t.queueID,
      billingCodeID: t.billingCodeID,
      externalID: t.externalID,
    })),
  );
  say(`Autotask calls: ${sim.requests.length} in all, ${sim.writeCount('Tickets')} ticket writes.`);
  say(`\nDashboard: ${url}/admin/queues  (user: anything, password: ${pipeline.adminToken})`);
  say(`Admin API: curl -H "Authorization: Bearer ${pipeline.adminToken}" ${url}/api/v1/connectors/${CONNECTOR_ID}/tickets/T-1001`);

  const stop = async () => {
    await pipeline.stop();
    process.exit(synced ? 0 : 1);
  };
  if (exitWhenDone) await stop();
  say('Press Ctrl-C to stop.');
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

void main().catch((error: unknown) => {
  process.stderr.write(`demo failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
