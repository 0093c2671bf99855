import { z } from 'zod';
import { ATTEMPTS_UNTIL_IT_WORKS, defineJob, RETENTION, safeJobId } from './definition';
import { RANK } from './queues';

/** How long the first create of a batch waits for others to join it: one query reads them all. */
export const NUMBERS_BATCH_WINDOW_MS = 1_000;

/**
 * Reads the Autotask ticket numbers of recent creates in one query and shows them on the RMM
 * tickets. One per connector: creates within the batch window share a run.
 */
export const ticketNumbers = defineJob({
  name: 'ticket-numbers',
  queue: 'connector',
  schema: z.object({ connectorId: z.string().min(1) }),
  options: (data) => ({
    deduplication: { id: safeJobId('ticket-numbers', data.connectorId), keepLastIfActive: true },
    delay: NUMBERS_BATCH_WINDOW_MS,
    priority: RANK.ticketUpdate,
    attempts: ATTEMPTS_UNTIL_IT_WORKS,
    backoff: { type: 'failure-policy' },
    ...RETENTION,
  }),
  logContext: (data) => ({ connectorId: data.connectorId }),
  handle: async (data, { deps }) => {
    const report = await deps.ticketNumbers.runBatch(data.connectorId);
    if (report.remaining > 0) await deps.scheduleTicketNumbers(data.connectorId);
    return report;
  },
});
