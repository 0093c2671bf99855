import { z } from 'zod';
import { reconcile } from '../src/sync/reconcile';
import { defineJob, RETENTION, safeJobId } from './definition';
import { RANK } from './queues';

/** Looks for what webhooks missed on both sides; scheduled per connector and on demand. */
export const reconcileConnector = defineJob({
  name: 'reconcile',
  queue: 'connector',
  schema: z.object({ connectorId: z.string().min(1) }),
  options: (data) => ({
    // A run waiting or running already covers a new request: one run, one read of each side.
    deduplication: { id: safeJobId('reconcile', data.connectorId) },
    priority: RANK.reconciliation,
    // The next scheduled run covers what a failed one missed: a few tries, then leave it to the schedule.
    attempts: 5,
    backoff: { type: 'failure-policy' },
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
