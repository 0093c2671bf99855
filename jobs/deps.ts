import type { ConnectorDirectory } from '../src/connector/directory';
import type { Rank } from './queues';
import type { SetupDeps } from '../src/setup/setup';
import type { Store } from '../src/store';
import type { AutotaskTicketSync } from '../src/sync/autotask-ticket-sync';
import type { ConnectorHealth } from '../src/sync/connector-health';
import type { ProfileSync } from '../src/sync/profile-sync';
import type { ReconcileDeps } from '../src/sync/reconcile';
import type { TicketNumbers } from '../src/sync/ticket-numbers';
import type { TicketRetriesDeps } from '../src/sync/ticket-retries';
import type { TicketSync } from '../src/sync/ticket-sync';

/** What a handler may use; built once by the worker's composition root (src/runtime.ts). */
export interface JobDeps {
  store: Store;
  connectors: ConnectorDirectory;
  ticketSync: TicketSync;
  ticketNumbers: TicketNumbers;
  /** Makes sure the connector's ticket-numbers job is waiting (after a batch that left entries behind). */
  scheduleTicketNumbers(connectorId: string): Promise<void>;
  ticketRetries: TicketRetriesDeps;
  autotaskTicketSync: AutotaskTicketSync;
  profileSync: ProfileSync;
  health: ConnectorHealth;
  setup: SetupDeps;
  reconcile: ReconcileDeps;
  /** Whether the connector's work of `rank` may spend Autotask's hourly budget now. */
  autotaskBudget(connectorId: string, rank: Rank): Promise<{ admitted: true } | { admitted: false; retryAt: number; reason: string }>;
}
