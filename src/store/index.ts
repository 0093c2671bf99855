import type { Connection } from 'mongoose';
import { CatalogueStore } from './catalogues';
import { ConnectorStore } from './connectors';
import { CreateIntentStore } from './create-intents';
import { PcsmProfileStore } from './pcsm-profiles';
import { ProcessedEventStore } from './processed-events';
import { SecretBox } from './secret-box';
import { SyncIntentStore } from './sync-intents';
import { TicketLinkStore } from './ticket-links';
import { WatermarkStore } from './watermarks';

export type Store = ReturnType<typeof createStore>;

/** Everything the connector keeps in MongoDB; nothing outside src/store writes Mongo directly. */
export function createStore(connection: Connection, secretsKey: Buffer) {
  const store = {
    connection,
    connectors: new ConnectorStore(connection, new SecretBox(secretsKey)),
    processedEvents: new ProcessedEventStore(connection),
    ticketLinks: new TicketLinkStore(connection),
    syncIntents: new SyncIntentStore(connection),
    pcsmProfiles: new PcsmProfileStore(connection),
    catalogues: new CatalogueStore(connection),
    watermarks: new WatermarkStore(connection),
    createIntents: new CreateIntentStore(connection),
    /** Builds every model's indexes explicitly at boot; a failure here must stop the process. */
    async ensureIndexes(): Promise<void> {
      for (const model of Object.values(connection.models)) {
        await model.createCollection().catch((error: unknown) => {
          // 48 = NamespaceExists: the collection is already there.
          if ((error as { code?: number }).code !== 48) throw error;
        });
        await model.createIndexes();
      }
    },
  };
  return store;
}
