import { z } from 'zod';
import { rmmSiteSchema } from '../src/rmm/types';
import { ATTEMPTS_UNTIL_IT_WORKS, defineJob, RETENTION, safeJobId } from './definition';
import { RANK } from './queues';

const schema = z.object({
  connectorId: z.string().min(1),
  event: z.object({
    id: z.string().min(1),
    type: z.string().min(1),
    occurredAt: z.string(),
    data: rmmSiteSchema,
  }),
});

function siteEvent<Name extends string>(name: Name) {
  return defineJob({
    name,
    queue: 'connector',
    schema,
    options: (data) => ({
      jobId: safeJobId(data.connectorId, data.event.id),
      priority: RANK.roundTrip,
      attempts: ATTEMPTS_UNTIL_IT_WORKS,
      backoff: { type: 'failure-policy' },
      ...RETENTION,
    }),
    logContext: (data) => ({ connectorId: data.connectorId, eventId: data.event.id, siteId: data.event.data.id }),
    handle: async (data, { deps }) => {
      const { store } = deps;
      const claim = await store.processedEvents.claim({
        connectorId: data.connectorId,
        eventId: data.event.id,
        type: data.event.type,
        subjectId: data.event.data.id,
      });
      if (claim.alreadyDone) return 'duplicate';
      const result = await deps.siteSync.handle(data.connectorId, data.event.data);
      await store.processedEvents.finish(
        data.connectorId,
        data.event.id,
        result.outcome === 'stale' ? 'stale' : 'applied',
        'detail' in result ? result.detail : result.outcome,
      );
      return result;
    },
  });
}

/**
 * An RMM site (PCSM profile) appeared or changed: remember it, and apply the connector's policy for
 * new sites (manual, associate by name, create the Autotask company).
 */
export const rmmSiteEvent = siteEvent('rmm-site-event');

/** The same job under the name versions before the RMM port added it with: such jobs may still wait in Redis. */
export const earlierSiteEvent = siteEvent('pcsm-profile-event');
