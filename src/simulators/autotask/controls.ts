/** The public surface of a running simulator, as tests and the `/__sim` routes use it. */
import type { CommitThenTimeoutMode, WriteFailure } from './faults';
import type { EntityRecord } from './seed';
import type { RequestLogEntry } from './state';
import type { WebhookDelivery } from './webhook-delivery';

/** Who makes a change outside the API: a resource id (default: the seeded technician). */
export interface ChangeOptions {
  at?: Date;
  by?: number;
}

export interface AutotaskSimulatorFaults {
  /** The next `count` writes fail uncommitted with this status (and `errors` body / `Retry-After`). */
  failNextWrites(count: number, failure: WriteFailure): void;
  /** The next `count` successful writes are committed, then the answer hangs or the socket is destroyed. */
  commitThenTimeout(count: number, options: { mode: CommitThenTimeoutMode }): void;
  /** For `durationMs` from now every authenticated call answers `failure` (an Autotask incident), committing nothing. */
  failAllFor(durationMs: number, failure: Omit<WriteFailure, 'entity'>): void;
  /** Added to every authenticated call. */
  latencyMs: number;
  /** The hourly allotment, and how many requests count as made just now. */
  setThreshold(limit: number, used?: number): void;
  /** A Tickets picklist value (e.g. `status`, 7). */
  setPicklistValueActive(field: string, value: number | string, isActive: boolean): void;
  setCompanyActive(id: number, isActive: boolean): void;
  setBillingCodeActive(id: number, isActive: boolean): void;
  addCompany(fields: { companyName: string; id?: number; isActive?: boolean; companyType?: number } & EntityRecord): number;
  /** The next `count` webhook events (one per triggered webhook) are lost: never posted, no retries, no error-log entry. */
  dropNextWebhookDeliveries(count: number): void;
  /** Forget pending write failures, commit-then-timeouts, webhook drops and latency. */
  clear(): void;
}

export interface AutotaskSimulatorControls {
  readonly faults: AutotaskSimulatorFaults;
  readonly requests: readonly RequestLogEntry[];
  tickets(): EntityRecord[];
  companies(): EntityRecord[];
  ticketNotes(): EntityRecord[];
  addTickets(tickets: EntityRecord[], options?: ChangeOptions): number[];
  changeTicket(id: number, fields: EntityRecord, options?: ChangeOptions): void;
  /** Every webhook POST made since start/reset (and dropped events), in order. */
  webhookDeliveries(): WebhookDelivery[];
  /** Resolves once no webhook delivery is queued, in flight or waiting for a retry. */
  webhooksIdle(): Promise<void>;
  reset(): void;
}
