import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';

/** Endpoint slots shared by every process of an install (one worker per replica). */
export interface EndpointSlots {
  run<T>(key: string, task: () => Promise<T>): Promise<T>;
}

/**
 * Takes a slot if fewer than `limit` unexpired holders exist; Redis's own clock keeps replicas on
 * different hosts in agreement. A holder that dies frees its slot when the slot's time runs out.
 */
const TAKE_SLOT = `
local now = redis.call('TIME')
local nowMs = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', nowMs)
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[2]) then
  redis.call('ZADD', KEYS[1], nowMs + tonumber(ARGV[1]), ARGV[3])
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  return 1
end
return 0
`;

/**
 * Autotask's thread limit (3 concurrent requests per integration and endpoint) holds across every
 * worker replica, not just within one process: a request beyond it is refused and still counts
 * against the hourly budget. Each request holds a slot in a Redis sorted set while it runs.
 */
export class RedisEndpointSlots implements EndpointSlots {
  constructor(
    private readonly redis: Redis,
    private readonly options: { prefix: string; limit: number; slotTtlMs: number; pollMs?: number },
  ) {}

  async run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const slotKey = `${this.options.prefix}:autotask-slots:${key}`;
    const token = randomUUID();
    await this.take(slotKey, token);
    try {
      return await task();
    } finally {
      // Not awaited: this connection sends it before any later take, and the caller need not wait for it.
      this.redis.zrem(slotKey, token).catch(() => undefined);
    }
  }

  private async take(slotKey: string, token: string): Promise<void> {
    const poll = this.options.pollMs ?? 25;
    for (let attempt = 0; ; attempt += 1) {
      const taken = await this.redis.eval(TAKE_SLOT, 1, slotKey, this.options.slotTtlMs, this.options.limit, token);
      if (taken === 1) return;
      // Jittered, slowly growing waits keep several replicas from polling in step.
      await new Promise((resolve) => setTimeout(resolve, Math.min(poll * (1 + attempt / 4), 250) * (0.5 + Math.random())));
    }
  }
}
