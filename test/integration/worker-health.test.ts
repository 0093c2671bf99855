import { Writable } from 'node:stream';
import { createLogger } from '../../src/logger';
import { startRuntime, type Runtime } from '../../src/runtime';
import { waitFor } from '../harness/context';
import { startStack, ticketEvent, type Stack } from '../support/stack';

/**
 * A worker's /healthz proves it consumes: a worker that stops taking jobs (here paused in place,
 * as BullMQ #4585 leaves one after a long Redis outage) while jobs wait turns it 503, through real
 * Redis and the real queue.
 */
describe('worker health', () => {
  let stack: Stack;
  let worker: Runtime | undefined;
  const logs: Array<Record<string, unknown>> = [];

  beforeAll(async () => {
    stack = await startStack('worker-health', { worker: false });
    await stack.putConnector('c1');
  });

  afterEach(async () => {
    await worker?.close();
    worker = undefined;
    logs.length = 0;
  });

  afterAll(async () => {
    await stack?.close();
  });

  const startWorker = async (restartStalled: boolean) => {
    const stream = new Writable({
      write(chunk, _encoding, done) {
        for (const line of String(chunk).split('\n').filter(Boolean)) logs.push(JSON.parse(line) as Record<string, unknown>);
        done();
      },
    });
    worker = await startRuntime(
      { ...stack.runtime.config, metricsPort: 0 },
      {
        api: false,
        worker: true,
        logger: createLogger({ level: 'info', service: 'test', stream }),
        watchdog: { stallAfterMs: 1_500, checkEveryMs: 200, restartStalled },
      },
    );
    return worker;
  };
  const health = async (runtime: Runtime) => {
    const response = await fetch(`${runtime.url}/healthz`);
    return { status: response.status, body: (await response.json()) as { status: string; queues?: Array<{ queue: string; ready: number; idleForMs: number }> } };
  };
  const workerOf = (runtime: Runtime, queue: string) => runtime.workers!.workers.find((w) => w.name === queue)!;
  const synced = (ticketId: string) =>
    waitFor(async () => (await stack.admin('GET', `/api/v1/connectors/c1/tickets/${ticketId}`)).body.state === 'synced', {
      timeoutMs: 15_000,
      message: `ticket ${ticketId} to be synced`,
    });

  it('answers 503 "stalled" naming the queue while jobs wait and the worker takes none, and 200 once it consumes again', async () => {
    const runtime = await startWorker(false);
    expect(await health(runtime)).toEqual({ status: 200, body: { status: 'ok' } });

    const stuck = workerOf(runtime, 'connector.c1');
    await stuck.pause();
    expect((await stack.sendPcsm('c1', ticketEvent({ id: 'T-H1' }))).status).toBe(202);

    const stalled = await waitFor(async () => {
      const answer = await health(runtime);
      return answer.status === 503 ? answer : null;
    }, { timeoutMs: 10_000, message: '/healthz to answer 503' });
    expect(stalled.body).toEqual({ status: 'stalled', queues: [{ queue: 'connector.c1', ready: 1, idleForMs: expect.any(Number) }] });
    expect(stalled.body.queues![0]!.idleForMs).toBeGreaterThanOrEqual(1_500);
    expect(logs).toContainEqual(expect.objectContaining({ level: 'error', queue: 'connector.c1', message: expect.stringMatching(/^worker stalled/) }));
    // The other queue of the process has nothing waiting: it is not blamed.
    expect(stalled.body.queues!.map((q) => q.queue)).not.toContain('maintenance');

    stuck.resume();
    await synced('T-H1');
    expect(await health(runtime)).toEqual({ status: 200, body: { status: 'ok' } });
  });

  it('recreates the worker of a stalled queue, which then takes the waiting jobs', async () => {
    const runtime = await startWorker(true);
    const stuck = workerOf(runtime, 'connector.c1');
    await stuck.pause();
    expect((await stack.sendPcsm('c1', ticketEvent({ id: 'T-H2' }))).status).toBe(202);

    await synced('T-H2');
    expect(logs).toContainEqual(expect.objectContaining({ level: 'warn', message: 'recreating the worker of a stalled queue', queue: 'connector.c1' }));
    expect(workerOf(runtime, 'connector.c1')).not.toBe(stuck);
    await waitFor(async () => (await health(runtime)).status === 200, { message: '/healthz to answer 200 again' });
  });

  it('leaves a paused queue (a suspended connector) healthy: nothing is expected to move', async () => {
    const runtime = await startWorker(false);
    await stack.connectorQueue('c1').pause();
    try {
      expect((await stack.sendPcsm('c1', ticketEvent({ id: 'T-H3' }))).status).toBe(202);
      await new Promise((resolve) => setTimeout(resolve, 2_500));
      expect(await health(runtime)).toEqual({ status: 200, body: { status: 'ok' } });
    } finally {
      await stack.connectorQueue('c1').resume();
    }
    await synced('T-H3');
  });
});
