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

/** A slot this process just used, kept for the next call of the same endpoint instead of a round trip to Redis. */
interface IdleSlot {
  token: string;
  takenAt: number;
  release: NodeJS.Timeout;
}

/**
 * Autotask's thread limit (3 concurrent requests per integration and endpoint) holds across every
 * worker replica, not just within one process: a request beyond it is refused and still counts
 * against the hourly budget. Each request holds a slot in a Redis sorted set while it runs.
 *
 * Under load a slot goes straight from one call to the next of the same process (no Redis command
 * for either), but for at most `reuseMs` from when it was taken, so other replicas get their turn;
 * a slot nobody picks up within `idleMs` is given back.
 */
export class RedisEndpointSlots implements EndpointSlots {
  private readonly idle = new Map<string, IdleSlot[]>();

  constructor(
    private readonly redis: Redis,
    private readonly options: { prefix: string; limit: number; slotTtlMs: number; pollMs?: number; reuseMs?: number; idleMs?: number },
  ) {
    // EVALSHA: the script is sent once per connection, not with every call.
    redis.defineCommand('autotaskTakeSlot', { numberOfKeys: 1, lua: TAKE_SLOT });
  }

  async run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const slotKey = `${this.options.prefix}:autotask-slots:${key}`;
    const slot = this.reuse(slotKey) ?? { token: randomUUID(), takenAt: 0 };
    if (slot.takenAt === 0) {
      await this.take(slotKey, slot.token);
      slot.takenAt = Date.now();
    }
    try {
      return await task();
    } finally {
      this.park(slotKey, slot.token, slot.takenAt);
    }
  }

  private reuse(slotKey: string): { token: string; takenAt: number } | undefined {
    const slots = this.idle.get(slotKey);
    const slot = slots?.pop();
    if (!slot) return undefined;
    clearTimeout(slot.release);
    if (slots!.length === 0) this.idle.delete(slotKey);
    return { token: slot.token, takenAt: slot.takenAt };
  }

  private park(slotKey: string, token: string, takenAt: number): void {
    if (Date.now() - takenAt >= (this.options.reuseMs ?? 2_000)) {
      this.release(slotKey, token);
      return;
    }
    const slot: IdleSlot = {
      token,
      takenAt,
      release: setTimeout(() => {
        const slots = this.idle.get(slotKey) ?? [];
        const at = slots.indexOf(slot);
        if (at >= 0) slots.splice(at, 1);
        if (slots.length === 0) this.idle.delete(slotKey);
        this.release(slotKey, token);
      }, this.options.idleMs ?? 25),
    };
    slot.release.unref();
    this.idle.set(slotKey, [...(this.idle.get(slotKey) ?? []), slot]);
  }

  private release(slotKey: string, token: string): void {
    // Not awaited: this connection sends it before any later take, and the caller need not wait for it.
    this.redis.zrem(slotKey, token).catch(() => undefined);
  }

  private async take(slotKey: string, token: string): Promise<void> {
    const poll = this.options.pollMs ?? 25;
    for (let attempt = 0; ; attempt += 1) {
      const taken = await (this.redis as unknown as { autotaskTakeSlot(...args: Array<string | number>): Promise<number> }).autotaskTakeSlot(
        slotKey,
        this.options.slotTtlMs,
        this.options.limit,
        token,
      );
      if (taken === 1) return;
      // Jittered, slowly growing waits keep several replicas from polling in step.
      await new Promise((resolve) => setTimeout(resolve, Math.min(poll * (1 + attempt / 4), 250) * (0.5 + Math.random())));
    }
  }
}
