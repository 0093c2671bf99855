/**
 * `npm run bench:faults`: the bad week in one run. 300 tickets, 2,000 PCSM events, and along the
 * way: a worker killed with -9, Redis killed and restarted, a 30 s storm of Autotask 500s with an
 * `errors` body, 429s with Retry-After, creates that commit and then time out, and a worker
 * stopped with SIGTERM. No operator, no reconciliation. Prints lost / duplicated / wrong tickets
 * and how long convergence took. Numbers, not asserts.
 *
 *   BENCH_TICKETS=300 BENCH_EVENTS=2000 BENCH_STORM_SECONDS=30 npm run bench:faults
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { databaseUrl, ensureMongo } from './services';
import { startFaultStack, ticketStream } from './fault-scenario';

const TICKETS = Number(process.env.BENCH_TICKETS ?? 300);
const EVENTS = Number(process.env.BENCH_EVENTS ?? 2000);
const STORM_SECONDS = Number(process.env.BENCH_STORM_SECONDS ?? 30);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function main(): Promise<void> {
  const mongo = await ensureMongo();
  const logDir = mkdtempSync(path.join(os.tmpdir(), 'bench-faults-'));
  const stack = await startFaultStack({
    mongoUrl: databaseUrl(mongo.url, `bench_faults_${Date.now().toString(36)}`),
    workers: 2,
    env: { RECONCILE_INTERVAL_SECONDS: '86400', AUTOTASK_TIMEOUT_MS: '3000' },
    logDir,
  });
  const { events, finals } = ticketStream({ tickets: TICKETS, events: EVENTS, prefix: 'B' });
  const timeline: string[] = [];
  const started = Date.now();
  const at = (what: string) => timeline.push(`${((Date.now() - started) / 1000).toFixed(1)} s  ${what}`);

  // Steady traffic for the whole run, about 25 events a second.
  const sending = stack.sendAll(events, 4, 150);
  const faults = (async () => {
    await sleep(3_000);
    stack.sim.faults.failNextWrites(20, { status: 429, retryAfterSeconds: 3, errors: ['API request threshold exceeded.'] });
    at('20 writes answered 429 with Retry-After: 3');
    stack.sim.faults.commitThenTimeout(5, { mode: 'hang' });
    at('5 creates commit, then their answers never come');
    await sleep(5_000);
    const killed = await stack.workers[0]!.kill('SIGKILL');
    at(`worker 1 killed with -9 (${killed.signal})`);
    await sleep(5_000);
    await stack.redis.kill('SIGKILL');
    at('Redis killed with -9');
    await sleep(3_000);
    await stack.redis.restart();
    at('Redis restarted (AOF replayed)');
    await sleep(5_000);
    stack.sim.faults.failAllFor(STORM_SECONDS * 1000, { status: 500, errors: ['An unexpected error has occurred. Please try again later.'] });
    at(`Autotask answers every call 500 + errors for ${STORM_SECONDS} s`);
    await sleep(STORM_SECONDS * 1000 + 2_000);
    const replacement = await stack.spawnWorker();
    at(`worker ${stack.workers.length} started (pid ${replacement.pid})`);
    const stopped = await stack.workers[1]!.kill('SIGTERM');
    at(`worker 2 stopped with SIGTERM: exited in ${stopped.ms} ms (code ${stopped.code})`);
  })();
  const sent = await sending;
  at(`all ${EVENTS} events answered 2xx (${sent.retried} needed more than one try, ${sent.tries} tries in all)`);
  await faults;
  const verdict = await stack.waitConverged(finals, 10 * 60_000);
  at(verdict.convergedAfterMs === null ? 'NOT converged within 10 minutes' : 'every ticket shows its last state');

  const report = {
    tickets: TICKETS,
    events: EVENTS,
    lost: verdict.lost.length,
    duplicated: verdict.duplicated.length,
    wrong: verdict.wrong.length,
    convergedSecondsAfterLastEvent: verdict.convergedAfterMs === null ? null : Math.round(verdict.convergedAfterMs / 100) / 10,
    autotaskTicketCalls: stack.sim.requests.filter((r) => r.entity === 'Tickets').length,
    autotaskAnswers: Object.fromEntries(
      [...new Set(stack.sim.requests.map((r) => r.status))].map((status) => [String(status), stack.sim.requests.filter((r) => r.status === status).length]),
    ),
    logs: logDir,
  };
  process.stdout.write(`${timeline.join('\n')}\n${JSON.stringify(report, null, 2)}\n`);
  if (verdict.lost.length + verdict.duplicated.length + verdict.wrong.length > 0) {
    process.stdout.write(`lost: ${verdict.lost.join(', ')}\nduplicated: ${verdict.duplicated.join(', ')}\nwrong: ${verdict.wrong.join(', ')}\n`);
  }
  await stack.stop();
  await mongo.stop();
  process.exit(0);
}

void main().catch((error: unknown) => {
  process.stderr.write(`benchmark failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
