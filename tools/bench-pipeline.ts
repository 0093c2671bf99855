/**
 * `npm run bench:pipeline`: new tickets per second through ingress → Redis → worker → Autotask
 * simulator, against a bare Express + BullMQ + no-op worker pipeline measured in the same run. The
 * api and the worker share one process (as `npm start`), like the bare pipeline; both simulators run
 * in processes of their own, as Autotask and PCSM are elsewhere; what each new ticket and each coalesced update costs
 * in Autotask calls and MongoDB commands; and the writes a 20-update burst costs. Numbers, not asserts.
 *
 *   BENCH_EVENTS=1000 BENCH_SENDERS=32 BENCH_CONCURRENCY=10 npm run bench:pipeline
 */
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Queue, Worker } from 'bullmq';
import express from 'express';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { loadConfig } from '../src/config';
import { signPcsmPayload, verifyPcsmSignature } from '../src/ingress/pcsm-signature';
import { createLogger } from '../src/logger';
import { redisOptions, startRuntime } from '../src/runtime';
import { DEFAULT_CREDENTIALS } from '../src/simulators/autotask';
import { DEFAULT_API_KEY as PCSM_API_KEY } from '../src/simulators/pcsm';
import { SEEDED_MAPPINGS } from '../src/simulators/seed-mappings';
import { freePort } from './fault-scenario';
import { PCSM_WEBHOOK_SECRET, waitUntil } from './local-pipeline';
import { databaseUrl, ensureMongo, ensureRedis } from './services';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 1000);
const SENDERS = Number(process.env.BENCH_SENDERS ?? 32);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 10);
const UPDATES = Math.min(200, EVENTS);

type Sender = (event: unknown) => Promise<number>;

/** Sends every event with SENDERS concurrent senders; resolves when all are answered. */
async function sendAll(events: unknown[], send: Sender): Promise<Map<number, number>> {
  let next = 0;
  const statuses = new Map<number, number>();
  await Promise.all(
    Array.from({ length: SENDERS }, async () => {
      while (next < events.length) {
        const status = await send(events[next++]);
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
      }
    }),
  );
  return statuses;
}

const ticketEvent = (ticketId: string, updatedAtMs: number, fields: Record<string, unknown> = {}, type = 'ticket.created') => ({
  id: `evt_${randomBytes(8).toString('hex')}`,
  type,
  occurredAt: new Date(updatedAtMs).toISOString(),
  data: {
    id: ticketId,
    profileId: 'P-1',
    title: `Benchmark alert ${ticketId}`,
    description: 'load',
    status: 'New',
    severity: 4,
    ...fields,
    updatedAt: new Date(updatedAtMs).toISOString(),
  },
});

/** The floor: Express with the same raw-body signature check, one BullMQ add per event, a worker that does nothing. */
async function bareBaseline(redisUrl: string): Promise<number> {
  const prefix = `bare-${randomBytes(3).toString('hex')}`;
  const connection = redisOptions(redisUrl);
  const queue = new Queue('bare', { prefix, connection });
  let done = 0;
  const worker = new Worker('bare', async () => undefined, { prefix, connection: { ...connection, maxRetriesPerRequest: null }, concurrency: CONCURRENCY });
  worker.on('completed', () => (done += 1));
  const app = express();
  app.post('/webhooks/pcsm/:id', express.raw({ type: () => true, limit: 256 * 1024 }), (req, res, next) => {
    const check = verifyPcsmSignature(PCSM_WEBHOOK_SECRET, req.get('x-pcsm-signature'), req.body as Buffer, Math.floor(Date.now() / 1000));
    if (!check.ok) {
      res.status(401).end();
      return;
    }
    const event = JSON.parse((req.body as Buffer).toString('utf8')) as unknown;
    queue.add('event', event).then(() => res.status(202).json({ accepted: true }), next);
  });
  const server = await new Promise<Server>((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/pcsm/bare`;
  const base = Date.now();
  const events = Array.from({ length: EVENTS }, (_, i) => ticketEvent(`BARE-${i}`, base + i));
  const started = process.hrtime.bigint();
  await sendAll(events, async (event) => {
    const raw = JSON.stringify(event);
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-pcsm-signature': signPcsmPayload(PCSM_WEBHOOK_SECRET, raw, Math.floor(Date.now() / 1000)) },
      body: raw,
    });
    await response.arrayBuffer();
    return response.status;
  });
  await waitUntil(async () => done >= EVENTS, 120_000, 10);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await worker.close();
  await queue.obliterate({ force: true });
  await queue.close();
  return EVENTS / seconds;
}

/** A simulator in its own process, as the real system is elsewhere: its CPU is not the pipeline's. */
async function startSimulator(script: string, portVariable: string): Promise<{ url: string; stop(): void }> {
  const port = await freePort();
  // Built (`node dist/tools/bench-pipeline.js`): the simulators' built files; otherwise through ts-node.
  const built = __filename.endsWith('.js');
  const args = built ? [path.join(__dirname, '..', script.replace(/\.ts$/, '.js'))] : ['-r', 'ts-node/register/transpile-only', script];
  const child = spawn(process.execPath, args, {
    env: { ...process.env, [portVariable]: String(port) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
    child.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('listening on')) resolve();
    });
  });
  child.stdout!.resume();
  return { url: `http://127.0.0.1:${port}`, stop: () => child.kill('SIGKILL') };
}

async function main(): Promise<void> {
  const redis = await ensureRedis();
  const mongo = await ensureMongo();
  const autotask = await startSimulator('src/simulators/autotask/main.ts', 'AUTOTASK_SIM_PORT');
  const pcsm = await startSimulator('src/simulators/pcsm/main.ts', 'PCSM_SIM_PORT');
  const runId = Date.now().toString(36);
  const adminToken = randomBytes(16).toString('hex');
  const secretsKey = randomBytes(32).toString('base64');
  /** The connector in one process (npm start: api and worker), as the bare pipeline is in one. */
  const start = (monitorCommands: boolean) =>
    startRuntime(
      loadConfig({
        PORT: '0',
        HOST: '127.0.0.1',
        REDIS_URL: redis.url,
        MONGO_URL: `${databaseUrl(mongo.url, `bench_pipeline_${runId}`)}${monitorCommands ? '?monitorCommands=true' : ''}`,
        ADMIN_TOKEN: adminToken,
        SECRETS_KEY: secretsKey,
        AUTOTASK_ZONE_LOOKUP_URL: `${autotask.url}/atservicesrest/v1.0/zoneInformation`,
        QUEUE_PREFIX: `bench-${runId}`,
        WORKER_CONCURRENCY: String(CONCURRENCY),
        LOG_LEVEL: 'error',
      }),
      { api: true, worker: true, logger: createLogger({ level: 'error', service: 'bench' }) },
    );
  const stats = async () => (await (await fetch(`${autotask.url}/__sim/stats`)).json()) as { requests: number; writes: Record<string, number> };
  const ticketWrites = async () => (await stats()).writes.Tickets ?? 0;
  const sender = (url: string) => async (event: unknown) => {
    const raw = JSON.stringify(event);
    const response = await fetch(`${url}/webhooks/pcsm/bench`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-pcsm-signature': signPcsmPayload(PCSM_WEBHOOK_SECRET, raw, Math.floor(Date.now() / 1000)) },
      body: raw,
    });
    await response.arrayBuffer();
    return response.status;
  };
  const base = Date.now() - 3600_000;

  // 1. Throughput: new tickets, every event a create, against the bare pipeline in the same run.
  let runtime = await start(false);
  const bareEventsPerSecond = await bareBaseline(runtime.config.redisUrl);
  const saved = await fetch(`${runtime.url}/api/v1/connectors/bench`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      name: 'Bench MSP',
      pcsm: { accountId: 'acc-1', apiUrl: pcsm.url, apiKey: PCSM_API_KEY, webhookSecret: PCSM_WEBHOOK_SECRET },
      autotask: { ...DEFAULT_CREDENTIALS },
      mappings: SEEDED_MAPPINGS,
    }),
  });
  if (!saved.ok) throw new Error(`could not save the connector: ${saved.status} ${await saved.text()}`);
  const callsBefore = (await stats()).requests;
  const started = process.hrtime.bigint();
  const statuses = await sendAll(
    Array.from({ length: EVENTS }, (_, i) => ticketEvent(`B-${i}`, base + i, { profileId: i % 2 === 0 ? 'P-1' : 'P-2', severity: (i % 5) + 1 })),
    sender(runtime.url!),
  );
  const ingressSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  await waitUntil(async () => (await ticketWrites()) >= EVENTS, 600_000, 50);
  const endToEndSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  // The batched ticket-number reads follow within a second or two.
  await waitUntil(async () => (await runtime.store.ticketNumberBacklog.size('bench')) === 0, 60_000, 50);
  await new Promise((resolve) => setTimeout(resolve, 1500));
  // Less the one zone discovery, which is exempt from the budget.
  const createCalls = (await stats()).requests - callsBefore - 1;
  await runtime.close();

  // 2. Costs, counted by the driver's command monitoring (which costs CPU itself, so not while timing).
  runtime = await start(true);
  const send = sender(runtime.url!);
  const commands = new Map<string, number>();
  let counting = false;
  runtime.store.connection.getClient().on('commandStarted', (event) => {
    if (!counting) return;
    const key = `${event.commandName} ${String((event.command as Record<string, unknown>)[event.commandName])}`;
    commands.set(key, (commands.get(key) ?? 0) + 1);
  });
  const commandCount = () => [...commands.values()].reduce((a, b) => a + b, 0);
  // New tickets once more (their connector already cached, as in steady operation).
  await send(ticketEvent('WARM-1', base, {}));
  await waitUntil(async () => (await runtime.store.ticketLinks.get('bench', 'WARM-1'))?.autotaskTicketId != null, 30_000, 50);
  const writesBeforeCreates = await ticketWrites();
  counting = true;
  await sendAll(Array.from({ length: UPDATES }, (_, i) => ticketEvent(`C-${i}`, base + i, {})), send);
  await waitUntil(async () => (await ticketWrites()) - writesBeforeCreates >= UPDATES, 120_000, 50);
  await waitUntil(async () => (await runtime.store.ticketNumberBacklog.size('bench')) === 0, 60_000, 50);
  await new Promise((resolve) => setTimeout(resolve, 1500));
  counting = false;
  const createCommands = Object.fromEntries(commands);
  const createCommandCount = commandCount();

  // One update to each of those tickets, after they settled: what a coalesced update costs.
  commands.clear();
  const updateCallsBefore = (await stats()).requests;
  const writesBeforeUpdates = await ticketWrites();
  counting = true;
  await sendAll(Array.from({ length: UPDATES }, (_, i) => ticketEvent(`C-${i}`, base + EVENTS + i, { status: 'In Progress' }, 'ticket.updated')), send);
  await waitUntil(async () => (await ticketWrites()) - writesBeforeUpdates >= UPDATES, 120_000, 50);
  await new Promise((resolve) => setTimeout(resolve, 1500));
  counting = false;
  const updateCommands = Object.fromEntries(commands);
  const updateCommandCount = commandCount();
  const updateCalls = (await stats()).requests - updateCallsBefore;

  // 3. A burst of 20 updates to one new ticket.
  const writesBefore = await ticketWrites();
  const burstBase = base + 2 * EVENTS;
  const burst = Array.from({ length: 20 }, (_, i) =>
    ticketEvent('BURST-1', burstBase + i, { title: `Burst ${i}`, status: i === 19 ? 'Resolved' : 'In Progress' }, i === 0 ? 'ticket.created' : 'ticket.updated'),
  );
  await Promise.all(burst.map(send));
  await waitUntil(async () => (await runtime.store.ticketLinks.get('bench', 'BURST-1'))?.appliedUpdatedAt.getTime() === burstBase + 19, 60_000, 100);
  const burstWrites = (await ticketWrites()) - writesBefore;

  const newTicketsPerSecond = EVENTS / endToEndSeconds;
  const report = {
    events: EVENTS,
    senders: SENDERS,
    workerConcurrency: CONCURRENCY,
    answers: Object.fromEntries(statuses),
    bareExpressBullmqNoopEventsPerSecond: Math.round(bareEventsPerSecond),
    ingressEventsPerSecond: Math.round(EVENTS / ingressSeconds),
    endToEndNewTicketsPerSecond: Math.round(newTicketsPerSecond),
    ratioToBare: Number((newTicketsPerSecond / bareEventsPerSecond).toFixed(2)),
    autotaskCallsPerNewTicket: Number((createCalls / EVENTS).toFixed(3)),
    mongoCommandsPerNewTicket: Number((createCommandCount / UPDATES).toFixed(2)),
    mongoCommandsForNewTickets: createCommands,
    autotaskCallsPerUpdate: Number((updateCalls / UPDATES).toFixed(3)),
    mongoCommandsPerUpdate: Number((updateCommandCount / UPDATES).toFixed(2)),
    mongoCommandsForUpdates: updateCommands,
    burstOf20AutotaskWrites: burstWrites,
  };
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  for (const queue of runtime.producer.allQueues()) await queue.obliterate({ force: true }).catch(() => undefined);
  await runtime.store.connection.dropDatabase().catch(() => undefined);
  await runtime.close();
  autotask.stop();
  pcsm.stop();
  await mongo.stop();
  await redis.stop();
  process.exit(0);
}

void main().catch((error: unknown) => {
  process.stderr.write(`benchmark failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
