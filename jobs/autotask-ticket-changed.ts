import { z } from 'zod';
import { defineJob, RETENTION } from './definition';
import { QUEUES } from './queues';

const schema = z.object({
  connectorId: z.string().min(1),
  autotaskTicketId: z.number().int().positive(),
  source: z.enum(['webhook', 'callout', 'reconciliation']),
  deliveryId: z.string().min(1),
});

/**
 * An Autotask ticket changed: re-read it and bring the PCSM ticket along. Triggers carry only the
 * ticket id, so any number of them for one ticket are worth one run: at most one runs and one waits.
 */
export const autotaskTicketChanged = defineJob({
  name: 'autotask-ticket-changed',
  queue: QUEUES.autotaskEvents,
  schema,
  options: (data) => ({
    deduplication: { id: `autotask-ticket.${data.connectorId}.${data.autotaskTicketId}`, keepLastIfActive: true },
    attempts: 8,
    backoff: { type: 'exponential', delay: 2000, jitter: 0.25 },
    ...RETENTION,
  }),
  logContext: (data) => ({
    connectorId: data.connectorId,
    autotaskTicketId: String(data.autotaskTicketId),
    source: data.source,
    eventId: data.deliveryId,
  }),
  handle: (data, { deps }) => deps.autotaskTicketSync.handle(data.connectorId, data.autotaskTicketId),
});
