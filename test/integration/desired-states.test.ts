import { Redis } from 'ioredis';
import { DesiredStateStore } from '../../src/store/desired-states';
import { testRedisUrl, uniqueName } from '../harness/context';

/** Each ticket's desired state in Redis: newest wins, applied states settle it, holds keep it back. */
describe('desired ticket states', () => {
  let redis: Redis;
  let store: DesiredStateStore;
  let prefix: string;

  beforeAll(() => {
    redis = new Redis(testRedisUrl());
  });
  beforeEach(() => {
    prefix = uniqueName('desired');
    store = new DesiredStateStore(redis, { prefix, burstResetMs: 60_000 });
  });
  afterEach(async () => {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
  });
  afterAll(() => redis.disconnect());

  it('keeps the newest state whatever the order of arrival, and lists the ticket as pending', async () => {
    expect((await store.record('c1', 'T-1', 2_000, '{"v":2}')).newer).toBe(true);
    expect((await store.record('c1', 'T-1', 1_000, '{"v":1}')).newer).toBe(false);
    expect((await store.record('c1', 'T-1', 2_000, '{"v":"again"}')).newer).toBe(false);
    const { state } = await store.read('c1', 'T-1');
    expect(state).toMatchObject({ desired: '{"v":2}', desiredUpdatedAt: 2_000, appliedUpdatedAt: -1, linked: false });
    expect(await store.pending('c1', { limit: 10 })).toEqual([{ ticketId: 'T-1', since: expect.any(Number) }]);
  });

  it('settles once the newest state is applied: nothing pending, the state dropped, the write counted', async () => {
    await store.record('c1', 'T-2', 1_000, '{}');
    await store.markApplied('c1', 'T-2', 1_000, { linked: true, wrote: true });
    const { state } = await store.read('c1', 'T-2');
    expect(state).toMatchObject({ desired: null, appliedUpdatedAt: 1_000, firstPendingAt: null, linked: true, writesInBurst: 1, lastWriteAt: expect.any(Number) });
    expect(await store.pendingCount('c1')).toBe(0);
    expect(await redis.pttl(`${prefix}:desired:c1:T-2`)).toBeGreaterThan(0);
    // An event older than what Autotask has is no news.
    expect((await store.record('c1', 'T-2', 900, '{}')).newer).toBe(false);
  });

  it('stays pending when a newer state arrived while an older one was written', async () => {
    await store.record('c1', 'T-3', 1_000, '{"v":1}');
    await store.record('c1', 'T-3', 2_000, '{"v":2}');
    await store.markApplied('c1', 'T-3', 1_000, { linked: true, wrote: true });
    const { state } = await store.read('c1', 'T-3');
    expect(state).toMatchObject({ desired: '{"v":2}', appliedUpdatedAt: 1_000, firstPendingAt: expect.any(Number) });
    expect(await store.pendingCount('c1')).toBe(1);
  });

  it('keeps a refusal until a newer state arrives, and a backoff until it is lifted', async () => {
    await store.record('c1', 'T-4', 1_000, '{}');
    await store.markRefused('c1', 'T-4', 1_000);
    await store.holdUntil('c1', 'T-4', 42);
    expect((await store.read('c1', 'T-4')).state).toMatchObject({ refusedUpdatedAt: 1_000, retryNotBefore: 42 });
    await store.record('c1', 'T-4', 1_500, '{}');
    expect((await store.read('c1', 'T-4')).state).toMatchObject({ refusedUpdatedAt: null, retryNotBefore: 42 });
    await store.clearHolds('c1', 'T-4');
    expect((await store.read('c1', 'T-4')).state).toMatchObject({ refusedUpdatedAt: null, retryNotBefore: null });
  });

  it('starts a new burst when a ticket was quiet for the reset interval', async () => {
    const quick = new DesiredStateStore(redis, { prefix, burstResetMs: 50 });
    await quick.record('c1', 'T-5', 1, '{}');
    await quick.markApplied('c1', 'T-5', 1, { linked: true, wrote: true });
    await quick.record('c1', 'T-5', 2, '{}');
    await quick.markApplied('c1', 'T-5', 2, { linked: true, wrote: true });
    expect((await quick.read('c1', 'T-5')).state?.writesInBurst).toBe(2);
    await new Promise((resolve) => setTimeout(resolve, 80));
    await quick.record('c1', 'T-5', 3, '{}');
    await quick.markApplied('c1', 'T-5', 3, { linked: true, wrote: true });
    expect((await quick.read('c1', 'T-5')).state?.writesInBurst).toBe(1);
  });

  it('knows nothing of a ticket it never heard of', async () => {
    expect((await store.read('c1', 'T-none')).state).toBeNull();
  });
});
