import { z } from 'zod';
import { pcsmProfileSchema } from '../src/pcsm/events';
import { ATTEMPTS_UNTIL_IT_WORKS, defineJob, RETENTION, safeJobId } from './definition';
import { RANK } from './queues';

const schema = z.object({
  connectorId: z.string().min(1),
  event: z.object({
    id: z.string().min(1),
    type: z.enum(['profile.created', 'profile.updated']),
    occurredAt: z.string(),
    data: pcsmProfileSchema,
  }),
});

/**
 * A PCSM profile appeared or changed: remember it, and apply the connector's policy for new
 * profiles (manual, associate by name, create the Autotask company).
 */
export const pcsmProfileEvent = defineJob({
  name: 'pcsm-profile-event',
  queue: 'connector',
  schema,
  options: (data) => ({
    jobId: safeJobId(data.connectorId, data.event.id),
    priority: RANK.roundTrip,
    attempts: ATTEMPTS_UNTIL_IT_WORKS,
    backoff: { type: 'failure-policy' },
    ...RETENTION,
  }),
  logContext: (data) => ({ connectorId: data.connectorId, eventId: data.event.id, pcsmProfileId: data.event.data.id }),
  handle: async (data, { deps }) => {
    const { store } = deps;
    const claim = await store.processedEvents.claim({
      connectorId: data.connectorId,
      eventId: data.event.id,
      type: data.event.type,
      subjectId: data.event.data.id,
    });
    if (claim.alreadyDone) return 'duplicate';
    const result = await deps.profileSync.handle(data.connectorId, data.event.data);
    await store.processedEvents.finish(
      data.connectorId,
      data.event.id,
      result.outcome === 'stale' ? 'stale' : 'applied',
      'detail' in result ? result.detail : result.outcome,
    );
    return result;
  },
});
