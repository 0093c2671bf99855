/** What the connector asks of one RMM account: every adapter's session implements it. */
import type { AutotaskTicketRef, RmmSite, RmmTicket } from './types';

export interface RmmAccount {
  id: string;
  name: string;
}

/** What became of an Autotask status change on the RMM side. */
export type RmmStatusChange =
  /** The RMM ticket now has the status. */
  | 'changed'
  /** It had it already (e.g. an alert resolved before): nothing was sent. */
  | 'unchanged'
  /** The RMM cannot take this status (Datto RMM alerts cannot be re-opened): nothing was sent. */
  | 'not-supported';

/**
 * How reconciliation finds what webhooks missed:
 * - `changed-since`: the RMM lists tickets changed after a time (PCSM): read since a watermark;
 * - `open-list`: the RMM lists what is open now (Datto RMM): take every open ticket, then confirm
 *   one by one those the connector still believes open that the list no longer has.
 */
export type RmmReconciliation =
  | { mode: 'changed-since'; ticketsChangedSince(since: Date): AsyncGenerator<RmmTicket[]> }
  | {
      mode: 'open-list';
      /** The statuses of an open ticket (Datto RMM: Open): links last applied in one are believed open. */
      openStatuses: readonly string[];
      openTickets(): AsyncGenerator<RmmTicket[]>;
    };

export interface RmmSession {
  /** Requests this session has sent so far, retries included. */
  readonly requestCount: number;
  /** One cheap authenticated call: the account check and the credentials check. */
  getAccount(): Promise<RmmAccount>;
  /** Every site (profile) that may be associated with an Autotask company. */
  listSites(): Promise<RmmSite[]>;
  /** The statuses a ticket can have, in the RMM's order. */
  listStatuses(): Promise<string[]>;
  /** The ticket as the RMM has it now; null when the RMM does not know it. */
  getTicket(id: string): Promise<RmmTicket | null>;
  reconciliation(): RmmReconciliation;
  /**
   * Brings the RMM ticket to `status` (mapped back from Autotask), sending nothing the RMM already
   * has. `current`: the ticket as the caller just read it, so the RMM need not be asked again.
   */
  applyStatus(id: string, status: string, autotask: AutotaskTicketRef, current?: RmmTicket): Promise<RmmStatusChange>;
  /** Shows the RMM ticket its Autotask ticket, where the RMM has a place for it (PCSM); absent otherwise. */
  showAutotaskTicket?(id: string, autotask: AutotaskTicketRef): Promise<void>;
}
