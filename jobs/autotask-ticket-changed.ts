import { z } from 'zod';
import { ATTEMPTS_UNTIL_IT_WORKS, defineJob, RETENTION, safeJobId } from './definition';
import { RANK } from './queues';

const schema = z.object({
  connectorId: z.string().min(1),
  autotaskTicketId: z.number().int().positive(),
  source: z.enum(['webhook', 'callout', 'reconciliation']),
  deliveryId: z.string().min(1),
});

/**
 * An Autotask ticket changed: re-read it and bring the RMM ticket along. Triggers carry only the
 * ticket id, so any number of them for one ticket are worth one run: at most one runs and one waits.
 */
export const autotaskTicketChanged = defineJob({
  name: 'autotask-ticket-changed',
  queue: 'connector',
  schema,
  options: (data) => ({
    deduplication: { id: safeJobId('autotask-ticket', data.connectorId, String(data.autotaskTicketId)), keepLastIfActive: true },
    priority: RANK.roundTrip,
    attempts: ATTEMPTS_UNTIL_IT_WORKS,
    backoff: { type: 'failure-policy' },
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
