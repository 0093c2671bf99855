import { z } from 'zod';
import { pcsmProfileSchema } from '../src/pcsm/events';
import { defineJob, RETENTION, safeJobId } from './definition';
import { QUEUES } from './queues';

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
 * A PCSM profile appeared or changed: remember it so the setup can offer it for association.
 * (Creating or associating the Autotask company follows the connector's new-profile policy.)
 */
export const pcsmProfileEvent = defineJob({
  name: 'pcsm-profile-event',
  queue: QUEUES.pcsmEvents,
  schema,
  options: (data) => ({
    jobId: safeJobId(data.connectorId, data.event.id),
    attempts: 5,
    backoff: { type: 'exponential', delay: 2000, jitter: 0.25 },
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
    const newer = await store.pcsmProfiles.recordNewer(data.connectorId, data.event.data);
    const outcome = newer ? 'applied' : 'stale';
    await store.processedEvents.finish(data.connectorId, data.event.id, outcome);
    return outcome;
  },
});
