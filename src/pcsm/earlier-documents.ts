/**
 * The documents versions before the RMM port stored, when PCSM was the only RMM: the connector's
 * `pcsm` block, `pcsmTicketId` on links, the `pcsm_profiles` collection, the `pcsm` watermark and
 * catalogue side, and 0.1's `sync_intents`. Each step moves them to the RMM-neutral shapes, at
 * start, checking before it changes anything (a second run, or another process, changes nothing more).
 */
import { externalIdFor } from '../mapping/external-id';
import { collectionExists, dropCollection, dropIndex, type CarriedState, type Migration, type MigrationTools } from '../store/migration-tools';
import { isDuplicateKeyError } from '../store/duplicate-key';

/** The externalID tag PCSM tickets have always carried. */
const TAG = 'PCSM';
/** Links are rewritten in batches of this many. */
const BATCH = 1_000;
type Db = MigrationTools['db'];

/** `pcsm: { … }` → `rmm: { kind: 'pcsm', … }`, its secrets sealed again for their new field names; mapping rows `pcsm` → `rmm`. */
const connectorBlocks: Migration = {
  async run({ db, secrets }) {
    if (!(await collectionExists(db, 'connectors'))) return none();
    const connectors = db.collection('connectors');
    let moved = 0;
    for await (const doc of connectors.find({ pcsm: { $exists: true }, rmm: { $exists: false } })) {
      const id = String(doc._id);
      const pcsm = doc.pcsm as Record<string, unknown>;
      // A sealed secret is bound to its connector and field: open it under the old name, seal it under the new one.
      const reseal = (field: string) => {
        const sealed = pcsm[field];
        return typeof sealed === 'string' ? secrets.seal(secrets.open(sealed, `${id}/pcsm.${field}`), `${id}/rmm.${field}`) : sealed;
      };
      const rmm = { kind: 'pcsm', ...pcsm, apiKey: reseal('apiKey'), webhookSecret: reseal('webhookSecret') };
      const result = await connectors.updateOne(
        { _id: doc._id, pcsm: { $exists: true }, rmm: { $exists: false } },
        { $set: { rmm, mappings: renameRows(doc.mappings) }, $unset: { pcsm: '' } },
      );
      moved += result.modifiedCount;
    }
    return moved > 0 ? { steps: [`connectors: ${moved} PCSM block(s) moved to rmm`], carried: [] } : none();
  },
};

/** Links name the RMM's ticket `rmmTicketId`; the unique index on the old name goes first (the new one is built after). */
const linkFields: Migration = {
  async run({ db }) {
    if (!(await collectionExists(db, 'ticket_links'))) return none();
    const links = db.collection('ticket_links');
    const steps: string[] = [];
    for (const index of await links.indexes()) {
      if (index.key && Object.keys(index.key).includes('pcsmTicketId')) {
        await dropIndex(links, index.name!);
        steps.push(`ticket_links: index ${index.name} on pcsmTicketId dropped`);
      }
    }
    let moved = 0;
    for (;;) {
      const batch = await links.find({ pcsmTicketId: { $exists: true } }, { projection: { pcsmTicketId: 1, pcsmNotifiedAt: 1 } }).limit(BATCH).toArray();
      if (batch.length === 0) break;
      const result = await links.bulkWrite(
        batch.map((doc) => ({
          updateOne: {
            filter: { _id: doc._id, pcsmTicketId: doc.pcsmTicketId },
            update: {
              $set: { rmmTicketId: doc.pcsmTicketId, rmmNotifiedAt: doc.pcsmNotifiedAt ?? null, rmmStatus: null, notes: {} },
              $unset: { pcsmTicketId: '', pcsmNotifiedAt: '' },
            },
          },
        })),
        { ordered: false },
      );
      moved += result.modifiedCount;
    }
    if (moved > 0) steps.push(`ticket_links: ${moved} link(s) now name rmmTicketId`);
    return { steps, carried: [] };
  },
};

/** `pcsm_profiles` → `rmm_sites` (profileId → siteId). */
const profiles: Migration = {
  async run({ db }) {
    if (!(await collectionExists(db, 'pcsm_profiles'))) return none();
    const sites = db.collection('rmm_sites');
    let moved = 0;
    for await (const doc of db.collection('pcsm_profiles').find({})) {
      const { _id, profileId, ...rest } = doc;
      await sites
        .updateOne({ connectorId: doc.connectorId, siteId: profileId }, { $setOnInsert: { ...rest, siteId: profileId } }, { upsert: true })
        .catch((error: unknown) => {
          if (!isDuplicateKeyError(error)) throw error;
        });
      moved += 1;
    }
    await dropCollection(db, 'pcsm_profiles');
    return { steps: [`pcsm_profiles: ${moved} profile(s) moved to rmm_sites`], carried: [] };
  },
};

/** The PCSM watermark is the RMM's; a catalogue read with a `pcsm` side is read again when next needed. */
const watermarksAndCatalogues: Migration = {
  async run({ db }) {
    const steps: string[] = [];
    if (await collectionExists(db, 'watermarks')) {
      const result = await db.collection('watermarks').updateMany({ source: 'pcsm' }, { $set: { source: 'rmm' } });
      if (result.modifiedCount > 0) steps.push(`watermarks: ${result.modifiedCount} PCSM watermark(s) are the RMM's`);
    }
    if (await collectionExists(db, 'catalogues')) {
      const result = await db.collection('catalogues').deleteMany({ pcsm: { $exists: true } });
      if (result.deletedCount > 0) steps.push(`catalogues: ${result.deletedCount} catalogue(s) of the earlier shape dropped (read again when needed)`);
    }
    return { steps, carried: [] };
  },
};

/** 0.1 kept each ticket's desired state and create intent in `sync_intents`. */
const syncIntents: Migration = {
  async run({ db }) {
    if (!(await collectionExists(db, 'sync_intents'))) return none();
    const intents = db.collection('sync_intents');
    const links = db.collection('ticket_links');
    const carried: CarriedState[] = [];
    let moved = 0;
    for await (const intent of intents.find({})) {
      const key = { connectorId: intent.connectorId, rmmTicketId: intent.pcsmTicketId };
      const link = await links.findOne(key);
      if (!link && intent.createStartedAt) {
        // A create of unknown outcome: the next run must look the ticket up before posting again.
        await links
          .insertOne({
            ...key,
            externalId: externalIdFor(String(intent.connectorId), TAG, String(intent.pcsmTicketId)),
            autotaskTicketId: null,
            autotaskTicketNumber: null,
            appliedUpdatedAt: new Date(0),
            appliedFields: {},
            appliedSource: null,
            lastSyncedAt: null,
            rmmNotifiedAt: null,
            createStartedAt: intent.createStartedAt,
            createSnapshotUpdatedAt: intent.createSnapshotUpdatedAt ?? null,
            failure: null,
            notes: {},
          })
          .catch((error: unknown) => {
            if (!isDuplicateKeyError(error)) throw error;
          });
      }
      const applied = link?.appliedUpdatedAt instanceof Date ? link.appliedUpdatedAt.getTime() : -1;
      if (intent.desired && intent.desiredUpdatedAt instanceof Date && intent.desiredUpdatedAt.getTime() > applied) {
        carried.push({ connectorId: intent.connectorId, ticket: intent.desired });
      }
      moved += 1;
    }
    await dropCollection(db, 'sync_intents');
    return { steps: [`sync_intents: ${moved} intents moved (${carried.length} unapplied states carried to the intake)`], carried };
  },
};

/** In this order: links must name rmmTicketId before the 0.1 intents are matched to them. */
export const PCSM_EARLIER_DOCUMENTS: readonly Migration[] = [connectorBlocks, linkFields, profiles, watermarksAndCatalogues, syncIntents];

function renameRows(mappings: unknown): unknown {
  if (typeof mappings !== 'object' || mappings === null) return mappings;
  const next: Record<string, unknown> = { ...(mappings as Record<string, unknown>) };
  for (const list of ['statuses', 'reverseStatuses', 'severities']) {
    const rows = next[list];
    if (!Array.isArray(rows)) continue;
    next[list] = rows.map((row: Record<string, unknown>) => {
      if (!row || typeof row !== 'object' || !('pcsm' in row)) return row;
      const { pcsm, ...rest } = row;
      return { ...rest, rmm: pcsm };
    });
  }
  return next;
}

function none() {
  return { steps: [] as string[], carried: [] as CarriedState[] };
}
