/** The public surface of a running simulator, as tests and the `/__sim` routes use it. */
import type { CommitThenTimeoutMode, WriteFailure } from './faults';
import type { EntityRecord } from './seed';
import type { RequestLogEntry } from './state';

export interface AutotaskSimulatorFaults {
  /** The next `count` writes fail uncommitted with this status (and `errors` body / `Retry-After`). */
  failNextWrites(count: number, failure: WriteFailure): void;
  /** The next `count` successful writes are committed, then the answer hangs or the socket is destroyed. */
  commitThenTimeout(count: number, options: { mode: CommitThenTimeoutMode }): void;
  /** Added to every authenticated call. */
  latencyMs: number;
  /** The hourly allotment, and how many requests count as made just now. */
  setThreshold(limit: number, used?: number): void;
  /** A Tickets picklist value (e.g. `status`, 7). */
  setPicklistValueActive(field: string, value: number | string, isActive: boolean): void;
  setCompanyActive(id: number, isActive: boolean): void;
  setBillingCodeActive(id: number, isActive: boolean): void;
  addCompany(fields: { companyName: string; id?: number; isActive?: boolean; companyType?: number } & EntityRecord): number;
  /** Forget pending write failures, commit-then-timeouts and latency. */
  clear(): void;
}

export interface AutotaskSimulatorControls {
  readonly faults: AutotaskSimulatorFaults;
  readonly requests: readonly RequestLogEntry[];
  tickets(): EntityRecord[];
  companies(): EntityRecord[];
  addTickets(tickets: EntityRecord[], options?: { at?: Date }): number[];
  changeTicket(id: number, fields: EntityRecord, options?: { at?: Date }): void;
  reset(): void;
}
