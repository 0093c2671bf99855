import { z } from 'zod';
import { refreshCatalogue } from '../src/setup/setup';
import { defineJob, RETENTION } from './definition';
import { QUEUES } from './queues';

/**
 * Re-reads the Autotask picklists, companies and work types and the PCSM profiles and statuses,
 * then re-checks the saved mappings (drift). Runs on demand and on each connector's schedule.
 */
export const catalogueRefresh = defineJob({
  name: 'catalogue-refresh',
  queue: QUEUES.maintenance,
  schema: z.object({ connectorId: z.string().min(1) }),
  options: (data) => ({
    // Clicks and schedules that meet a refresh still waiting or running share it: one read, one budget.
    deduplication: { id: `catalogue.${data.connectorId}` },
    attempts: 3,
    backoff: { type: 'exponential', delay: 30_000, jitter: 0.25 },
    ...RETENTION,
  }),
  logContext: (data) => ({ connectorId: data.connectorId }),
  handle: async (data, { deps, log }) => {
    const catalogue = await refreshCatalogue(deps.setup, data.connectorId);
    if (!catalogue) return 'connector-gone';
    log.info('catalogue refreshed', { autotaskCalls: catalogue.calls.autotask, pcsmCalls: catalogue.calls.pcsm });
    return { autotaskCalls: catalogue.calls.autotask, pcsmCalls: catalogue.calls.pcsm };
  },
});
