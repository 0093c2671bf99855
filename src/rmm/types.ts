/**
 * What the connector knows of an RMM, whichever it is. PCSM tickets and Datto RMM alerts both
 * become an RmmTicket, PCSM profiles and Datto RMM sites an RmmSite; the sync engine, the store,
 * the mappings and the setup see nothing else. Each RMM is one folder behind the adapter of
 * ./adapter.ts, chosen by the connector's `rmm.kind` (./registry.ts).
 */
import { z } from 'zod';

export const RMM_KINDS = ['pcsm', 'datto-rmm'] as const;
export type RmmKind = (typeof RMM_KINDS)[number];

const isoDate = z.iso.datetime({ offset: true });

/** An RMM severity: PCSM's 1–5, Datto RMM's priority names. */
export const rmmSeveritySchema = z.union([z.string().min(1).max(100), z.number().int()]);
export type RmmSeverity = z.infer<typeof rmmSeveritySchema>;

/**
 * One RMM ticket (a PCSM ticket, a Datto RMM alert) as the sync engine writes it to Autotask. The
 * adapter composes title and description; `updatedAt` orders states (the newest wins).
 */
export const rmmTicketSchema = z.object({
  /** PCSM ticket id, Datto RMM alert uid. */
  id: z.string().min(1).max(100),
  /** PCSM profile id, Datto RMM site uid. */
  siteId: z.string().min(1).max(100),
  siteName: z.string().max(200).nullable().optional(),
  title: z.string().min(1).max(1000),
  description: z.string().max(64000).default(''),
  /** The RMM's status name (PCSM's statuses; Datto RMM: Open or Resolved). */
  status: z.string().min(1).max(100),
  severity: rmmSeveritySchema,
  deviceId: z.string().max(100).nullable().optional(),
  deviceName: z.string().max(200).nullable().optional(),
  updatedAt: isoDate,
  /**
   * The same device and the same monitored thing: a ticket with this key while an earlier one with
   * the same key is open is a recurrence of it (noted there), not a new Autotask ticket.
   */
  recurrenceKey: z.string().max(500).nullable().optional(),
  /** Not the connector's to ticket (e.g. the RMM's own PSA integration tickets it); counted, never written. */
  skip: z.object({ reason: z.enum(['natively-ticketed']), detail: z.string().max(1000) }).nullable().optional(),
});
export type RmmTicket = z.infer<typeof rmmTicketSchema>;

/** A PCSM profile, a Datto RMM site. */
export const rmmSiteSchema = z.object({
  id: z.string().min(1).max(100),
  name: z.string().min(1).max(200),
  description: z.string().max(4000).nullable().optional(),
  /** The Autotask company the RMM itself associates with the site (Datto RMM's `autotaskCompanyId`). */
  autotaskCompanyId: z.number().int().positive().nullable().optional(),
  updatedAt: isoDate.optional(),
});
export type RmmSite = z.infer<typeof rmmSiteSchema>;

/** The Autotask ticket an RMM ticket is linked to, as the RMM may be told. */
export interface AutotaskTicketRef {
  ticketId: number;
  ticketNumber: string | null;
}
