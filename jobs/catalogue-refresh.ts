import { z } from 'zod';
import type { Catalogue } from '../src/setup/catalogue';
import { refreshCatalogue } from '../src/setup/setup';
import { retryTickets } from '../src/sync/ticket-retries';
import { defineJob, RETENTION, safeJobId } from './definition';
import { RANK } from './queues';

/**
 * Re-reads the Autotask picklists, companies and work types and the RMM's sites and statuses,
 * then re-checks the saved mappings (drift). Runs on demand and on each connector's schedule.
 */
export const catalogueRefresh = defineJob({
  name: 'catalogue-refresh',
  queue: 'connector',
  schema: z.object({ connectorId: z.string().min(1) }),
  options: (data) => ({
    // Clicks and schedules that meet a refresh still waiting or running share it: one read, one budget.
    deduplication: { id: safeJobId('catalogue', data.connectorId) },
    priority: RANK.catalogue,
    attempts: 5,
    backoff: { type: 'failure-policy' },
    ...RETENTION,
  }),
  logContext: (data) => ({ connectorId: data.connectorId }),
  handle: async (data, { deps, log }) => {
    const before = await deps.store.catalogues.get(data.connectorId);
    const catalogue = await refreshCatalogue(deps.setup, data.connectorId);
    if (!catalogue) return 'connector-gone';
    // A value reactivated or added in either system may cure what was refused: try those tickets again.
    const changed = before !== null && !sameContent(before, catalogue);
    const retried = changed ? (await retryTickets(deps.ticketRetries, data.connectorId, 'refused')).retried : 0;
    log.info('catalogue refreshed', { autotaskCalls: catalogue.calls.autotask, rmmCalls: catalogue.calls.rmm, changed, retried });
    return { autotaskCalls: catalogue.calls.autotask, rmmCalls: catalogue.calls.rmm, changed, retried };
  },
});

function sameContent(a: Catalogue, b: Catalogue): boolean {
  return JSON.stringify([a.autotask, a.rmm]) === JSON.stringify([b.autotask, b.rmm]);
}
