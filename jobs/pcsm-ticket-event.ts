import { z } from 'zod';
import { pcsmTicketSchema } from '../src/pcsm/events';
import { defineJob, RETENTION, safeJobId } from './definition';
import { QUEUES } from './queues';

const schema = z.object({
  connectorId: z.string().min(1),
  event: z.object({
    id: z.string().min(1),
    type: z.enum(['ticket.created', 'ticket.updated']),
    occurredAt: z.string(),
    data: pcsmTicketSchema,
  }),
});

/** A PCSM ticket was created or changed: bring its Autotask ticket to the newest state. */
export const pcsmTicketEvent = defineJob({
  name: 'pcsm-ticket-event',
  queue: QUEUES.pcsmEvents,
  schema,
  options: (data) => ({
    // The event id makes a re-delivery a no-op while the job is retained; the inbox in Mongo covers the rest.
    jobId: safeJobId(data.connectorId, data.event.id),
    attempts: 8,
    backoff: { type: 'exponential', delay: 2000, jitter: 0.25 },
    ...RETENTION,
  }),
  logContext: (data) => ({ connectorId: data.connectorId, eventId: data.event.id, pcsmTicketId: data.event.data.id }),
  handle: (data, { deps }) => deps.ticketSync.handle(data.connectorId, data.event),
});
