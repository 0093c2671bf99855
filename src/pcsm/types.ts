/** What the rest of the connector sees of the PCSM API. */
import type { z } from 'zod';
import type { pcsmAccountSchema, pcsmApiTicketSchema, pcsmAutotaskLinkSchema } from './answers';
import type { PcsmProfile } from './events';

export interface PcsmCredentials {
  /** Base URL, e.g. https://pcsm.example/ (the API lives below `/api/v1`). */
  apiUrl: string;
  apiKey: string;
}

export type PcsmAccount = z.infer<typeof pcsmAccountSchema>;
export type PcsmAutotaskLink = z.infer<typeof pcsmAutotaskLinkSchema>;
/** A PCSM ticket with its Autotask link; assignable to the event schema's PcsmTicket. */
export type PcsmApiTicket = z.infer<typeof pcsmApiTicketSchema>;

/** `PATCH /api/v1/tickets/{id}`: only the fields present change. */
export interface PcsmTicketPatch {
  status?: string;
  autotask?: PcsmAutotaskLink;
}

/** What one connector can do against its PCSM account. */
export interface PcsmSession {
  /** Requests this session has sent so far, retries included. */
  readonly requestCount: number;
  /** GET /api/v1/account */
  getAccount(): Promise<PcsmAccount>;
  /** Every page of GET /api/v1/profiles?page=N&pageSize=100. */
  listProfiles(): Promise<PcsmProfile[]>;
  /** GET /api/v1/ticket-statuses, in PCSM's order. */
  listTicketStatuses(): Promise<string[]>;
  /** GET /api/v1/tickets/{id}; null when PCSM does not know the ticket. */
  getTicket(id: string): Promise<PcsmApiTicket | null>;
  /** GET /api/v1/tickets?updatedSince=…&page=N: tickets changed after `since`, one page at a time, oldest change first. */
  ticketsUpdatedSince(since: Date): AsyncGenerator<PcsmApiTicket[]>;
  /** PATCH /api/v1/tickets/{id} → the ticket as PCSM now has it. */
  updateTicket(id: string, patch: PcsmTicketPatch): Promise<PcsmApiTicket>;
}
