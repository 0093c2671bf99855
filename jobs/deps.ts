import type { ConnectorDirectory } from '../src/connector/directory';
import type { Rank } from './queues';
import type { SetupDeps } from '../src/setup/setup';
import type { Store } from '../src/store';
import type { AutotaskTicketSync } from '../src/sync/autotask-ticket-sync';
import type { ConnectorHealth } from '../src/sync/connector-health';
import type { SiteSync } from '../src/sync/site-sync';
import type { RecurrenceNotes } from '../src/sync/recurrence-notes';
import type { IntakeResult } from '../src/sync/ticket-intake';
import type { Connector } from '../src/connector/configuration';
import type { RmmSession } from '../src/rmm/session';
import type { RmmTicket } from '../src/rmm/types';
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
  siteSync: SiteSync;
  recurrenceNotes: RecurrenceNotes;
  rmmSession(connector: Connector): RmmSession;
  /** Records an RMM ticket's state as its desired state and makes sure its job waits, as a webhook would. */
  takeRmmTicket(connectorId: string, ticket: RmmTicket): Promise<IntakeResult>;
  health: ConnectorHealth;
  setup: SetupDeps;
  reconcile: ReconcileDeps;
  /** Whether the connector's work of `rank` may spend Autotask's hourly budget now. */
  autotaskBudget(connectorId: string, rank: Rank): Promise<{ admitted: true } | { admitted: false; retryAt: number; reason: string }>;
}
