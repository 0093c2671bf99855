import type { Store } from '../store';
import { pokeTicket, type TicketIntakeDeps } from './ticket-intake';

/**
 * Which tickets to try again: `refused` after a configuration or catalogue change, `refusals-due`
 * once their cool-down is over (reconciliation), `all` on an operator's request, `overdue` for
 * tickets whose state has waited so long that their job may be gone (a job that gave up, a
 * queue emptied by hand).
 */
export type RetryScope = 'refused' | 'refusals-due' | 'all' | 'overdue';

export interface TicketRetriesDeps extends TicketIntakeDeps {
  store: Store;
  /** A state unwritten this long is overdue. */
  overdueAfterMs: number;
  /** Makes sure the ticket-number job is waiting (the sweep re-adds it if the backlog lost it). */
  scheduleTicketNumbers(connectorId: string): Promise<void>;
}

const PAGE = 500;

export async function retryTickets(deps: TicketRetriesDeps, connectorId: string, scope: RetryScope, now = new Date()): Promise<{ retried: number }> {
  const ids = new Set<string>();
  const { ticketLinks, desiredStates } = deps.store;
  if (scope === 'refusals-due') {
    for (const link of await ticketLinks.refusalsDue(connectorId, now, PAGE)) ids.add(link.rmmTicketId);
  }
  if (scope === 'refused' || scope === 'all') {
    const kinds = scope === 'all' ? (['refused', 'transient'] as const) : (['refused'] as const);
    for (const kind of kinds) {
      for (let after: string | null = null; ; ) {
        const page = await ticketLinks.failed(connectorId, kind, after, PAGE);
        for (const link of page) ids.add(link.rmmTicketId);
        if (page.length < PAGE) break;
        after = page[page.length - 1]!.rmmTicketId;
      }
    }
  }
  if (scope === 'all' || scope === 'overdue') {
    const olderThan = scope === 'overdue' ? now.getTime() - deps.overdueAfterMs : undefined;
    for (let offset = 0; ; offset += PAGE) {
      const page = await desiredStates.pending(connectorId, { olderThan, limit: PAGE, offset });
      for (const entry of page) ids.add(entry.ticketId);
      if (page.length < PAGE) break;
    }
  }
  if (scope === 'overdue' && (await deps.store.ticketNumberBacklog.size(connectorId)) > 0) await deps.scheduleTicketNumbers(connectorId);
  let retried = 0;
  for (const ticketId of ids) {
    if ((await pokeTicket(deps, connectorId, ticketId, { force: scope !== 'overdue' })) !== null) retried += 1;
  }
  return { retried };
}
