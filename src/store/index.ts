import type { Redis } from 'ioredis';
import type { Connection } from 'mongoose';
import { CatalogueStore } from './catalogues';
import { ConnectorStore } from './connectors';
import { CreateIntentStore } from './create-intents';
import { DesiredStateStore } from './desired-states';
import { RmmSiteStore } from './rmm-sites';
import { ProcessedEventStore } from './processed-events';
import { SecretBox } from './secret-box';
import { TicketLinkStore } from './ticket-links';
import { TicketNumberBacklog } from './ticket-number-backlog';
import { WatermarkStore } from './watermarks';

export type Store = ReturnType<typeof createStore>;

export interface StoreOptions {
  connection: Connection;
  secretsKey: Buffer;
  /** What lives beside the jobs: each ticket's desired state and the ticket-number backlog. */
  redis: Redis;
  /** The queue prefix: the install's Redis keys share it. */
  prefix: string;
  /** A ticket written again within this long is still in the same burst (write spacing). */
  burstResetMs: number;
}

/**
 * Everything the connector keeps: MongoDB for the records (connectors, links, inbox, catalogues,
 * watermarks), Redis for the state that travels with the queue. Nothing outside src/store writes
 * MongoDB directly.
 */
export function createStore(options: StoreOptions) {
  const { connection } = options;
  const store = {
    connection,
    connectors: new ConnectorStore(connection, new SecretBox(options.secretsKey)),
    processedEvents: new ProcessedEventStore(connection),
    ticketLinks: new TicketLinkStore(connection),
    rmmSites: new RmmSiteStore(connection),
    catalogues: new CatalogueStore(connection),
    watermarks: new WatermarkStore(connection),
    createIntents: new CreateIntentStore(connection),
    desiredStates: new DesiredStateStore(options.redis, { prefix: options.prefix, burstResetMs: options.burstResetMs }),
    ticketNumberBacklog: new TicketNumberBacklog(options.redis, options.prefix),
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
