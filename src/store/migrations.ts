import type { Connection } from 'mongoose';
import { ADAPTERS } from '../rmm/registry';
import { collectionExists, dropIndex, type Migration, type MigrationReport } from './migration-tools';
import type { SecretBox } from './secret-box';

export type { CarriedState, MigrationReport } from './migration-tools';

/**
 * Brings stored documents of earlier versions to the current shapes, at start, before indexes are
 * built: the store's own steps first, then each RMM adapter's.
 */
export async function migrate(connection: Connection, secrets: SecretBox): Promise<MigrationReport> {
  const db = connection.db;
  if (!db) throw new Error('migrations need a connected database');
  const report: MigrationReport = { steps: [], carried: [] };
  for (const migration of [dropUniqueAutotaskIdIndex, ...ADAPTERS.flatMap((adapter) => adapter.migrations ?? [])]) {
    const done = await migration.run({ db, secrets });
    report.steps.push(...done.steps);
    report.carried.push(...done.carried);
  }
  return report;
}

/** 0.1: the link was unique per Autotask ticket id; a ticket being created has none yet. */
const dropUniqueAutotaskIdIndex: Migration = {
  async run({ db }) {
    const steps: string[] = [];
    if (!(await collectionExists(db, 'ticket_links'))) return { steps, carried: [] };
    const links = db.collection('ticket_links');
    for (const index of await links.indexes()) {
      if (index.unique && index.key && Object.keys(index.key).join(',') === 'connectorId,autotaskTicketId') {
        await dropIndex(links, index.name!);
        steps.push('ticket_links: the Autotask ticket id index is no longer unique');
      }
    }
    return { steps, carried: [] };
  },
};
