import { z } from 'zod';
import type { TicketJobTiming } from '../src/sync/ticket-intake';
import { ATTEMPTS_UNTIL_IT_WORKS, defineJob, RETENTION, safeJobId } from './definition';
import { RANK } from './queues';

const schema = z.object({
  connectorId: z.string().min(1),
  ticketId: z.string().min(1),
});

/**
 * Writes one RMM ticket's newest recorded state to Autotask when its write schedule says so. One
 * per ticket: every event for the ticket finds this job (deduplication) and moves its time instead of
 * adding another; while it runs, at most one more waits (keepLastIfActive), so a ticket is never
 * written by two jobs at once. The state itself is read from the desired-state record, not the job.
 */
export const ticketSync = defineJob({
  name: 'ticket-sync',
  queue: 'connector',
  schema,
  options: (data, when?: TicketJobTiming) => ({
    deduplication: {
      id: safeJobId('ticket', data.connectorId, data.ticketId),
      keepLastIfActive: true,
      reschedule: when?.reschedule ?? false,
    },
    delay: when?.delayMs ?? 0,
    priority: when?.rank === 'ticket-update' ? RANK.ticketUpdate : RANK.newTicket,
    attempts: ATTEMPTS_UNTIL_IT_WORKS,
    backoff: { type: 'failure-policy' },
    ...RETENTION,
  }),
  logContext: (data) => ({ connectorId: data.connectorId, ticketId: data.ticketId }),
  handle: async (data, { deps, defer }) => {
    const result = await deps.ticketSync.run(data.connectorId, data.ticketId);
    if (result.outcome === 'not-due') return defer(result.runAt);
    return result;
  },
  recordFailure: async (data, failure, { deps }) => {
    if (failure.kind === 'retry' && failure.scope === 'job') {
      await deps.ticketSync.recordFailure(data.connectorId, data.ticketId, { kind: 'transient', reason: failure.reason, nextAttemptAt: failure.nextAttemptAt });
    } else if (failure.kind === 'wait-for-change') {
      await deps.ticketSync.recordFailure(data.connectorId, data.ticketId, { kind: 'refused', reason: failure.reason });
    }
  },
});
