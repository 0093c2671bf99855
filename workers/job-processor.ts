import { DelayedError, UnrecoverableError, WaitingError, type Job } from 'bullmq';
import { decidedFailure, retryDelayMs, type JobContext, type JobDeps } from '../jobs/definition';
import type { JobRegistry } from '../jobs/registry';
import { connectorOfQueue, RANK, type Rank } from '../jobs/queues';
import { decide } from '../src/failure/outcome';
import type { Logger } from '../src/logger';

/** What the processor may do to a connector's queue when the failure policy says so. */
export interface QueueHolds {
  /** Holds every job of the connector's queue for `ms` (BullMQ's rate limit on that queue only). */
  holdConnector(connectorId: string, ms: number): Promise<void>;
}

/** The wait BullMQ's backoff should use, carried on the error the processor rethrows. */
export class RetryScheduledError extends Error {
  constructor(message: string, readonly delayMs: number) {
    super(message);
    this.name = new.target.name;
    Object.setPrototypeOf(this, new.target.prototype);
  }
}

/** How long a job needing the RMM waits for its refused credentials before it looks again. */
const CREDENTIALS_WAIT_MS = 5 * 60_000;

const CONTROL_ERRORS = new Set(['DelayedError', 'WaitingError', 'RateLimitError', 'WaitingChildrenError']);

/**
 * Turns a registry into a BullMQ processor: validate, log with context, and obey the one failure
 * policy (src/failure/outcome.ts) for every job kind:
 * - retry: BullMQ's retry with the wait decided here (`connector` scope: the whole queue waits);
 * - wait-for-change: the job fails (visible in Bull Board) and its ticket waits for a change;
 * - stop-connector: the connector is suspended and the job waits (not fails) for the credentials.
 */
export function createJobProcessor(registry: JobRegistry, deps: JobDeps, logger: Logger, holds: QueueHolds) {
  return async (job: Job, token?: string): Promise<unknown> => {
    const definition = registry.get(job.name);
    if (!definition) throw new UnrecoverableError(`no handler for job "${job.name}"`);
    const parsed = definition.schema.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`invalid payload for "${job.name}": ${parsed.error.message}`);
    const log = logger.child({ jobId: job.id, jobName: job.name, attempt: job.attemptsStarted, ...definition.logContext(parsed.data) });
    const context: JobContext = {
      deps,
      log,
      jobId: job.id!,
      attempt: job.attemptsStarted,
      defer: async (runAt) => {
        await job.moveToDelayed(Math.max(Date.now(), Math.round(runAt)), token);
        throw new DelayedError();
      },
    };
    const connector = connectorOfQueue(job.queueName);
    if (connector && definition.spendsAutotaskBudget !== false) {
      const rank = (job.opts.priority ?? RANK.roundTrip) as Rank;
      const admission = await deps.autotaskBudget(connector, rank);
      if (!admission.admitted) {
        log.info('job waits for Autotask budget', { reason: admission.reason, until: new Date(admission.retryAt).toISOString() });
        return context.defer(admission.retryAt);
      }
    }
    try {
      const result = await definition.handle(parsed.data, context);
      log.info('job done', { outcome: result });
      return result;
    } catch (error) {
      if (error instanceof Error && CONTROL_ERRORS.has(error.name)) throw error;
      const outcome = decide(error);
      const delayMs = outcome.kind === 'retry' ? (outcome.afterMs ?? retryDelayMs(job.attemptsMade + 1)) : 0;
      try {
        await definition.recordFailure?.(parsed.data, decidedFailure(outcome, new Date(Date.now() + delayMs)), context);
      } catch (bookkeeping) {
        log.error('could not record the failure', { error: bookkeeping });
      }
      const connectorId = connectorOfQueue(job.queueName);
      switch (outcome.kind) {
        case 'retry':
          if (outcome.scope === 'call' || (outcome.scope === 'connector' && connectorId)) {
            // A limit, not a failure: no attempt spent. `connector`: the queue's rate limit holds the
            // connector's other jobs too; `call` (a limit on one kind of call): they go on. This job
            // waits as a delayed job, whose timer wakes the workers when the wait is over (a job put
            // back among prioritized jobs would wait for the next poll).
            if (outcome.scope === 'connector') {
              log.warn('connector waits', { reason: outcome.reason, delayMs });
              await holds.holdConnector(connectorId!, delayMs);
            } else {
              log.info('job waits for a call limit', { reason: outcome.reason, delayMs });
            }
            await job.moveToDelayed(Date.now() + delayMs, token);
            throw new DelayedError();
          }
          log.warn('job will retry', { reason: outcome.reason, delayMs });
          throw new RetryScheduledError(outcome.reason, delayMs);
        case 'wait-for-change':
          log.warn('job refused: waits for a change', { reason: outcome.reason });
          throw new UnrecoverableError(outcome.reason);
        case 'stop-connector': {
          const suspended = connectorId ?? (parsed.data as { connectorId?: string }).connectorId;
          log.error('credentials refused: the connector needs attention and its work waits', { reason: outcome.reason, system: outcome.system });
          if (suspended) await deps.health.suspend(suspended, outcome.system, outcome.reason);
          if (outcome.system === 'autotask' && connectorId) {
            // The queue is paused now: the job waits in it until the credentials work again.
            await job.moveToWait(token);
            throw new WaitingError();
          }
          await job.moveToDelayed(Date.now() + CREDENTIALS_WAIT_MS, token);
          throw new DelayedError();
        }
      }
    }
  };
}

/** BullMQ's backoff for every job: the wait the processor decided (`backoff: { type: 'failure-policy' }`). */
export function failurePolicyBackoff(attemptsMade: number, _type: string | undefined, error: Error | undefined): number {
  return error instanceof RetryScheduledError ? error.delayMs : retryDelayMs(attemptsMade);
}
