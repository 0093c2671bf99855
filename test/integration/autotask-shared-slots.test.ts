import { Redis } from 'ioredis';
import { AutotaskClient } from '../../src/autotask/client';
import { RedisEndpointSlots } from '../../src/autotask/shared-endpoint-slots';
import { DEFAULT_CREDENTIALS, startAutotaskSimulator, type AutotaskSimulator } from '../../src/simulators/autotask';
import { testRedisUrl, uniqueName, waitFor } from '../harness/context';

/** Autotask's thread limit across worker replicas: two clients stand for two processes. */
describe('endpoint slots shared through Redis', () => {
  let sim: AutotaskSimulator;
  let redis: Redis;
  const prefix = uniqueName('slots');

  beforeAll(async () => {
    sim = await startAutotaskSimulator({ port: 0 });
    redis = new Redis(testRedisUrl());
  });

  afterAll(async () => {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
    await sim.close();
  });

  beforeEach(() => {
    sim.reset();
    sim.faults.latencyMs = 150;
  });

  const replica = (sharedSlots?: RedisEndpointSlots) =>
    new AutotaskClient({ zoneLookupUrl: sim.zoneLookupUrl, retries: 0, ...(sharedSlots ? { sharedSlots } : {}) }).session('c1', {
      ...DEFAULT_CREDENTIALS,
      zoneUrl: sim.zoneUrl,
    });

  const requests = () => sim.requests.filter((r) => r.entity === 'Tickets').length;

  /** Four reads from each of two replicas at once: eight requests on one endpoint. */
  const burst = async (a: ReturnType<typeof replica>, b: ReturnType<typeof replica>) =>
    Promise.allSettled([a, b].flatMap((client) => Array.from({ length: 4 }, (_, i) => client.getTicket(i + 1))));

  it('keeps two replicas to 3 requests in flight together, so Autotask refuses none', async () => {
    const slots = new RedisEndpointSlots(redis, { prefix, limit: 3, slotTtlMs: 30_000 });
    const results = await burst(replica(slots), replica(slots));
    expect(results.filter((r) => r.status === 'rejected')).toHaveLength(0);
    expect(sim.peakConcurrency('Tickets')).toBe(3);
    // Slots are kept a moment for the next call, then given back.
    await waitFor(async () => (await redis.zcard(`${prefix}:autotask-slots:c1.tickets`)) === 0, { message: 'every slot to be given back' });
  });

  it('hands a slot from one call to the next of the same process without asking Redis again', async () => {
    const slots = new RedisEndpointSlots(redis, { prefix: `${prefix}-reuse`, limit: 3, slotTtlMs: 30_000, idleMs: 200 });
    const client = replica(slots);
    const takes = jest.spyOn(redis as unknown as { autotaskTakeSlot(...args: unknown[]): Promise<number> }, 'autotaskTakeSlot');
    for (let i = 1; i <= 5; i += 1) await client.getTicket(i);
    expect(sim.requests.filter((r) => r.entity === 'Tickets')).toHaveLength(5);
    expect(takes).toHaveBeenCalledTimes(1);
    takes.mockRestore();
    await waitFor(async () => (await redis.zcard(`${prefix}-reuse:autotask-slots:c1.tickets`)) === 0, { message: 'the idle slot to be given back' });
  });

  it('without shared slots, two replicas exceed the limit and Autotask refuses some', async () => {
    const results = await burst(replica(), replica());
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(refused.length).toBeGreaterThan(0);
    expect(String(refused[0]!.reason.message)).toMatch(/thread threshold/i);
  });

  it('frees the slot of a holder that died once its time runs out', async () => {
    const slots = new RedisEndpointSlots(redis, { prefix: `${prefix}-dead`, limit: 1, slotTtlMs: 300 });
    // A replica took the only slot and never gave it back.
    const key = `${prefix}-dead:autotask-slots:c1.tickets`;
    await redis.zadd(key, Date.now() + 300, 'dead-replica');
    await expect(replica(slots).getTicket(1)).resolves.toBeDefined();
    expect(await redis.zscore(key, 'dead-replica')).toBeNull();
    expect(requests()).toBe(1);
  });
});
