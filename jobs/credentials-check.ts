import { z } from 'zod';
import { ATTEMPTS_UNTIL_IT_WORKS, defineJob, RETENTION, safeJobId } from './definition';

/**
 * Checks a suspended connector's refused credentials with one cheap call and releases its work when
 * they work again. Runs on the global queue: the connector's own queue is held meanwhile.
 */
export const credentialsCheck = defineJob({
  name: 'credentials-check',
  queue: 'maintenance',
  schema: z.object({ connectorId: z.string().min(1) }),
  options: (data, when?: { delayMs: number }) => ({
    deduplication: { id: safeJobId('credentials', data.connectorId), keepLastIfActive: true, reschedule: true },
    delay: when?.delayMs ?? 0,
    attempts: ATTEMPTS_UNTIL_IT_WORKS,
    backoff: { type: 'failure-policy' },
    ...RETENTION,
  }),
  logContext: (data) => ({ connectorId: data.connectorId }),
  handle: async (data, { deps, log }) => {
    const outcome = await deps.health.check(data.connectorId);
    if (outcome === 'resumed') log.info('connector credentials work again: its work resumes');
    return outcome;
  },
});
