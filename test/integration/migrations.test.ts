import { migrate } from '../../src/store/migrations';
import { connectTestDatabase, type TestDatabase } from '../harness/context';

/** Stored documents of 0.1 are brought to the current shapes at start, and a second run changes nothing. */
describe('migrations at start', () => {
  let db: TestDatabase;

  beforeEach(async () => {
    db = await connectTestDatabase('migrations');
  });
  afterEach(async () => {
    await db.drop();
  });

  it('drops the unique Autotask-id index and carries 0.1 sync intents over, once', async () => {
    const raw = db.connection.db!;
    const links = raw.collection('ticket_links');
    await links.createIndex({ connectorId: 1, autotaskTicketId: 1 }, { unique: true });
    await links.insertOne({ connectorId: 'c1', pcsmTicketId: 'T-applied', externalId: 'x', autotaskTicketId: 7, appliedUpdatedAt: new Date('2026-11-27T12:00:00Z') });
    const intents = raw.collection('sync_intents');
    await intents.insertMany([
      // Applied already: nothing to carry.
      { connectorId: 'c1', pcsmTicketId: 'T-applied', desired: { id: 'T-applied' }, desiredUpdatedAt: new Date('2026-11-27T12:00:00Z'), createStartedAt: null },
      // A newer state than the one applied.
      { connectorId: 'c1', pcsmTicketId: 'T-newer', desired: { id: 'T-newer', title: 'newer' }, desiredUpdatedAt: new Date('2026-11-27T13:00:00Z'), createStartedAt: null },
      // A create whose answer was lost: the next run must look before it posts.
      { connectorId: 'c1', pcsmTicketId: 'T-creating', desired: { id: 'T-creating' }, desiredUpdatedAt: new Date('2026-11-27T13:00:00Z'), createStartedAt: new Date('2026-11-27T13:00:01Z'), createSnapshotUpdatedAt: new Date('2026-11-27T13:00:00Z') },
    ]);

    const first = await migrate(db.connection);
    expect(first.steps).toHaveLength(2);
    expect(first.carried.map((c) => c.ticket.id).sort()).toEqual(['T-creating', 'T-newer']);
    const index = (await links.indexes()).find((i) => Object.keys(i.key).join(',') === 'connectorId,autotaskTicketId');
    expect(index?.unique).toBeFalsy();
    expect(await links.findOne({ connectorId: 'c1', pcsmTicketId: 'T-creating' })).toMatchObject({
      autotaskTicketId: null,
      createStartedAt: new Date('2026-11-27T13:00:01Z'),
      externalId: expect.stringMatching(/^PCSM-[0-9a-f]{8}-T-creating$/),
    });
    const names = (await raw.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name);
    expect(names).not.toContain('sync_intents');

    const second = await migrate(db.connection);
    expect(second).toEqual({ steps: [], carried: [] });
  });
});
