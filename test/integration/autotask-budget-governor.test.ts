import { Redis } from 'ioredis';
import { BudgetGovernor } from '../../src/autotask/budget';
import { testRedisUrl, uniqueName } from '../harness/context';

/** The hourly budget as every process of an install sees it, through one Redis. */
describe('the Autotask budget governor', () => {
  let redis: Redis;
  let prefix: string;
  let now: number;
  const governor = (options: { recheckMs?: number } = {}) => new BudgetGovernor(redis, { prefix, now: () => now, ...options });
  const reading = (used: number, limit = 10_000) => ({ currentTimeframeRequestCount: used, externalRequestThreshold: limit, requestThresholdTimeframe: 60 });

  beforeAll(() => {
    redis = new Redis(testRedisUrl());
  });
  beforeEach(() => {
    prefix = uniqueName('budget');
    now = Date.UTC(2026, 11, 3, 12, 0, 0);
  });
  afterEach(async () => {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
  });
  afterAll(() => redis.disconnect());

  it('counts the calls of every process in the rolling hour', async () => {
    const a = governor();
    const b = governor();
    for (let i = 0; i < 30; i += 1) a.recordCall('db1');
    for (let i = 0; i < 12; i += 1) b.recordCall('db1');
    b.recordCall('db2');
    await Promise.all([a.flush(), b.flush()]);
    expect(await governor().standing('db1')).toMatchObject({ used: 42, own: 42, limit: 10_000, readAt: null });
    // An hour and a minute later those calls have left the window.
    now += 61 * 60_000;
    expect((await governor().standing('db1')).used).toBe(0);
  });

  it('adds the calls made since the last ThresholdInformation reading to it', async () => {
    const g = governor();
    await g.recordReading('db1', reading(9_600));
    now += 20_000;
    for (let i = 0; i < 5; i += 1) g.recordCall('db1');
    await g.flush();
    now += 2_000;
    expect(await governor().standing('db1')).toMatchObject({ used: 9_605, limit: 10_000, own: 5 });
  });

  it('lets each rank spend only its share: at 96 % new tickets go through, updates and reconciliation wait', async () => {
    const g = governor({ recheckMs: 300_000 });
    await g.recordReading('db1', reading(9_600));
    expect(await g.admit('db1', 0.99)).toMatchObject({ admitted: true });
    const held = await g.admit('db1', 0.95);
    expect(held).toMatchObject({ admitted: false, retryAt: now + 300_000, reason: expect.stringContaining('9600 of 10000') });
  });

  it('reads ThresholdInformation before low-ranked work at most once a minute across processes', async () => {
    let reads = 0;
    const read = async () => {
      reads += 1;
      return reading(1_000);
    };
    const a = governor();
    const b = governor();
    expect(await a.admit('db1', 0.85, read)).toMatchObject({ admitted: true, standing: { used: 1_000 } });
    expect(await b.admit('db1', 0.85, read)).toMatchObject({ admitted: true });
    now += 30_000;
    await a.admit('db1', 0.85, read);
    expect(reads).toBe(1);
    now += 31_000;
    await redis.del(`${prefix}:autotask-budget:db1:reading-lock`); // the lock's own TTL runs on Redis's clock
    await b.admit('db1', 0.85, read);
    expect(reads).toBe(2);
  });
});
