/** What migration steps share: their shape, and the few careful operations they use. */
import type { Connection } from 'mongoose';
import type { SecretBox } from './secret-box';

/** A ticket state an older version kept in MongoDB that the new intake must record again (in the RMM's shape then). */
export interface CarriedState {
  connectorId: string;
  ticket: Record<string, unknown>;
}

export interface MigrationReport {
  steps: string[];
  /** Unapplied ticket states found in documents of an earlier shape. */
  carried: CarriedState[];
}

/** What a migration step may use: the database, and the box that seals secrets (a step may move one). */
export interface MigrationTools {
  db: NonNullable<Connection['db']>;
  secrets: SecretBox;
}

/**
 * One step from an earlier shape of the stored documents to the current one. It checks before it
 * changes anything, so running it twice (or in several processes at once) changes nothing more.
 * RMM adapters bring the steps for the shapes their RMM's documents had (RmmAdapter.migrations).
 */
export interface Migration {
  run(tools: MigrationTools): Promise<MigrationReport>;
}

export async function collectionExists(db: MigrationTools['db'], name: string): Promise<boolean> {
  // Filtered here, not by the server: the test stand-in ignores listCollections' filter.
  const collections = await db.listCollections({}, { nameOnly: true }).toArray();
  return collections.some((collection) => collection.name === name);
}

export async function dropIndex(collection: { dropIndex(name: string): Promise<unknown> }, name: string): Promise<void> {
  await collection.dropIndex(name).catch((error: unknown) => {
    // 27 = IndexNotFound: another process dropped it first.
    if ((error as { code?: number }).code !== 27) throw error;
  });
}

export async function dropCollection(db: MigrationTools['db'], name: string): Promise<void> {
  await db.dropCollection(name).catch((error: unknown) => {
    // 26 = NamespaceNotFound: another process dropped it first (older servers send only the message).
    const { code, message } = error as { code?: number; message?: string };
    if (code !== 26 && message !== 'ns not found') throw error;
  });
}
