import { z } from 'zod';

const isoDate = z.iso.datetime({ offset: true });

export const pcsmTicketSchema = z.object({
  id: z.string().min(1).max(100),
  profileId: z.string().min(1).max(100),
  title: z.string().min(1).max(1000),
  description: z.string().max(64000).default(''),
  status: z.string().min(1).max(100),
  severity: z.number().int().min(1).max(5),
  deviceId: z.string().max(100).nullable().optional(),
  deviceName: z.string().max(200).nullable().optional(),
  updatedAt: isoDate,
});
export type PcsmTicket = z.infer<typeof pcsmTicketSchema>;

export const pcsmProfileSchema = z.object({
  id: z.string().min(1).max(100),
  name: z.string().min(1).max(200),
  description: z.string().max(4000).nullable().optional(),
  updatedAt: isoDate,
});
export type PcsmProfile = z.infer<typeof pcsmProfileSchema>;

const envelope = {
  id: z.string().min(1).max(200),
  occurredAt: isoDate,
};

/** A PCSM webhook body (contract: "PCSM → connector"). */
export const pcsmEventSchema = z.discriminatedUnion('type', [
  z.object({ ...envelope, type: z.enum(['ticket.created', 'ticket.updated']), data: pcsmTicketSchema }),
  z.object({ ...envelope, type: z.enum(['profile.created', 'profile.updated']), data: pcsmProfileSchema }),
]);
export type PcsmEvent = z.infer<typeof pcsmEventSchema>;
export type PcsmTicketEvent = Extract<PcsmEvent, { data: PcsmTicket }>;
export type PcsmProfileEvent = Extract<PcsmEvent, { data: PcsmProfile }>;

export function isTicketEvent(event: PcsmEvent): event is PcsmTicketEvent {
  return event.type === 'ticket.created' || event.type === 'ticket.updated';
}
