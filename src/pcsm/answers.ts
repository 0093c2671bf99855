/** Schemas of the PCSM API's answers (contract: "The PCSM API the connector calls"). */
import { z } from 'zod';
import { pcsmProfileSchema, pcsmTicketSchema } from './events';

/** The Autotask ticket a PCSM ticket is linked to, as the connector stores it on the PCSM side. */
export const pcsmAutotaskLinkSchema = z.object({
  ticketId: z.number().int().positive(),
  ticketNumber: z.string().max(100).nullable(),
});

/** A ticket as the API returns it: the event's ticket plus the Autotask link (absent or null when unlinked). */
export const pcsmApiTicketSchema = pcsmTicketSchema.extend({
  autotask: pcsmAutotaskLinkSchema.nullable().optional(),
});

export const pcsmAccountSchema = z.object({
  id: z.string().min(1).max(100),
  name: z.string().max(200),
});

export const pcsmTicketStatusesSchema = z.object({
  items: z.array(z.string().min(1).max(100)),
});

/** `{ items, nextPage }`; a missing nextPage reads as the last page. */
export function pcsmPageSchema<T extends z.ZodType>(item: T) {
  return z.object({
    items: z.array(item),
    nextPage: z.number().int().positive().nullable().optional(),
  });
}

export const pcsmProfilePageSchema = pcsmPageSchema(pcsmProfileSchema);
export const pcsmTicketPageSchema = pcsmPageSchema(pcsmApiTicketSchema);
