/**
 * `npm run demo`: the whole pipeline on loopback with embedded defaults and the simulators, once
 * per RMM. A PCSM monitor raises tickets, they become Autotask tickets; a technician completes one
 * in Autotask and the PCSM ticket follows. Then the same with Datto RMM: its alerts become Autotask
 * tickets, and completing one in Autotask resolves the alert. Keeps serving the dashboard until
 * Ctrl-C (`--exit` stops at once, exit code 0 when everything synced).
 */
import { rmmAdapter } from '../src/rmm/registry';
import type { RmmKind } from '../src/rmm/types';
import { SEED_DEVICE_UIDS, SEED_SITE_UIDS } from '../src/simulators/datto-rmm';
import { startLocalPipeline, waitUntil, type LocalPipeline } from './local-pipeline';

const CONNECTOR_ID = 'demo';
const DATTO_CONNECTOR_ID = 'demo-datto';
const SYNC_TIMEOUT_MS = 30_000;

async function main(): Promise<void> {
  const exitWhenDone = process.argv.includes('--exit');
  say('Starting Redis and MongoDB (or using the ones that answer), the simulators, the api and a worker…');
  const pipeline = await startLocalPipeline({ port: Number(process.env.PORT ?? 3000) });
  const { url, sim, pcsm } = pipeline;
  say(`Autotask simulator:  ${sim.zoneUrl}\nPCSM simulator:      ${pcsm.url}\nDatto RMM simulator: ${pipeline.datto.url}`);

  say('\n== PCSM ==');

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
    SYNC_TIMEOUT_MS,
    200,
  );
  say('\n   Autotask tickets now:');
  showAutotaskTickets(ticketsOf(pipeline, 'pcsm'));

  say('\n2. A technician completes the backup ticket in Autotask; Autotask\'s webhook reports it:');
  const backup = sim.tickets().find((t) => String(t.title).startsWith('Backup'))!;
  sim.changeTicket(Number(backup.id), { status: 5 });
  const resolved = await waitUntil(async () => pcsm.tickets().find((t) => t.id === raised[1]!.id)?.status === 'Resolved', SYNC_TIMEOUT_MS, 200);
  await sim.webhooksIdle();
  await pcsm.webhooksIdle();
  const pcsmSettled = await pipeline.settled(CONNECTOR_ID, SYNC_TIMEOUT_MS);
  say('\n   PCSM tickets now:');
  console.table(pcsm.tickets().map((t) => ({ id: t.id, status: t.status, severity: t.severity, title: t.title, autotaskTicket: t.autotask?.ticketNumber ?? null })));

  const writes = sim.requests.filter((r) => r.write && r.entity === 'Tickets').length;
  say(`Autotask calls: ${sim.requests.length} in all, ${writes} ticket writes; PCSM calls: ${pcsm.requests.length}.`);
  const pcsmOk = created && resolved && pcsmSettled;
  say(pcsmOk ? 'PCSM: everything synced.' : 'PCSM: something did not sync in time.');

  say('\n== Datto RMM ==');
  const dattoOk = await dattoRmmPart(pipeline);
  say(dattoOk ? 'Datto RMM: everything synced.' : 'Datto RMM: something did not sync in time.');

  say(`\nDashboard:    ${url}/admin/queues  (user: anything, password: ${pipeline.adminToken})`);
  say(`Setup wizard: ${url}/admin/setup?connector=${CONNECTOR_ID}  ·  ${url}/admin/setup?connector=${DATTO_CONNECTOR_ID}`);
  say(`Admin API:    curl -H "Authorization: Bearer ${pipeline.adminToken}" ${url}/api/v1/connectors`);

  const ok = pcsmOk && dattoOk;
  if (!ok) say('\nSomething did not sync in time: see the dashboard for failed jobs.');
  const stop = async () => {
    await pipeline.stop();
    process.exit(ok ? 0 : 1);
  };
  if (exitWhenDone) await stop();
  say('Press Ctrl-C to stop.');
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());

}

/**
 * Datto RMM alerts become Autotask tickets; a technician completes one in Autotask and the alert is
 * resolved in Datto RMM. Resolves to whether everything synced in time.
 */
async function dattoRmmPart(pipeline: LocalPipeline): Promise<boolean> {
  const { sim, datto } = pipeline;
  const before = { requests: datto.requests.length, tokens: datto.tokenGrants, autotask: sim.requests.length };
  say(`Linking the Datto RMM account to the same Autotask database (connector ${DATTO_CONNECTOR_ID}, Datto RMM webhook with X-Webhook-Secret, Autotask TicketWebhook)…`);
  await pipeline.createDattoConnector(DATTO_CONNECTOR_ID);

  say('\n1. Datto RMM monitors raise alerts; Datto RMM sends its webhooks:');
  const raised = [
    datto.raiseAlert({
      siteUid: SEED_SITE_UIDS.fabrikam,
      deviceUid: SEED_DEVICE_UIDS.fabrikamServer,
      priority: 'High',
      context: { '@class': 'perf_disk_usage_ctx', diskName: 'C:', freeSpace: 4, totalVolume: 100, unitOfMeasure: 'PERCENT' },
      diagnostics: 'C: has 4% free space left.',
    }),
    datto.raiseAlert({
      siteUid: SEED_SITE_UIDS.northwind,
      deviceUid: SEED_DEVICE_UIDS.northwindServer,
      priority: 'Critical',
      context: { '@class': 'srvc_status_ctx', serviceName: 'Veeam Backup Service', status: 'STOPPED' },
    }),
    datto.raiseAlert({
      siteUid: SEED_SITE_UIDS.fabrikamBranch,
      deviceUid: SEED_DEVICE_UIDS.fabrikamBranchWorkstation,
      priority: 'Moderate',
      context: { '@class': 'antivirus_ctx', productName: 'Windows Defender', status: 'NOT_UP_TO_DATE' },
    }),
  ];
  for (const a of raised) say(`   alert ${a.alertUid}  ${a.priority.padEnd(8)}  ${a.alertSourceInfo.siteName} / ${a.alertSourceInfo.deviceName}`);
  const created = await waitUntil(
    async () => (await Promise.all(raised.map((a) => pipeline.linkState(DATTO_CONNECTOR_ID, a.alertUid)))).every((s) => s === 'synced'),
    SYNC_TIMEOUT_MS,
    200,
  );
  say('\n   Autotask tickets from Datto RMM alerts now:');
  showAutotaskTickets(ticketsOf(pipeline, 'datto-rmm'));

  say('\n2. A technician completes the backup service ticket in Autotask; Autotask\'s webhook reports it:');
  const backup = raised[1]!;
  const ticketId = await autotaskTicketOf(pipeline, backup.alertUid);
  if (ticketId !== null) sim.changeTicket(ticketId, { status: 5 });
  const resolved = ticketId !== null && (await waitUntil(async () => datto.alert(backup.alertUid)?.resolved === true, SYNC_TIMEOUT_MS, 200));
  await sim.webhooksIdle();
  // The alert's own "resolved" webhook comes back to the connector: it finds the ticket already complete.
  await datto.webhooksIdle();
  const settled = await pipeline.settled(DATTO_CONNECTOR_ID, SYNC_TIMEOUT_MS);
  say('\n   Datto RMM alerts now:');
  console.table(
    await Promise.all(
      raised.map(async ({ alertUid }) => {
        const a = datto.alert(alertUid)!;
        return {
          alertUid,
          priority: a.priority,
          site: a.alertSourceInfo.siteName,
          device: a.alertSourceInfo.deviceName,
          resolved: a.resolved,
          resolvedBy: a.resolvedBy,
          resolvedOn: a.resolvedOn === null ? null : new Date(a.resolvedOn).toISOString(),
          autotaskTicket: await autotaskTicketOf(pipeline, alertUid),
        };
      }),
    ),
  );

  const calls = datto.requests.slice(before.requests);
  const count = (test: (r: (typeof calls)[number]) => boolean) => calls.filter(test).length;
  const ticketWrites = sim.requests.slice(before.autotask).filter((r) => r.write && r.entity === 'Tickets').length;
  say(
    `Datto RMM calls: ${calls.length} in all — ${datto.tokenGrants - before.tokens} token grants, ` +
      `${count((r) => r.method === 'GET' && r.path.startsWith('/api/v2/alert/'))} alert reads, ` +
      `${count((r) => r.method === 'GET' && r.path === '/api/v2/account/alerts/open')} open-alert list pages, ` +
      `${count((r) => r.method === 'GET' && r.path.startsWith('/api/v2/account/sites'))} site list pages, ` +
      `${count((r) => r.method === 'POST' && r.path.endsWith('/resolve'))} resolves; ` +
      `webhooks sent: ${datto.webhookDeliveries().length}; Autotask ticket writes for Datto RMM: ${ticketWrites}.`,
  );
  return created && resolved && settled;
}

/** The Autotask ticket the connector linked to an RMM ticket or alert, or null. */
async function autotaskTicketOf(pipeline: LocalPipeline, rmmTicketId: string): Promise<number | null> {
  const response = await fetch(`${pipeline.url}/api/v1/connectors/${DATTO_CONNECTOR_ID}/tickets/${encodeURIComponent(rmmTicketId)}`, { headers: pipeline.adminHeaders });
  return response.ok ? (((await response.json()) as { autotaskTicketId: number | null }).autotaskTicketId ?? null) : null;
}

function showAutotaskTickets(tickets: ReturnType<LocalPipeline['sim']['tickets']>): void {
  console.table(
    tickets.map((t) => ({
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

/** Autotask tickets of one RMM, told apart by the tag that starts their externalID. */
function ticketsOf(pipeline: LocalPipeline, kind: RmmKind): ReturnType<LocalPipeline['sim']['tickets']> {
  const tag = `${rmmAdapter(kind).externalIdTag}-`;
  return pipeline.sim.tickets().filter((t) => String(t.externalID ?? '').startsWith(tag));
}

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

void main().catch((error: unknown) => {
  process.stderr.write(`demo failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
