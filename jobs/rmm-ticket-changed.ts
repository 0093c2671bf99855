import { z } from 'zod';
import { rmmAdapter } from '../src/rmm/registry';
import { ATTEMPTS_UNTIL_IT_WORKS, defineJob, RETENTION, safeJobId } from './definition';
import { RANK } from './queues';

const schema = z.object({
  connectorId: z.string().min(1),
  rmmTicketId: z.string().min(1).max(100),
  source: z.enum(['webhook']),
  /** What the delivery said happened (`triggered`, `resolved`): a hint for the log, never trusted. */
  hint: z.string().max(100).nullable().optional(),
  deliveryId: z.string().min(1),
});

/**
 * An RMM whose webhooks carry only a hint (Datto RMM) said a ticket changed: read it through the
 * API and record that state as a webhook with the whole ticket would have. Any number of hints for
 * one ticket are worth one read: at most one runs and one waits. It spends the RMM's budget, not
 * Autotask's: the write that follows is the ticket's own job.
 */
export const rmmTicketChanged = defineJob({
  name: 'rmm-ticket-changed',
  queue: 'connector',
  spendsAutotaskBudget: false,
  schema,
  options: (data) => ({
    deduplication: { id: safeJobId('rmm-ticket', data.connectorId, data.rmmTicketId), keepLastIfActive: true },
    priority: RANK.newTicket,
    attempts: ATTEMPTS_UNTIL_IT_WORKS,
    backoff: { type: 'failure-policy' },
    ...RETENTION,
  }),
  logContext: (data) => ({ connectorId: data.connectorId, rmmTicketId: data.rmmTicketId, source: data.source, eventId: data.deliveryId }),
  handle: async (data, { deps }) => {
    const connector = await deps.connectors.get(data.connectorId);
    if (!connector) return { outcome: 'connector-gone' };
    const ticket = await deps.rmmSession(connector).getTicket(data.rmmTicketId);
    if (!ticket) return { outcome: 'rmm-ticket-gone', detail: `${rmmAdapter(connector.rmm.kind).vocabulary.product} does not know ${data.rmmTicketId}` };
    const taken = await deps.takeRmmTicket(data.connectorId, ticket);
    return { outcome: taken.newest ? 'recorded' : 'known', status: ticket.status, jobId: taken.jobId };
  },
});
