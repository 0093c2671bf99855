import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import type { JobContext, JobDeps } from '../jobs/definition';
import type { JobRegistry } from '../jobs/registry';
import type { Logger } from '../src/logger';
import { PermanentSyncError, RetryLaterError } from '../src/sync/errors';

/**
 * Waiting for a busy ticket or a rate limit does not spend an attempt in BullMQ, so cap how
 * often a job may start in total to make an endless loop impossible.
 */
export const MAX_STARTS = 200;
const MAX_WAIT_MS = 10_000;

/** Turns a registry into a BullMQ processor: validate, log with context, map domain errors onto BullMQ. */
export function createJobProcessor(registry: JobRegistry, deps: JobDeps, logger: Logger) {
  return async (job: Job, token?: string): Promise<unknown> => {
    const definition = registry.get(job.name);
    if (!definition) throw new UnrecoverableError(`no handler for job "${job.name}"`);
    const parsed = definition.schema.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`invalid payload for "${job.name}": ${parsed.error.message}`);
    const log = logger.child({ jobId: job.id, jobName: job.name, attempt: job.attemptsStarted, ...definition.logContext(parsed.data) });
    const context: JobContext = { deps, log, jobId: job.id!, attempt: job.attemptsStarted };
    try {
      const result = await definition.handle(parsed.data, context);
      log.info('job done', { outcome: result });
      return result;
    } catch (error) {
      if (error instanceof RetryLaterError && job.attemptsStarted < MAX_STARTS) {
        // Waiting on a busy ticket backs off (doubling every 5 starts, up to 10 s) so that a crashed
        // lease holder, whose lease outlives it by up to a minute, is waited out well within MAX_STARTS.
        const delayMs = Math.max(error.delayMs, Math.min(error.delayMs * 2 ** Math.floor(job.attemptsStarted / 5), MAX_WAIT_MS));
        log.debug('job waits', { reason: error.message, delayMs });
        await job.moveToDelayed(Date.now() + delayMs, token);
        throw new DelayedError();
      }
      if (error instanceof PermanentSyncError || error instanceof RetryLaterError) {
        log.warn('job failed permanently', { reason: error.message });
        throw new UnrecoverableError(error.message);
      }
      log.warn('job attempt failed', { error });
      throw error;
    }
  };
}
