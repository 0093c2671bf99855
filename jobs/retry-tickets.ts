import { z } from 'zod';
import { retryTickets } from '../src/sync/ticket-retries';
import { ATTEMPTS_UNTIL_IT_WORKS, defineJob, RETENTION, safeJobId } from './definition';
import { RANK } from './queues';

/**
 * Tries tickets again without a new event: refused ones after a configuration or catalogue change,
 * every unsynced one on an operator's request, overdue ones on the connector's schedule.
 */
export const retryTicketsJob = defineJob({
  name: 'retry-tickets',
  queue: 'connector',
  // It only re-adds ticket jobs (Redis and MongoDB); those wait for the budget themselves.
  spendsAutotaskBudget: false,
  schema: z.object({ connectorId: z.string().min(1), scope: z.enum(['refused', 'refusals-due', 'all', 'overdue']) }),
  options: (data) => ({
    // A request that meets one waiting for the same scope is already covered by it.
    deduplication: { id: safeJobId('retry-tickets', data.connectorId, data.scope) },
    priority: RANK.roundTrip,
    attempts: ATTEMPTS_UNTIL_IT_WORKS,
    backoff: { type: 'failure-policy' },
    ...RETENTION,
  }),
  logContext: (data) => ({ connectorId: data.connectorId, scope: data.scope }),
  handle: (data, { deps }) => retryTickets(deps.ticketRetries, data.connectorId, data.scope),
});
