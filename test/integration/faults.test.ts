import { startFaultStack, ticketStream, type FaultStack } from '../../tools/fault-scenario';
import { connectTestDatabase, testMongoUrl, type TestDatabase } from '../harness/context';

/**
 * The bad week, one fault at a time, through real processes: the api and two workers as OS
 * processes, a Redis with AOF that is really killed, the Autotask simulator failing on cue. Each
 * test sends its own tickets (as PCSM would: retried until answered 2xx) and ends only when every
 * one of them shows its last state in Autotask, exactly once — with no operator and no
 * reconciliation (its interval is far longer than any test).
 */
const CONVERGE_MS = 90_000;
const hiccup = ['An unexpected error has occurred. Please try again later.'];

describe('faults through the real stack', () => {
  let db: TestDatabase;
  let stack: FaultStack;

  beforeAll(async () => {
    db = await connectTestDatabase('faults');
    stack = await startFaultStack({
      mongoUrl: testMongoUrl(db.dbName),
      workers: 2,
      env: { RECONCILE_INTERVAL_SECONDS: '86400' },
    });
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
    await db?.drop();
  }, 60_000);

  const expectConverged = async (finals: Map<string, import('../../src/pcsm/events').PcsmTicket>) => {
    const verdict = await stack.waitConverged(finals, CONVERGE_MS);
    expect({ lost: verdict.lost, duplicated: verdict.duplicated, wrong: verdict.wrong }).toEqual({ lost: [], duplicated: [], wrong: [] });
    expect(verdict.convergedAfterMs).not.toBeNull();
    return verdict;
  };

  it('loses and duplicates nothing when Autotask answers 500 + errors to everything for a while', async () => {
    const { events, finals } = ticketStream({ tickets: 20, events: 80, prefix: 'F500' });
    await stack.sendAll(events.slice(0, 20));
    stack.sim.faults.failAllFor(8_000, { status: 500, errors: hiccup });
    await stack.sendAll(events.slice(20));
    await expectConverged(finals);
    // Some of those 500s hit creates: the look-up by externalID kept them from doubling.
    expect(stack.sim.requests.some((r) => r.status === 500)).toBe(true);
  }, 150_000);

  it('waits out 429s with Retry-After and still creates every ticket once', async () => {
    const { events, finals } = ticketStream({ tickets: 15, events: 45, prefix: 'F429' });
    stack.sim.faults.failNextWrites(6, { status: 429, retryAfterSeconds: 2, errors: ['API request threshold exceeded.'] });
    await stack.sendAll(events);
    await expectConverged(finals);
  }, 150_000);

  it('does not duplicate a ticket whose create committed and then timed out', async () => {
    const { events, finals } = ticketStream({ tickets: 10, events: 30, prefix: 'FCT' });
    stack.sim.faults.commitThenTimeout(3, { mode: 'hang' });
    await stack.sendAll(events);
    await expectConverged(finals);
  }, 150_000);

  it('loses nothing when a worker is killed with -9 in the middle of a burst', async () => {
    const { events, finals } = ticketStream({ tickets: 25, events: 150, prefix: 'FKILL' });
    // Slow calls keep jobs in flight when the worker dies.
    stack.sim.faults.latencyMs = 150;
    const sending = stack.sendAll(events, 8);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const victim = stack.workers[0]!;
    const killed = await victim.kill('SIGKILL');
    expect(killed.signal).toBe('SIGKILL');
    await sending;
    stack.sim.faults.latencyMs = 0;
    // The surviving worker runs the dead one's jobs once their locks expire (BullMQ stall check).
    await expectConverged(finals);
    stack.workers.splice(0, 1, await stack.spawnWorker());
  }, 180_000);

  it('loses nothing acknowledged when Redis is killed and restarted mid-stream', async () => {
    const { events, finals } = ticketStream({ tickets: 20, events: 100, prefix: 'FREDIS' });
    // Paced over about 3 s, so part of the stream meets the outage.
    const sending = stack.sendAll(events, 2, 60);
    await new Promise((resolve) => setTimeout(resolve, 500));
    await stack.redis.kill('SIGKILL');
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    await stack.redis.restart();
    const sent = await sending;
    // Events sent while Redis was down were answered 503 and sent again.
    expect(sent.retried).toBeGreaterThan(0);
    await expectConverged(finals);
  }, 180_000);

  it('loses nothing when a worker is stopped with SIGTERM in the middle of a burst, and stops within 10 s', async () => {
    const { events, finals } = ticketStream({ tickets: 20, events: 100, prefix: 'FTERM' });
    stack.sim.faults.latencyMs = 150;
    const sending = stack.sendAll(events, 8);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const stopped = await stack.workers[1]!.kill('SIGTERM');
    expect(stopped.ms).toBeLessThanOrEqual(10_000);
    await sending;
    stack.sim.faults.latencyMs = 0;
    await expectConverged(finals);
    stack.workers.splice(1, 1, await stack.spawnWorker());
  }, 180_000);
});
