import { z } from 'zod';
import { ATTEMPTS_UNTIL_IT_WORKS, defineJob, RETENTION, safeJobId } from './definition';
import { RANK } from './queues';

const schema = z.object({
  connectorId: z.string().min(1),
  /** The RMM ticket whose Autotask ticket takes the note (the one that opened it). */
  rmmTicketId: z.string().min(1).max(100),
});

/**
 * Notes on an Autotask ticket how often its RMM ticket recurred, at most once per interval: one job
 * per ticket waits for the interval to pass (deferred, holding no worker slot) and counts every
 * recurrence that arrived meanwhile.
 */
export const recurrenceNote = defineJob({
  name: 'recurrence-note',
  queue: 'connector',
  schema,
  options: (data) => ({
    deduplication: { id: safeJobId('recurrence-note', data.connectorId, data.rmmTicketId), keepLastIfActive: true },
    priority: RANK.ticketUpdate,
    attempts: ATTEMPTS_UNTIL_IT_WORKS,
    backoff: { type: 'failure-policy' },
    ...RETENTION,
  }),
  logContext: (data) => ({ connectorId: data.connectorId, rmmTicketId: data.rmmTicketId }),
  handle: async (data, { deps, defer }) => {
    const result = await deps.recurrenceNotes.run(data.connectorId, data.rmmTicketId);
    if (result.outcome === 'not-due') return defer(result.runAt);
    return result;
  },
});
