import { randomBytes } from 'node:crypto';
import { createStore } from '../../src/store';
import { migrate } from '../../src/store/migrations';
import { SecretBox } from '../../src/store/secret-box';
import { connectTestDatabase, testRedisUrl, uniqueName, type TestDatabase } from '../harness/context';
import { Redis } from 'ioredis';

/** Stored documents of earlier versions are brought to the current shapes at start, and a second run changes nothing. */
describe('migrations at start', () => {
  let db: TestDatabase;
  const key = randomBytes(32);
  const secrets = new SecretBox(key);

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

    const first = await migrate(db.connection, secrets);
    expect(first.steps).toEqual(
      expect.arrayContaining([
        'ticket_links: the Autotask ticket id index is no longer unique',
        expect.stringMatching(/^sync_intents: 3 intents moved \(2 unapplied/),
      ]),
    );
    expect(first.carried.map((c) => c.ticket.id).sort()).toEqual(['T-creating', 'T-newer']);
    const index = (await links.indexes()).find((i) => Object.keys(i.key).join(',') === 'connectorId,autotaskTicketId');
    expect(index?.unique).toBeFalsy();
    expect(await links.findOne({ connectorId: 'c1', rmmTicketId: 'T-creating' })).toMatchObject({
      autotaskTicketId: null,
      createStartedAt: new Date('2026-11-27T13:00:01Z'),
      externalId: expect.stringMatching(/^PCSM-[0-9a-f]{8}-T-creating$/),
    });
    const names = (await raw.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name);
    expect(names).not.toContain('sync_intents');

    const second = await migrate(db.connection, secrets);
    expect(second).toEqual({ steps: [], carried: [] });
  });

  it('moves a PCSM-era connector, its links, profiles, watermark and catalogue to the RMM shapes, secrets still readable, once', async () => {
    const raw = db.connection.db!;
    // A connector as versions before the RMM port stored it: the `pcsm` block, secrets sealed under pcsm.* names.
    await raw.collection('connectors').insertOne({
      _id: 'c1' as never,
      name: 'Contoso MSP',
      pcsm: {
        accountId: 'acc-1',
        apiUrl: 'http://127.0.0.1:4001',
        apiKey: secrets.seal('the-pcsm-api-key', 'c1/pcsm.apiKey'),
        webhookSecret: secrets.seal('the-pcsm-webhook-secret', 'c1/pcsm.webhookSecret'),
      },
      autotask: {
        username: 'api@contoso.example',
        secret: secrets.seal('autotask-secret', 'c1/autotask.secret'),
        integrationCode: secrets.seal('integration-code', 'c1/autotask.integrationCode'),
        zoneUrl: null,
        impersonationResourceId: null,
        webhookSecret: null,
      },
      callout: null,
      mappings: {
        profiles: [{ profileId: 'P-1', companyId: 174 }],
        queueId: 29683498,
        statuses: [{ pcsm: 'New', autotask: 1 }],
        reverseStatuses: [{ autotask: 13, pcsm: 'New' }],
        severities: [{ pcsm: 4, autotask: 4 }],
        allocationCodeId: 29682801,
      },
      newProfilePolicy: 'manual',
      problems: [],
      suspension: null,
      revision: 3,
      createdAt: new Date(),
      updatedAt: new Date(),
    });
    const links = raw.collection('ticket_links');
    await links.createIndex({ connectorId: 1, pcsmTicketId: 1 }, { unique: true });
    await links.insertMany([
      { connectorId: 'c1', pcsmTicketId: 'T-1', externalId: 'PCSM-x-T-1', autotaskTicketId: 11, pcsmNotifiedAt: new Date('2026-11-27T12:00:00Z'), appliedUpdatedAt: new Date() },
      { connectorId: 'c1', pcsmTicketId: 'T-2', externalId: 'PCSM-x-T-2', autotaskTicketId: 12, pcsmNotifiedAt: null, appliedUpdatedAt: new Date() },
    ]);
    await raw.collection('pcsm_profiles').insertOne({ connectorId: 'c1', profileId: 'P-1', name: 'Contoso', description: null, updatedAt: new Date(), seenAt: new Date() });
    await raw.collection('watermarks').insertOne({ connectorId: 'c1', source: 'pcsm', value: new Date('2026-11-27T12:00:00Z'), idsAtValue: [], updatedAt: new Date() });
    await raw.collection('catalogues').insertOne({ connectorId: 'c1', readAt: new Date(), autotask: {}, pcsm: { profiles: [], statuses: [] }, calls: { autotask: 1, pcsm: 1 } });

    const first = await migrate(db.connection, secrets);
    expect(first.steps).toEqual(
      expect.arrayContaining([
        'connectors: 1 PCSM block(s) moved to rmm',
        'ticket_links: 2 link(s) now name rmmTicketId',
        'pcsm_profiles: 1 profile(s) moved to rmm_sites',
        expect.stringMatching(/^watermarks: 1 /),
        expect.stringMatching(/^catalogues: 1 /),
      ]),
    );

    // The store reads the moved connector: secrets open under their new names, rows name `rmm`.
    const redis = new Redis(testRedisUrl(), { lazyConnect: true });
    try {
      const store = createStore({ connection: db.connection, secretsKey: key, redis, prefix: uniqueName('migrations'), burstResetMs: 60_000 });
      await store.ensureIndexes();
      const connector = await store.connectors.get('c1');
      expect(connector?.rmm).toEqual({ kind: 'pcsm', accountId: 'acc-1', apiUrl: 'http://127.0.0.1:4001', apiKey: 'the-pcsm-api-key', webhookSecret: 'the-pcsm-webhook-secret' });
      expect(connector?.mappings).toMatchObject({ statuses: [{ rmm: 'New', autotask: 1 }], reverseStatuses: [{ autotask: 13, rmm: 'New' }], severities: [{ rmm: 4, autotask: 4 }] });
      expect(await store.ticketLinks.get('c1', 'T-1')).toMatchObject({ rmmTicketId: 'T-1', autotaskTicketId: 11, rmmNotifiedAt: new Date('2026-11-27T12:00:00Z') });
      expect(await links.countDocuments({ pcsmTicketId: { $exists: true } })).toBe(0);
      // The new unique key holds: a second link for T-1 is refused.
      await expect(links.insertOne({ connectorId: 'c1', rmmTicketId: 'T-1', externalId: 'dup' })).rejects.toMatchObject({ code: 11000 });
      expect((await store.rmmSites.list('c1')).map((site) => site.siteId)).toEqual(['P-1']);
      expect(await store.watermarks.get('c1', 'rmm')).toMatchObject({ value: new Date('2026-11-27T12:00:00Z') });
      expect(await store.catalogues.get('c1')).toBeNull();
    } finally {
      redis.disconnect();
    }

    const second = await migrate(db.connection, secrets);
    expect(second).toEqual({ steps: [], carried: [] });
  });
});
