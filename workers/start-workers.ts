import { performance } from 'node:perf_hooks';
import { WaitingError, Worker, type Job, type Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { JobDeps } from '../jobs/definition';
import type { JobProducer } from '../jobs/producer';
import { connectorOfQueue, queueName } from '../jobs/queues';
import type { JobRegistry } from '../jobs/registry';
import type { Logger } from '../src/logger';
import { ConsumptionWatchdog, DEFAULT_STALL_AFTER_MS, type ConsumptionStatus } from '../src/observability/consumption-watchdog';
import { finishesWithin } from '../src/observability/deadline';
import { isConnectionError } from '../src/observability/dependencies';
import type { Metrics } from '../src/observability/metrics';
import { RunningJobs, type RunningJob } from '../src/observability/running-jobs';
import { createJobProcessor, failurePolicyBackoff } from './job-processor';

export interface WatchdogSettings {
  /** Jobs ready in a queue and none started or finished here for this long: the queue is stalled (default 60 s). */
  stallAfterMs?: number;
  /** How often to look (default: a quarter of `stallAfterMs`, at most 15 s). */
  checkEveryMs?: number;
  /** Recreate the worker of a stalled queue that runs nothing (default true; BullMQ's maintainers' advice). */
  restartStalled?: boolean;
}

export interface WorkerOptions {
  /** Commands of every worker share it (maxRetriesPerRequest null); each worker adds its own blocking connection. */
  connection: Redis;
  producer: JobProducer;
  /** Jobs one process runs at once for one connector. */
  concurrency: number;
  registry: JobRegistry;
  deps: JobDeps;
  logger: Logger;
  metrics: Metrics;
  /** The connectors to work for now; asked again every `rescanMs` in case an announcement was missed. */
  connectorIds(): Promise<string[]>;
  rescanMs?: number;
  watchdog?: WatchdogSettings;
}

export interface RunningWorkers {
  readonly workers: Worker[];
  /** Starts working for a connector (a new one was saved); idempotent. */
  ensureConnector(connectorId: string): void;
  /** `ok`, or `stalled` with the queues where jobs are ready and nothing moves. */
  health(): ConsumptionStatus;
  /** The jobs this process runs now. */
  running(): RunningJob[];
  /**
   * Stops taking jobs, lets the running ones finish for up to `deadlineMs`, then abandons them:
   * their locks expire and another worker runs them again (every job is idempotent).
   */
  close(deadlineMs?: number): Promise<void>;
}

/** A stalled job (its worker died) is run again; only a job that keeps killing workers is given up. */
const MAX_STALLS = 5;
/** Manual rate limits (a 429) need a limiter on the worker; this one never limits by itself. */
const NO_LIMIT = { max: 1_000_000, duration: 1_000 };
/** BullMQ's default: an abandoned job's lock expires this long after its last renewal. */
const LOCK_DURATION_MS = 30_000;
/** A worker's own close (its blocking connection) gets this long once no job runs. */
const WORKER_CLOSE_MS = 2_000;
/** Seconds: from a job that is not due yet to a reconciliation of a large account. */
const JOB_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];
/** BullMQ's signals that a job was put back (delayed, waiting, held): not a failure. */
const PUT_BACK = new Set(['DelayedError', 'WaitingError', 'RateLimitError', 'WaitingChildrenError']);

type JobOutcome = 'completed' | 'deferred' | 'retry' | 'gave-up';

/**
 * One BullMQ worker per connector queue plus one for the global queue; each dispatches by job name
 * through the registry. A connector saved after start is picked up when announced (ensureConnector)
 * or at the next rescan. A watchdog checks that they consume (see consumption-watchdog.ts).
 */
export async function startWorkers(options: WorkerOptions): Promise<RunningWorkers> {
  const { logger } = options;
  const runningJobs = new RunningJobs();
  let closing = false;
  const observe = jobMetrics(options.metrics);
  const run = createJobProcessor(options.registry, options.deps, logger, {
    holdConnector: (connectorId, ms) => options.producer.connectorQueue(connectorId).rateLimit(ms),
  });
  const processor = async (job: Job, token?: string): Promise<unknown> => {
    if (closing && token) {
      // Fetched as the worker was pausing for a shutdown: back to the queue at once, for another worker.
      await job.moveToWait(token);
      throw new WaitingError();
    }
    const ended = runningJobs.started(job.queueName, job.id ?? '', job.name);
    const startedAt = performance.now();
    let outcome: JobOutcome = 'completed';
    try {
      return await run(job, token);
    } catch (error) {
      outcome = outcomeOf(job, error);
      throw error;
    } finally {
      ended();
      observe(job.name, outcome, (performance.now() - startedAt) / 1000);
    }
  };
  const byQueue = new Map<string, Worker>();
  const concurrencyOf = new Map<string, number>();

  const start = (name: string, concurrency: number) => {
    if (closing || byQueue.has(name)) return;
    const worker = new Worker(name, processor, {
      prefix: options.producer.prefix,
      concurrency,
      connection: options.connection,
      maxStalledCount: MAX_STALLS,
      limiter: NO_LIMIT,
      settings: { backoffStrategy: failurePolicyBackoff },
    });
    worker.on('error', (error) => {
      // A lost connection is one state change, logged once by the Redis watch, not one line per retry.
      if (!isConnectionError(error)) logger.error('worker error', { queue: name, error });
    });
    worker.on('failed', (job: Job | undefined, error: Error) => {
      // For good: refused (UnrecoverableError) or out of attempts; otherwise BullMQ retries it.
      const gaveUp = job !== undefined && (error.name === 'UnrecoverableError' || job.attemptsMade >= (job.opts.attempts ?? 1));
      if (gaveUp) logger.warn('job gave up', { queue: name, jobId: job?.id, jobName: job?.name, reason: error.message });
    });
    byQueue.set(name, worker);
    concurrencyOf.set(name, concurrency);
    runningJobs.consuming(name);
  };
  const ensureConnector = (connectorId: string) => {
    // The producer's queue for it too: /metrics and the processor's holds use it.
    options.producer.connectorQueue(connectorId);
    start(queueName('connector', connectorId), options.concurrency);
  };

  if (options.registry.queueKinds().includes('maintenance')) start(queueName('maintenance'), Math.max(2, Math.min(options.concurrency, 5)));
  for (const id of await options.connectorIds()) ensureConnector(id);
  const rescan = setInterval(() => {
    options
      .connectorIds()
      .then((ids) => ids.forEach(ensureConnector))
      .catch((error: unknown) => logger.warn('could not list the connectors', { error }));
  }, options.rescanMs ?? 30_000);
  rescan.unref();

  const producerQueue = (name: string): Queue => {
    const connectorId = connectorOfQueue(name);
    return connectorId === null ? options.producer.queue('maintenance') : options.producer.connectorQueue(connectorId);
  };
  const stallAfterMs = options.watchdog?.stallAfterMs ?? DEFAULT_STALL_AFTER_MS;
  const watchdog = new ConsumptionWatchdog(
    {
      consumers: () =>
        [...byQueue.keys()].map((queue) => ({
          queue,
          running: runningJobs.count(queue),
          concurrency: concurrencyOf.get(queue) ?? 1,
          lastProgressAt: runningJobs.lastProgressAt(queue),
        })),
      backlog: async (name) => {
        const queue = producerQueue(name);
        const [counts, paused, heldMs] = await Promise.all([queue.getJobCounts('waiting', 'prioritized'), queue.isPaused(), queue.getRateLimitTtl()]);
        return { ready: (counts.waiting ?? 0) + (counts.prioritized ?? 0), held: paused || heldMs > 0 };
      },
    },
    { stallAfterMs },
  );
  const restartedAt = new Map<string, number>();
  /** Recreates the worker of a stalled queue, unless it runs a job (never abandoned for this) or was recreated lately. */
  const recreate = async (name: string) => {
    const worker = byQueue.get(name);
    if (!worker || closing || runningJobs.count(name) > 0 || Date.now() - (restartedAt.get(name) ?? 0) < stallAfterMs) return;
    restartedAt.set(name, Date.now());
    byQueue.delete(name);
    logger.warn('recreating the worker of a stalled queue', { queue: name });
    await finishesWithin(worker.close(true), WORKER_CLOSE_MS);
    start(name, concurrencyOf.get(name) ?? options.concurrency);
  };
  let checking = false;
  const checkConsumption = async () => {
    if (closing || checking) return;
    checking = true;
    try {
      const { stalled, newlyStalled, recovered } = await watchdog.check();
      for (const queue of newlyStalled) {
        logger.error('worker stalled: jobs are ready and this process has started none; /healthz answers 503', { ...queue, stallAfterMs });
      }
      for (const queue of recovered) logger.info('worker consuming again', { queue });
      if (options.watchdog?.restartStalled ?? true) for (const queue of stalled) await recreate(queue.queue);
    } catch (error) {
      logger.warn('the consumption check failed', { error });
    } finally {
      checking = false;
    }
  };
  const watch = setInterval(() => void checkConsumption(), options.watchdog?.checkEveryMs ?? Math.min(15_000, Math.max(250, stallAfterMs / 4)));
  watch.unref();

  return {
    get workers() {
      return [...byQueue.values()];
    },
    ensureConnector,
    health: () => watchdog.status(),
    running: () => runningJobs.list(),
    async close(deadlineMs = 7_000) {
      const deadlineAt = Date.now() + deadlineMs;
      closing = true;
      clearInterval(rescan);
      clearInterval(watch);
      const workers = [...byQueue.values()];
      // Paused, a worker takes no new job and its running ones keep their locks.
      await Promise.all(workers.map((worker) => finishesWithin(worker.pause(true), WORKER_CLOSE_MS)));
      const busy = runningJobs.list();
      if (busy.length > 0) {
        const waitStarted = Date.now();
        logger.info(`waiting for ${busy.length} running job${busy.length === 1 ? '' : 's'}`, { deadlineMs, jobs: describe(busy) });
        if (await runningJobs.idle(deadlineAt - Date.now())) {
          logger.info('running jobs finished', { waitedMs: Date.now() - waitStarted });
        } else {
          const left = runningJobs.list();
          logger.warn(`abandoning ${left.length} running job${left.length === 1 ? '' : 's'}: they run again once their locks expire`, {
            waitedMs: Date.now() - waitStarted,
            lockDurationMs: LOCK_DURATION_MS,
            jobs: describe(left),
          });
        }
      }
      const force = runningJobs.count() > 0;
      await Promise.all(workers.map((worker) => finishesWithin(worker.close(force), WORKER_CLOSE_MS)));
    },
  };
}

/** `pcsm_sync_jobs_total` and `pcsm_sync_job_duration_seconds` by job name and outcome. */
function jobMetrics(metrics: Metrics): (job: string, outcome: JobOutcome, seconds: number) => void {
  const finished = metrics.counter('pcsm_sync_jobs_total', 'Job runs by job name and outcome (completed, deferred, retry, gave-up)', ['job', 'outcome']);
  const duration = metrics.histogram('pcsm_sync_job_duration_seconds', 'Job run time by job name and outcome (completed, deferred, retry, gave-up)', ['job', 'outcome'], JOB_BUCKETS);
  return (job, outcome, seconds) => {
    finished.inc({ job, outcome });
    duration.observe({ job, outcome }, seconds);
  };
}

/** What became of a run that threw: put back, retried by BullMQ, or given up for good. */
function outcomeOf(job: Job, error: unknown): JobOutcome {
  const name = error instanceof Error ? error.name : '';
  if (PUT_BACK.has(name)) return 'deferred';
  if (name === 'UnrecoverableError') return 'gave-up';
  return job.attemptsMade + 1 >= (job.opts.attempts ?? 1) ? 'gave-up' : 'retry';
}

function describe(jobs: RunningJob[]): Array<Record<string, unknown>> {
  const now = Date.now();
  return jobs.map((job) => ({ queue: job.queue, jobId: job.jobId, name: job.name, runningForMs: now - job.startedAt }));
}
