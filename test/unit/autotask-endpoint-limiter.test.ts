import { EndpointLimiter } from '../../src/autotask/endpoint-limiter';

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((done) => { resolve = done; });
  return { promise, resolve };
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('the per-endpoint limiter', () => {
  it('runs at most the configured number of tasks at once per key', async () => {
    const limiter = new EndpointLimiter(3);
    let running = 0;
    let peak = 0;
    const gates = Array.from({ length: 6 }, () => deferred());
    const all = gates.map((gate) =>
      limiter.run('c1:tickets', async () => {
        running += 1;
        peak = Math.max(peak, running);
        await gate.promise;
        running -= 1;
      }),
    );
    await tick();
    expect(limiter.inFlight('c1:tickets')).toBe(3);
    expect(limiter.waiting('c1:tickets')).toBe(3);
    gates.forEach((gate) => gate.resolve());
    await Promise.all(all);
    expect(peak).toBe(3);
    expect(limiter.inFlight('c1:tickets')).toBe(0);
  });

  it('starts queued tasks in arrival order', async () => {
    const limiter = new EndpointLimiter(1);
    const started: number[] = [];
    const gates = Array.from({ length: 4 }, () => deferred());
    const all = gates.map((gate, index) =>
      limiter.run('k', async () => {
        started.push(index);
        await gate.promise;
      }),
    );
    for (const gate of gates) {
      await tick();
      gate.resolve();
    }
    await Promise.all(all);
    expect(started).toEqual([0, 1, 2, 3]);
  });

  it('keeps different keys independent', async () => {
    const limiter = new EndpointLimiter(1);
    const gate = deferred();
    const blocked = limiter.run('c1:tickets', () => gate.promise);
    let otherRan = false;
    await limiter.run('c1:companies', async () => { otherRan = true; });
    expect(otherRan).toBe(true);
    gate.resolve();
    await blocked;
  });

  it('frees the slot when a task fails', async () => {
    const limiter = new EndpointLimiter(1);
    await expect(limiter.run('k', () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(limiter.run('k', () => Promise.resolve('ok'))).resolves.toBe('ok');
    expect(limiter.inFlight('k')).toBe(0);
  });

  it('refuses a limit below one', () => {
    expect(() => new EndpointLimiter(0)).toThrow(RangeError);
  });
});
