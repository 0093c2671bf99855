import type { Connection } from 'mongoose';
import { externalIdFor } from '../mapping/external-id';
import { isDuplicateKeyError } from './duplicate-key';

/** A ticket state an older version kept in MongoDB that the new intake must record again. */
export interface CarriedState {
  connectorId: string;
  ticket: Record<string, unknown>;
}

export interface MigrationReport {
  steps: string[];
  /** Unapplied ticket states found in the old `sync_intents` collection. */
  carried: CarriedState[];
}

/**
 * Brings stored documents of earlier versions to the current shapes, at start, before indexes are
 * built. Every step checks before it changes anything, so running it twice (or in several
 * processes at once) changes nothing more.
 */
export async function migrate(connection: Connection): Promise<MigrationReport> {
  const report: MigrationReport = { steps: [], carried: [] };
  const db = connection.db;
  if (!db) throw new Error('migrations need a connected database');
  const names = new Set((await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name));

  // 0.1: the link was unique per Autotask ticket id; a ticket being created has none yet.
  if (names.has('ticket_links')) {
    const links = db.collection('ticket_links');
    for (const index of await links.indexes()) {
      if (index.unique && index.key && Object.keys(index.key).join(',') === 'connectorId,autotaskTicketId') {
        await links.dropIndex(index.name!).catch((error: unknown) => {
          // 27 = IndexNotFound: another process dropped it first.
          if ((error as { code?: number }).code !== 27) throw error;
        });
        report.steps.push('ticket_links: the Autotask ticket id index is no longer unique');
      }
    }
  }

  // 0.1 kept each ticket's desired state and create intent in `sync_intents`.
  if (names.has('sync_intents')) {
    const intents = db.collection('sync_intents');
    const links = db.collection('ticket_links');
    let moved = 0;
    for await (const intent of intents.find({})) {
      const key = { connectorId: intent.connectorId, pcsmTicketId: intent.pcsmTicketId };
      const link = await links.findOne(key);
      if (!link && intent.createStartedAt) {
        // A create of unknown outcome: the next run must look the ticket up before posting again.
        await links
          .insertOne({
            ...key,
            externalId: externalIdFor(String(intent.connectorId), String(intent.pcsmTicketId)),
            autotaskTicketId: null,
            autotaskTicketNumber: null,
            appliedUpdatedAt: new Date(0),
            appliedFields: {},
            appliedSource: null,
            lastSyncedAt: null,
            pcsmNotifiedAt: null,
            createStartedAt: intent.createStartedAt,
            createSnapshotUpdatedAt: intent.createSnapshotUpdatedAt ?? null,
            failure: null,
          })
          .catch((error: unknown) => {
            if (!isDuplicateKeyError(error)) throw error;
          });
      }
      const applied = link?.appliedUpdatedAt instanceof Date ? link.appliedUpdatedAt.getTime() : -1;
      if (intent.desired && intent.desiredUpdatedAt instanceof Date && intent.desiredUpdatedAt.getTime() > applied) {
        report.carried.push({ connectorId: intent.connectorId, ticket: intent.desired });
      }
      moved += 1;
    }
    await intents.drop().catch((error: unknown) => {
      // 26 = NamespaceNotFound: another process dropped it first.
      if ((error as { code?: number }).code !== 26) throw error;
    });
    report.steps.push(`sync_intents: ${moved} intents moved (${report.carried.length} unapplied states carried to the intake)`);
  }
  return report;
}
