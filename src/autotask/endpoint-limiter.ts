/**
 * Autotask allows 3 concurrent requests per (integration code + endpoint) and rejects the rest
 * with "Thread Threshold Exceeded". Calls beyond the limit wait here, first come first served.
 */
export class EndpointLimiter {
  private readonly lanes = new Map<string, { running: number; waiting: Array<() => void> }>();

  constructor(private readonly maxConcurrent: number) {
    if (!Number.isInteger(maxConcurrent) || maxConcurrent < 1) throw new RangeError('maxConcurrent must be a positive integer');
  }

  async run<T>(key: string, task: () => Promise<T>): Promise<T> {
    await this.acquire(key);
    try {
      return await task();
    } finally {
      this.release(key);
    }
  }

  inFlight(key: string): number {
    return this.lanes.get(key)?.running ?? 0;
  }

  waiting(key: string): number {
    return this.lanes.get(key)?.waiting.length ?? 0;
  }

  private acquire(key: string): Promise<void> {
    let lane = this.lanes.get(key);
    if (!lane) {
      lane = { running: 0, waiting: [] };
      this.lanes.set(key, lane);
    }
    if (lane.running < this.maxConcurrent) {
      lane.running += 1;
      return Promise.resolve();
    }
    const queue = lane.waiting;
    return new Promise((resolve) => queue.push(resolve));
  }

  private release(key: string): void {
    const lane = this.lanes.get(key);
    if (!lane) return;
    const next = lane.waiting.shift();
    // The slot passes straight to the oldest waiter, so later arrivals cannot overtake it.
    if (next) {
      next();
      return;
    }
    lane.running -= 1;
    if (lane.running === 0) this.lanes.delete(key);
  }
}
