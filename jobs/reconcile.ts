import { z } from 'zod';
import { reconcile } from '../src/sync/reconcile';
import { defineJob, RETENTION } from './definition';
import { QUEUES } from './queues';

/** Looks for what webhooks missed on both sides; scheduled per connector and on demand. */
export const reconcileConnector = defineJob({
  name: 'reconcile',
  queue: QUEUES.maintenance,
  schema: z.object({ connectorId: z.string().min(1) }),
  options: (data) => ({
    // A run waiting or running already covers a new request: one run, one read of each side.
    deduplication: { id: `reconcile.${data.connectorId}` },
    attempts: 3,
    backoff: { type: 'exponential', delay: 30_000, jitter: 0.25 },
    ...RETENTION,
  }),
  logContext: (data) => ({ connectorId: data.connectorId }),
  handle: async (data, { deps, log }) => {
    const report = await reconcile(deps.reconcile, data.connectorId);
    if (!report) return 'connector-gone';
    // Every run states what it spent of Autotask's shared hourly budget.
    log.info('reconciliation run', { ...report });
    return report;
  },
});
