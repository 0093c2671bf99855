/**
 * `npm run bench:pipeline`: events per second through ingress → Redis → worker → Autotask
 * simulator (zero latency), and the Autotask writes a 20-update burst costs. Numbers, not asserts.
 *
 *   BENCH_EVENTS=1000 BENCH_SENDERS=32 BENCH_CONCURRENCY=10 npm run bench:pipeline
 */
import { randomBytes } from 'node:crypto';
import { startLocalPipeline, waitUntil } from './local-pipeline';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 1000);
const SENDERS = Number(process.env.BENCH_SENDERS ?? 32);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 10);

async function main(): Promise<void> {
  const pipeline = await startLocalPipeline({ logLevel: 'error', concurrency: CONCURRENCY });
  await pipeline.createConnector('bench');
  const queue = pipeline.runtime.producer.allQueues()[0]!;
  const base = Date.now() - 3600_000;
  const event = (i: number, ticketId: string, status = 'New') => ({
    id: `evt_${randomBytes(8).toString('hex')}`,
    type: 'ticket.created',
    occurredAt: new Date(base + i).toISOString(),
    data: {
      id: ticketId,
      profileId: i % 2 === 0 ? 'P-1' : 'P-2',
      title: `Benchmark alert ${i}`,
      description: 'load',
      status,
      severity: (i % 5) + 1,
      updatedAt: new Date(base + i).toISOString(),
    },
  });

  // 1. Distinct tickets: every event is a create.
  let next = 0;
  const statuses = new Map<number, number>();
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: SENDERS }, async () => {
      while (next < EVENTS) {
        const i = next++;
        const status = await pipeline.sendPcsm('bench', event(i, `B-${i}`));
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
      }
    }),
  );
  const ingressSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  await waitUntil(async () => ((await queue.getJobCounts('completed')).completed ?? 0) >= EVENTS, 600_000, 50);
  const totalSeconds = Number(process.hrtime.bigint() - started) / 1e9;

  // 2. A burst of 20 updates to one ticket.
  const writesBefore = pipeline.sim.writeCount('Tickets');
  const burst = Array.from({ length: 20 }, (_, i) => event(EVENTS + i, 'BURST-1', i === 19 ? 'Resolved' : 'In Progress'));
  await Promise.all(burst.map((e) => pipeline.sendPcsm('bench', e)));
  await waitUntil(async () => ((await queue.getJobCounts('completed')).completed ?? 0) >= EVENTS + 20, 60_000, 50);
  const burstWrites = pipeline.sim.writeCount('Tickets') - writesBefore;

  const report = {
    events: EVENTS,
    senders: SENDERS,
    workerConcurrency: CONCURRENCY,
    answers: Object.fromEntries(statuses),
    ingressEventsPerSecond: Math.round(EVENTS / ingressSeconds),
    endToEndEventsPerSecond: Math.round(EVENTS / totalSeconds),
    autotaskTickets: pipeline.sim.tickets().length,
    autotaskCallsPerCreate: Number(((pipeline.sim.requests.length - 1) / (EVENTS + 1)).toFixed(2)),
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
