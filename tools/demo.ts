/**
 * `npm run demo`: the whole pipeline on loopback with embedded defaults and both simulators. A PCSM
 * monitor raises tickets, they become Autotask tickets; a technician completes one in Autotask and
 * the PCSM ticket follows. Keeps serving the dashboard until Ctrl-C (`--exit` stops at once).
 */
import { startLocalPipeline, waitUntil } from './local-pipeline';

const CONNECTOR_ID = 'demo';

async function main(): Promise<void> {
  const exitWhenDone = process.argv.includes('--exit');
  say('Starting Redis and MongoDB (or using the ones that answer), both simulators, the api and a worker…');
  const pipeline = await startLocalPipeline({ port: Number(process.env.PORT ?? 3000) });
  const { url, sim, pcsm } = pipeline;
  say(`Autotask simulator: ${sim.zoneUrl}\nPCSM simulator:     ${pcsm.url}`);

  say('\nLinking the PCSM account to the Autotask database (connector, PCSM webhook, Autotask TicketWebhook)…');
  await pipeline.createConnector(CONNECTOR_ID);

  say('\n1. PCSM monitors raise tickets; PCSM sends signed webhooks:');
  const raised = [
    await pcsm.createTicket({ profileId: 'P-1', title: 'Disk C: 95% full on SRV01', status: 'New', severity: 4, deviceName: 'SRV01' }),
    await pcsm.createTicket({ profileId: 'P-2', title: 'Backup job failed on NAS02', status: 'New', severity: 5, deviceName: 'NAS02' }),
    await pcsm.createTicket({ profileId: 'P-1', title: 'Antivirus definitions out of date', status: 'New', severity: 2, deviceName: 'WS-17' }),
  ];
  await pcsm.updateTicket(raised[0]!.id, { status: 'In Progress' });
  for (const t of raised) say(`   PCSM ${t.id}  severity ${t.severity}  ${t.title}`);
  const created = await waitUntil(
    async () => (await Promise.all(raised.map((t) => pipeline.linkState(CONNECTOR_ID, t.id)))).every((s) => s === 'synced'),
    30_000,
    200,
  );
  say('\n   Autotask tickets now:');
  showAutotask();

  say('\n2. A technician completes the backup ticket in Autotask; Autotask\'s webhook reports it:');
  const backup = sim.tickets().find((t) => String(t.title).startsWith('Backup'))!;
  sim.changeTicket(Number(backup.id), { status: 5 });
  const resolved = await waitUntil(async () => pcsm.tickets().find((t) => t.id === raised[1]!.id)?.status === 'Resolved', 30_000, 200);
  await sim.webhooksIdle();
  await pcsm.webhooksIdle();
  say('\n   PCSM tickets now:');
  console.table(pcsm.tickets().map((t) => ({ id: t.id, status: t.status, severity: t.severity, title: t.title, autotaskTicket: t.autotask?.ticketNumber ?? null })));

  const writes = sim.requests.filter((r) => r.write && r.entity === 'Tickets').length;
  say(`Autotask calls: ${sim.requests.length} in all, ${writes} ticket writes; PCSM calls: ${pcsm.requests.length}.`);
  say(`\nDashboard:    ${url}/admin/queues  (user: anything, password: ${pipeline.adminToken})`);
  say(`Setup wizard: ${url}/admin/setup?connector=${CONNECTOR_ID}`);
  say(`Admin API:    curl -H "Authorization: Bearer ${pipeline.adminToken}" ${url}/api/v1/connectors/${CONNECTOR_ID}`);

  const ok = created && resolved;
  if (!ok) say('\nSomething did not sync in time: see the dashboard for failed jobs.');
  const stop = async () => {
    await pipeline.stop();
    process.exit(ok ? 0 : 1);
  };
  if (exitWhenDone) await stop();
  say('Press Ctrl-C to stop.');
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());

  function showAutotask(): void {
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
  }
}

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

void main().catch((error: unknown) => {
  process.stderr.write(`demo failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
