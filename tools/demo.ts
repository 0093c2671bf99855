/**
 * `npm run demo`: the whole pipeline on loopback with embedded defaults — Redis and MongoDB as the
 * tests find them, the Autotask simulator, the api and a worker — then a few PCSM events and the
 * Autotask tickets they became. Keeps serving the dashboard until Ctrl-C (`--exit` stops at once).
 */
import { randomBytes } from 'node:crypto';
import { loadConfig } from '../src/config';
import { signPcsmPayload } from '../src/ingress/pcsm-signature';
import { createLogger } from '../src/logger';
import { startRuntime } from '../src/runtime';
import { DEFAULT_CREDENTIALS, startAutotaskSimulator } from '../src/simulators/autotask';
import { databaseUrl, ensureMongo, ensureRedis } from './services';

const CONNECTOR_ID = 'demo';
const PCSM_WEBHOOK_SECRET = 'demo-pcsm-webhook-secret';

async function main(): Promise<void> {
  const exitWhenDone = process.argv.includes('--exit');
  say('Starting Redis and MongoDB (or using the ones that answer)…');
  const redis = await ensureRedis();
  const mongo = await ensureMongo();
  const sim = await startAutotaskSimulator({ port: Number(process.env.AUTOTASK_SIM_PORT ?? 0) });
  say(`Autotask simulator: ${sim.zoneUrl}`);

  const adminToken = process.env.ADMIN_TOKEN ?? randomBytes(18).toString('hex');
  const config = loadConfig({
    PORT: process.env.PORT ?? '3000',
    HOST: '127.0.0.1',
    REDIS_URL: redis.url,
    MONGO_URL: databaseUrl(mongo.url, `pcsm_autotask_sync_demo_${Date.now().toString(36)}`),
    ADMIN_TOKEN: adminToken,
    SECRETS_KEY: randomBytes(32).toString('base64'),
    AUTOTASK_ZONE_LOOKUP_URL: sim.zoneLookupUrl,
    QUEUE_PREFIX: `pcsm-demo-${Date.now().toString(36)}`,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
  });
  const runtime = await startRuntime(config, {
    api: true,
    worker: true,
    logger: createLogger({ level: config.logLevel, service: 'pcsm-autotask-sync-demo' }),
  });
  const url = runtime.url!;
  const admin = { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' };

  say('Linking the demo PCSM account to the simulated Autotask database…');
  const put = await fetch(`${url}/api/v1/connectors/${CONNECTOR_ID}`, {
    method: 'PUT',
    headers: admin,
    body: JSON.stringify({
      name: 'Demo MSP',
      pcsm: { accountId: 'acc-demo', apiUrl: 'http://127.0.0.1:4001', apiKey: 'demo-pcsm-key', webhookSecret: PCSM_WEBHOOK_SECRET },
      autotask: { ...DEFAULT_CREDENTIALS, webhookSecret: 'demo-autotask-webhook-secret' },
      mappings: {
        profiles: [
          { profileId: 'P-1', companyId: 174 },
          { profileId: 'P-2', companyId: 175 },
        ],
        queueId: 29683498,
        statuses: [
          { pcsm: 'New', autotask: 1 },
          { pcsm: 'In Progress', autotask: 8 },
          { pcsm: 'Waiting', autotask: 7 },
          { pcsm: 'Resolved', autotask: 5 },
          { pcsm: 'Closed', autotask: 5 },
        ],
        severities: [
          { pcsm: 1, autotask: 3 },
          { pcsm: 2, autotask: 2 },
          { pcsm: 3, autotask: 1 },
          { pcsm: 4, autotask: 4 },
          { pcsm: 5, autotask: 4 },
        ],
        allocationCodeId: 29682801,
      },
    }),
  });
  if (!put.ok) throw new Error(`could not create the demo connector: ${put.status} ${await put.text()}`);

  const tickets = [
    { id: 'T-1001', profileId: 'P-1', title: 'Disk C: 95% full on SRV01', status: 'New', severity: 4, deviceName: 'SRV01' },
    { id: 'T-1002', profileId: 'P-2', title: 'Backup job failed on NAS02', status: 'New', severity: 5, deviceName: 'NAS02' },
    { id: 'T-1003', profileId: 'P-1', title: 'Antivirus definitions out of date', status: 'New', severity: 2, deviceName: 'WS-17' },
  ];
  let at = Date.now() - 60_000;
  const send = async (type: string, data: Record<string, unknown>) => {
    at += 1000;
    const event = {
      id: `evt_demo_${randomBytes(6).toString('hex')}`,
      type,
      occurredAt: new Date(at).toISOString(),
      data: { description: 'Raised by a PCSM monitor.', deviceId: 'D-1', ...data, updatedAt: new Date(at).toISOString() },
    };
    const raw = JSON.stringify(event);
    const response = await fetch(`${url}/webhooks/pcsm/${CONNECTOR_ID}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-pcsm-signature': signPcsmPayload(PCSM_WEBHOOK_SECRET, raw, Math.floor(Date.now() / 1000)) },
      body: raw,
    });
    say(`  PCSM ${type.padEnd(14)} ${String(data.id).padEnd(7)} → ${response.status}`);
  };

  say('Sending PCSM webhooks…');
  for (const ticket of tickets) await send('ticket.created', ticket);
  await send('ticket.updated', { ...tickets[0], status: 'In Progress' });
  await send('ticket.updated', { ...tickets[1], status: 'Resolved' });

  const linked = await waitUntil(async () => {
    const states = await Promise.all(
      tickets.map(async (t) => {
        const response = await fetch(`${url}/api/v1/connectors/${CONNECTOR_ID}/tickets/${t.id}`, { headers: admin });
        return response.ok ? ((await response.json()) as { state: string }).state : 'none';
      }),
    );
    return states.every((state) => state === 'synced');
  }, 30_000);
  if (!linked) say('Not every ticket synced within 30 s: see the dashboard for failed jobs.');

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
  say(`Autotask requests made: ${sim.requests.length} (writes: ${sim.writeCount('Tickets')})`);
  say(`\nDashboard: ${url}/admin/queues  (user: anything, password: ${adminToken})`);
  say(`Admin API: curl -H "Authorization: Bearer ${adminToken}" ${url}/api/v1/connectors/${CONNECTOR_ID}`);

  const stop = async () => {
    await runtime.close();
    await sim.close();
    await mongo.stop();
    await redis.stop();
    process.exit(linked ? 0 : 1);
  };
  if (exitWhenDone) await stop();
  say('Press Ctrl-C to stop.');
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}

async function waitUntil(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return false;
}

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

void main().catch((error: unknown) => {
  process.stderr.write(`demo failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exit(1);
});
