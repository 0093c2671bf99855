/**
 * `npm run bench:storm`: an alert storm on a few PCSM tickets while another connector keeps
 * raising new ones. The api and a worker run as their own processes against a Redis with AOF
 * (appendfsync always) and MongoDB; each connector has its own Autotask database (simulator).
 * Prints Autotask writes per storm ticket, how long after the storm every ticket shows its last
 * state, the ingress's answer times, and how long the bystander's new tickets took to appear in
 * Autotask. Numbers, not asserts.
 *
 *   BENCH_STORM_EVENTS=100000 BENCH_STORM_TICKETS=50 BENCH_STORM_RATE=1000 npm run bench:storm
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { signPcsmPayload } from '../src/ingress/pcsm-signature';
import { externalIdFor } from '../src/mapping/external-id';
import { pcsmAdapter, pcsmTicketToRmm } from '../src/pcsm/adapter';
import { mapTicketToAutotask } from '../src/mapping/ticket-to-autotask';
import type { PcsmTicket } from '../src/pcsm/events';
import { DEFAULT_CREDENTIALS, startAutotaskSimulator, type AutotaskSimulator } from '../src/simulators/autotask';
import { startPcsmSimulator } from '../src/simulators/pcsm';
import { SEEDED_MAPPINGS } from '../src/simulators/seed-mappings';
import { freePort } from './fault-scenario';
import { spawnConnectorProcess } from './processes';
import { startRedisServer } from './redis-server';
import { databaseUrl, ensureMongo } from './services';

const STORM_EVENTS = Number(process.env.BENCH_STORM_EVENTS ?? 100_000);
const STORM_TICKETS = Number(process.env.BENCH_STORM_TICKETS ?? 50);
const RATE = Number(process.env.BENCH_STORM_RATE ?? 1000);
const BYSTANDER_EVERY_MS = Number(process.env.BENCH_BYSTANDER_EVERY_MS ?? 200);
const AUTOTASK_LATENCY_MS = Number(process.env.BENCH_AUTOTASK_LATENCY_MS ?? 100);
const SECRET = 'storm-pcsm-webhook-secret';
const STATUSES = ['New', 'In Progress', 'Waiting', 'Resolved'];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const percentile = (sorted: number[], p: number) => (sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!);
const round = (n: number) => Math.round(n * 10) / 10;

async function main(): Promise<void> {
  const mongo = await ensureMongo();
  const redis = await startRedisServer({ appendfsync: 'always' });
  const stormDb = await startAutotaskSimulator({ port: 0, latencyAtHalfMs: 0, latencyAtThreeQuartersMs: 0 });
  const bystanderDb = await startAutotaskSimulator({ port: 0, latencyAtHalfMs: 0, latencyAtThreeQuartersMs: 0 });
  stormDb.faults.latencyMs = AUTOTASK_LATENCY_MS;
  bystanderDb.faults.latencyMs = AUTOTASK_LATENCY_MS;
  const pcsm = await startPcsmSimulator({ port: 0 });
  const port = await freePort();
  const adminToken = randomBytes(16).toString('hex');
  const logDir = mkdtempSync(path.join(os.tmpdir(), 'bench-storm-'));
  const env = {
    PORT: String(port),
    HOST: '127.0.0.1',
    REDIS_URL: redis.url,
    MONGO_URL: databaseUrl(mongo.url, `bench_storm_${Date.now().toString(36)}`),
    ADMIN_TOKEN: adminToken,
    SECRETS_KEY: randomBytes(32).toString('base64'),
    AUTOTASK_ZONE_LOOKUP_URL: stormDb.zoneLookupUrl,
    QUEUE_PREFIX: `storm-${randomBytes(3).toString('hex')}`,
    LOG_LEVEL: 'info',
  };
  const api = await spawnConnectorProcess('api', env, { logFile: path.join(logDir, 'api.log') });
  const worker = await spawnConnectorProcess('worker', env, { logFile: path.join(logDir, 'worker.log') });
  const base = `http://127.0.0.1:${port}`;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

  const put = async (id: string, db: AutotaskSimulator) => {
    const response = await fetch(`${base}/api/v1/connectors/${id}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        name: id,
        pcsm: { accountId: pcsm.account.id, apiUrl: pcsm.url, apiKey: pcsm.apiKey, webhookSecret: SECRET },
        autotask: { ...DEFAULT_CREDENTIALS, zoneUrl: db.zoneUrl },
        mappings: SEEDED_MAPPINGS,
      }),
    });
    if (!response.ok) throw new Error(`PUT ${id}: ${response.status} ${await response.text()}`);
  };
  await put('storm', stormDb);
  await put('bystander', bystanderDb);
  await sleep(2_000);

  /** One signed POST; resolves with its status and how long the answer took. */
  const post = (connectorId: string, event: unknown) =>
    new Promise<{ status: number; ms: number }>((resolve) => {
      const raw = JSON.stringify(event);
      const started = process.hrtime.bigint();
      const request = http.request(
        `${base}/webhooks/pcsm/${connectorId}`,
        {
          method: 'POST',
          agent,
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(raw),
            'x-pcsm-signature': signPcsmPayload(SECRET, raw, Math.floor(Date.now() / 1000)),
          },
        },
        (response) => {
          response.resume();
          response.on('end', () => resolve({ status: response.statusCode ?? 0, ms: Number(process.hrtime.bigint() - started) / 1e6 }));
        },
      );
      request.on('error', () => resolve({ status: 0, ms: Number(process.hrtime.bigint() - started) / 1e6 }));
      request.end(raw);
    });

  const baseTime = Date.UTC(2026, 10, 27, 12, 0, 0);
  const finals = new Map<string, PcsmTicket>();
  const stormTicket = (i: number): PcsmTicket => {
    const index = i % STORM_TICKETS;
    const ticket: PcsmTicket = {
      id: `S-${index}`,
      profileId: 'P-1',
      title: `SRV${index}: CPU at ${50 + (i % 50)}% (sample ${i})`,
      description: 'alert storm',
      status: STATUSES[Math.floor(i / STORM_TICKETS) % STATUSES.length]!,
      severity: 1 + (Math.floor(i / STORM_TICKETS) % 5),
      deviceId: `D-${index}`,
      deviceName: `SRV${index}`,
      updatedAt: new Date(baseTime + i).toISOString(),
    };
    finals.set(ticket.id, ticket);
    return ticket;
  };

  const latencies: number[] = [];
  const answers = new Map<number, number>();
  const bystanderSent = new Map<string, number>();
  let bystanderCount = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  const pending: Array<Promise<void>> = [];
  const send = (connectorId: string, event: unknown, record: boolean) => {
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    const done = post(connectorId, event).then(({ status, ms }) => {
      inFlight -= 1;
      answers.set(status, (answers.get(status) ?? 0) + 1);
      if (record) latencies.push(ms);
    });
    pending.push(done);
  };

  const bystander = setInterval(() => {
    const id = `B-${bystanderCount++}`;
    const updatedAt = new Date().toISOString();
    bystanderSent.set(externalIdFor('bystander', pcsmAdapter.externalIdTag, id), Date.now());
    send('bystander', { id: `evt_${id}`, type: 'ticket.created', occurredAt: updatedAt, data: { id, profileId: 'P-2', title: `New alert ${id}`, description: 'bystander', status: 'New', severity: 3, updatedAt } }, false);
  }, BYSTANDER_EVERY_MS);

  // The storm: RATE events a second, sent in slices every 10 ms.
  const stormStarted = Date.now();
  const perSlice = RATE / 100;
  let sent = 0;
  for (let slice = 0; sent < STORM_EVENTS; slice += 1) {
    const due = stormStarted + slice * 10;
    if (due > Date.now()) await sleep(due - Date.now());
    for (let k = 0; k < perSlice && sent < STORM_EVENTS; k += 1) {
      const ticket = stormTicket(sent);
      send('storm', { id: `evt_storm_${sent}`, type: 'ticket.updated', occurredAt: ticket.updatedAt, data: ticket }, true);
      sent += 1;
    }
    if (pending.length > 5000) pending.splice(0, pending.length - 5000);
  }
  await Promise.all(pending);
  const stormEnded = Date.now();

  // Every storm ticket must show its last state.
  const expected = [...finals.values()].map((ticket) => mapTicketToAutotask('storm', pcsmTicketToRmm(ticket), SEEDED_MAPPINGS, pcsmAdapter));
  const settled = async () =>
    expected.every((mapped) => {
      if (!mapped.ok) return false;
      const found = stormDb.tickets().filter((t) => t.externalID === mapped.fields.externalID);
      return found.length === 1 && (['title', 'status', 'priority', 'companyID'] as const).every((f) => found[0]![f] === mapped.fields[f]);
    });
  let settledAt: number | null = null;
  while (Date.now() - stormEnded < 5 * 60_000) {
    if (await settled()) {
      settledAt = Date.now();
      break;
    }
    await sleep(200);
  }
  await sleep(3_000);
  clearInterval(bystander);
  await Promise.all(pending);
  await sleep(5_000);

  // Writes per storm ticket: POSTs carry the externalID, PATCHes the Autotask id.
  const idToTicket = new Map(stormDb.tickets().map((t) => [Number(t.id), String(t.externalID)]));
  const writes = new Map<string, number>();
  for (const request of stormDb.requests.filter((r) => r.write && r.entity === 'Tickets')) {
    const body = (request.body ?? {}) as Record<string, unknown>;
    const key = request.method === 'POST' ? String(body.externalID) : idToTicket.get(Number(body.id)) ?? 'unknown';
    writes.set(key, (writes.get(key) ?? 0) + 1);
  }
  const perTicket = [...writes.values()];

  // Bystander: from the event's send to its create reaching Autotask.
  const bystanderLatency: number[] = [];
  for (const request of bystanderDb.requests.filter((r) => r.method === 'POST' && r.entity === 'Tickets' && r.write)) {
    const sentAt = bystanderSent.get(String((request.body as Record<string, unknown> | undefined)?.externalID));
    if (sentAt !== undefined) bystanderLatency.push(Date.parse(request.at) - sentAt);
  }
  bystanderLatency.sort((a, b) => a - b);
  latencies.sort((a, b) => a - b);

  const report = {
    storm: {
      events: STORM_EVENTS,
      tickets: STORM_TICKETS,
      targetRatePerSecond: RATE,
      achievedRatePerSecond: Math.round(STORM_EVENTS / ((stormEnded - stormStarted) / 1000)),
      seconds: round((stormEnded - stormStarted) / 1000),
      answers: Object.fromEntries(answers),
      ingressMs: { p50: round(percentile(latencies, 50)), p95: round(percentile(latencies, 95)), p99: round(percentile(latencies, 99)), max: round(latencies[latencies.length - 1] ?? 0) },
      maxRequestsInFlight: maxInFlight,
    },
    autotaskWritesPerStormTicket: {
      max: Math.max(0, ...perTicket),
      mean: round(perTicket.reduce((a, b) => a + b, 0) / Math.max(1, perTicket.length)),
      total: perTicket.reduce((a, b) => a + b, 0),
    },
    secondsFromStormEndUntilEveryTicketShowsItsLastState: settledAt === null ? null : round((settledAt - stormEnded) / 1000),
    bystander: {
      newTickets: bystanderCount,
      createdInAutotask: bystanderLatency.length,
      createLatencyMs: { p50: percentile(bystanderLatency, 50), p99: percentile(bystanderLatency, 99), max: bystanderLatency[bystanderLatency.length - 1] ?? null },
      over5s: bystanderLatency.filter((ms) => ms > 5000).length,
    },
    autotaskLatencyMs: AUTOTASK_LATENCY_MS,
    logs: logDir,
  };
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  agent.destroy();
  await Promise.all([api.kill('SIGTERM'), worker.kill('SIGTERM')]);
  await redis.stop();
  await Promise.all([stormDb.close(), bystanderDb.close(), pcsm.close()]);
  await mongo.stop();
  process.exit(0);
}

void main().catch((error: unknown) => {
  process.stderr.write(`benchmark failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
