/**
 * `npm run bench:pipeline`: new tickets per second through ingress → Redis → worker → Autotask
 * simulator (zero latency), against a bare Express + BullMQ + no-op worker pipeline measured in the
 * same run and the same process arrangement; what each new ticket and each coalesced update costs
 * in Autotask calls and MongoDB commands; and the writes a 20-update burst costs. Numbers, not asserts.
 *
 *   BENCH_EVENTS=1000 BENCH_SENDERS=32 BENCH_CONCURRENCY=10 npm run bench:pipeline
 */
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Queue, Worker } from 'bullmq';
import express from 'express';
import { signPcsmPayload, verifyPcsmSignature } from '../src/ingress/pcsm-signature';
import { redisOptions } from '../src/runtime';
import { PCSM_WEBHOOK_SECRET, startLocalPipeline, waitUntil } from './local-pipeline';

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

async function main(): Promise<void> {
  const pipeline = await startLocalPipeline({ logLevel: 'error', concurrency: CONCURRENCY, monitorMongoCommands: true });
  const bareEventsPerSecond = await bareBaseline(pipeline.runtime.config.redisUrl);

  await pipeline.createConnector('bench');
  // Every MongoDB command the store sends while `counting`, by command and collection.
  const commands = new Map<string, number>();
  let counting = false;
  pipeline.runtime.store.connection.getClient().on('commandStarted', (event) => {
    if (!counting) return;
    const key = `${event.commandName} ${String((event.command as Record<string, unknown>)[event.commandName])}`;
    commands.set(key, (commands.get(key) ?? 0) + 1);
  });
  const commandCount = () => [...commands.values()].reduce((a, b) => a + b, 0);
  const autotaskCalls = () => pipeline.sim.requests.filter((r) => r.entity !== 'ZoneInformation').length;
  const base = Date.now() - 3600_000;

  // 1. New tickets: every event is a create.
  const callsBefore = autotaskCalls();
  counting = true;
  const started = process.hrtime.bigint();
  const statuses = await sendAll(
    Array.from({ length: EVENTS }, (_, i) => ticketEvent(`B-${i}`, base + i, { profileId: i % 2 === 0 ? 'P-1' : 'P-2', severity: (i % 5) + 1 })),
    (event) => pipeline.sendPcsm('bench', event),
  );
  const ingressSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  await waitUntil(async () => pipeline.sim.writeCount('Tickets') >= EVENTS, 600_000, 20);
  const endToEndSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  // The batched ticket-number reads follow within a second or two.
  await waitUntil(async () => (await pipeline.runtime.store.ticketNumberBacklog.size('bench')) === 0, 60_000, 50);
  await new Promise((resolve) => setTimeout(resolve, 1500));
  counting = false;
  const createCommands = Object.fromEntries(commands);
  const createCommandCount = commandCount();
  const createCalls = autotaskCalls() - callsBefore;

  // 2. One update to each of the first tickets, after they settled: what a coalesced update costs.
  commands.clear();
  const updateCallsBefore = autotaskCalls();
  const writesBeforeUpdates = pipeline.sim.writeCount('Tickets');
  counting = true;
  await sendAll(
    Array.from({ length: UPDATES }, (_, i) => ticketEvent(`B-${i}`, base + EVENTS + i, { profileId: i % 2 === 0 ? 'P-1' : 'P-2', severity: (i % 5) + 1, status: 'In Progress' }, 'ticket.updated')),
    (event) => pipeline.sendPcsm('bench', event),
  );
  await waitUntil(async () => pipeline.sim.writeCount('Tickets') - writesBeforeUpdates >= UPDATES, 120_000, 50);
  await new Promise((resolve) => setTimeout(resolve, 1500));
  counting = false;
  const updateCommands = Object.fromEntries(commands);
  const updateCommandCount = commandCount();
  const updateCalls = autotaskCalls() - updateCallsBefore;

  // 3. A burst of 20 updates to one new ticket.
  const writesBefore = pipeline.sim.writeCount('Tickets');
  const burstBase = base + 2 * EVENTS;
  const burst = Array.from({ length: 20 }, (_, i) =>
    ticketEvent('BURST-1', burstBase + i, { title: `Burst ${i}`, status: i === 19 ? 'Resolved' : 'In Progress' }, i === 0 ? 'ticket.created' : 'ticket.updated'),
  );
  await Promise.all(burst.map((e) => pipeline.sendPcsm('bench', e)));
  await waitUntil(async () => pipeline.sim.tickets().some((t) => t.title === 'Burst 19' && t.status === 5), 60_000, 100);
  const burstWrites = pipeline.sim.writeCount('Tickets') - writesBefore;

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
    mongoCommandsPerNewTicket: Number((createCommandCount / EVENTS).toFixed(2)),
    mongoCommandsForNewTickets: createCommands,
    autotaskCallsPerUpdate: Number((updateCalls / UPDATES).toFixed(3)),
    mongoCommandsPerUpdate: Number((updateCommandCount / UPDATES).toFixed(2)),
    mongoCommandsForUpdates: updateCommands,
    burstOf20AutotaskWrites: burstWrites,
  };
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  await pipeline.stop();
  process.exit(0);
}

void main().catch((error: unknown) => {
  process.stderr.write(`benchmark failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
