import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { Schema } from 'mongoose';
import { connectTestDatabase, TestDatabase, testRedisUrl, uniqueName, waitFor } from '../harness/context';

interface TicketLink {
  connectorId: string;
  pcsmTicketId: string;
  claimToken: string;
}

const ticketLinkSchema = new Schema<TicketLink>(
  {
    connectorId: { type: String, required: true },
    pcsmTicketId: { type: String, required: true },
    claimToken: { type: String, required: true },
  },
  { autoIndex: false },
);
ticketLinkSchema.index({ connectorId: 1, pcsmTicketId: 1 }, { unique: true });

describe('test harness', () => {
  describe('MongoDB', () => {
    let db: TestDatabase;

    beforeAll(async () => {
      db = await connectTestDatabase('harness');
    });

    afterAll(async () => {
      await db?.drop();
    });

    function ticketLinks() {
      return db.connection.model<TicketLink>('TicketLink', ticketLinkSchema);
    }

    it('connects mongoose to a server speaking a wire version the driver accepts', async () => {
      const hello = await db.connection.db!.admin().command({ ismaster: 1 });
      expect(hello.ok).toBe(1);
      expect(hello.maxWireVersion).toBeGreaterThanOrEqual(8);
      expect(db.connection.db!.databaseName).toBe(db.dbName);
    });

    it('when the same key is inserted twice › rejects the second with duplicate key 11000', async () => {
      const links = ticketLinks();
      await links.createIndexes();
      await links.create({ connectorId: 'c1', pcsmTicketId: 't1', claimToken: 'a' });
      await links.create({ connectorId: 'c1', pcsmTicketId: 't2', claimToken: 'b' });

      await expect(links.create({ connectorId: 'c1', pcsmTicketId: 't1', claimToken: 'c' })).rejects.toMatchObject({
        code: 11000,
      });
      expect(await links.countDocuments({ connectorId: 'c1' })).toBe(2);
    });

    it('when two callers upsert with $setOnInsert › one document exists and only the first token sticks', async () => {
      const links = ticketLinks();
      await links.createIndexes();
      const claim = (token: string) =>
        links
          .findOneAndUpdate(
            { connectorId: 'c2', pcsmTicketId: 't9' },
            { $setOnInsert: { claimToken: token } },
            { upsert: true, returnDocument: 'after' },
          )
          .lean();

      const first = randomUUID();
      const second = randomUUID();
      const created = await claim(first);
      const existing = await claim(second);

      expect(created?.claimToken).toBe(first);
      expect(existing?.claimToken).toBe(first);
      expect(await links.countDocuments({ connectorId: 'c2', pcsmTicketId: 't9' })).toBe(1);
    });
  });

  describe('Redis', () => {
    let redis: Redis;

    beforeAll(() => {
      redis = new Redis(testRedisUrl(), { maxRetriesPerRequest: 1 });
    });

    afterAll(async () => {
      await redis?.quit();
    });

    it('answers PING', async () => {
      expect(await redis.ping()).toBe('PONG');
    });

    it('keeps every key (maxmemory-policy noeviction, which BullMQ needs)', async () => {
      expect(await redis.config('GET', 'maxmemory-policy')).toEqual(['maxmemory-policy', 'noeviction']);
    });
  });

  describe('helpers', () => {
    it('uniqueName gives distinct names usable as queue prefixes and database names', () => {
      const names = new Set(Array.from({ length: 50 }, () => uniqueName('Some Queue:Prefix/with.dots')));
      expect(names.size).toBe(50);
      for (const name of names) {
        expect(name).toMatch(/^[a-z0-9_-]{1,63}$/);
      }
    });

    it('waitFor resolves with the first truthy value', async () => {
      let calls = 0;
      await expect(waitFor(() => (++calls >= 3 ? calls : 0), { intervalMs: 5 })).resolves.toBe(3);
    });

    it('waitFor fails with the given message when time runs out', async () => {
      await expect(
        waitFor(() => false, { timeoutMs: 50, intervalMs: 10, message: 'ticket never appeared' }),
      ).rejects.toThrow(/ticket never appeared/);
    });
  });
});
