import { ConsumptionWatchdog, type ConsumerState, type QueueBacklog } from '../../src/observability/consumption-watchdog';

/** A process consuming queues, and what Redis says of them, both under the test's control. */
function fakes() {
  let now = 1_000_000;
  const consumers = new Map<string, ConsumerState>();
  const backlogs = new Map<string, QueueBacklog | Error>();
  const consume = (queue: string, state: Partial<ConsumerState> = {}) =>
    consumers.set(queue, { queue, running: 0, concurrency: 5, lastProgressAt: now, ...consumers.get(queue), ...state });
  const watchdog = new ConsumptionWatchdog(
    {
      consumers: () => [...consumers.values()],
      backlog: async (queue) => {
        const backlog = backlogs.get(queue) ?? { ready: 0, held: false };
        if (backlog instanceof Error) throw backlog;
        return backlog;
      },
    },
    { stallAfterMs: 60_000, now: () => now },
  );
  return {
    watchdog,
    consume,
    backlog: (queue: string, backlog: QueueBacklog | Error) => backlogs.set(queue, backlog),
    advance(ms: number) {
      now += ms;
    },
    /** Time passes; every consumed queue is checked each 10 s on the way. */
    async pass(ms: number) {
      for (let left = ms; left > 0; left -= 10_000) {
        now += Math.min(10_000, left);
        await watchdog.check();
      }
    },
    progress: (queue: string) => consume(queue, { lastProgressAt: now }),
  };
}

describe('the consumption watchdog', () => {
  it('calls a queue stalled when jobs are ready and nothing started for the whole window', async () => {
    const f = fakes();
    f.consume('connector.c1');
    f.backlog('connector.c1', { ready: 3, held: false });
    // The first check sees them 10 s after they arrived: the window starts there.
    await f.pass(60_000);
    expect(f.watchdog.status()).toEqual({ status: 'ok' });
    await f.pass(10_000);
    expect(f.watchdog.status()).toEqual({ status: 'stalled', queues: [{ queue: 'connector.c1', ready: 3, idleForMs: 60_000 }] });
  });

  it('reports a stall once, when it begins, and the recovery once', async () => {
    const f = fakes();
    f.consume('connector.c1');
    f.backlog('connector.c1', { ready: 1, held: false });
    expect((await f.watchdog.check()).newlyStalled).toEqual([]);
    f.advance(60_000);
    const first = await f.watchdog.check();
    expect(first.newlyStalled.map((s) => s.queue)).toEqual(['connector.c1']);
    f.advance(10_000);
    const again = await f.watchdog.check();
    expect(again.stalled.map((s) => s.queue)).toEqual(['connector.c1']);
    expect(again.newlyStalled).toEqual([]);
    f.progress('connector.c1');
    f.advance(1_000);
    const after = await f.watchdog.check();
    expect(after).toEqual({ stalled: [], newlyStalled: [], recovered: ['connector.c1'] });
  });

  it('says ok again as soon as the queue moves, before the next check', async () => {
    const f = fakes();
    f.consume('connector.c1');
    f.backlog('connector.c1', { ready: 2, held: false });
    await f.pass(70_000);
    expect(f.watchdog.status().status).toBe('stalled');
    f.progress('connector.c1');
    expect(f.watchdog.status()).toEqual({ status: 'ok' });
  });

  it('does not blame a worker for jobs that only just became ready after a quiet spell', async () => {
    const f = fakes();
    f.consume('connector.c1');
    await f.pass(600_000);
    f.backlog('connector.c1', { ready: 4, held: false });
    await f.pass(50_000);
    expect(f.watchdog.status()).toEqual({ status: 'ok' });
  });

  it('leaves a paused or rate-limited queue alone: nothing is expected to move', async () => {
    const f = fakes();
    f.consume('connector.c1');
    f.backlog('connector.c1', { ready: 9, held: true });
    await f.pass(300_000);
    expect(f.watchdog.status()).toEqual({ status: 'ok' });
  });

  it('leaves a process alone that runs as many jobs as it may, however long they take', async () => {
    const f = fakes();
    f.consume('connector.c1', { running: 5, concurrency: 5 });
    f.backlog('connector.c1', { ready: 9, held: false });
    await f.pass(300_000);
    expect(f.watchdog.status()).toEqual({ status: 'ok' });
  });

  it('keeps its verdict while Redis cannot say how many jobs wait', async () => {
    const f = fakes();
    f.consume('connector.c1');
    f.backlog('connector.c1', { ready: 1, held: false });
    await f.pass(70_000);
    f.backlog('connector.c1', new Error('Connection is closed.'));
    await f.pass(20_000);
    expect(f.watchdog.status().status).toBe('stalled');
  });

  it('names only the stalled queues', async () => {
    const f = fakes();
    f.consume('connector.c1');
    f.consume('connector.c2');
    f.consume('maintenance');
    f.backlog('connector.c1', { ready: 1, held: false });
    f.backlog('connector.c2', { ready: 0, held: false });
    await f.pass(70_000);
    const status = f.watchdog.status();
    expect(status.status === 'stalled' && status.queues.map((q) => q.queue)).toEqual(['connector.c1']);
  });
});
