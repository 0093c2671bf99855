import { Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { JobDeps } from '../jobs/definition';
import type { JobProducer } from '../jobs/producer';
import { queueName } from '../jobs/queues';
import type { JobRegistry } from '../jobs/registry';
import type { Logger } from '../src/logger';
import type { Metrics } from '../src/observability/metrics';
import { createJobProcessor, failurePolicyBackoff } from './job-processor';

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
}

export interface RunningWorkers {
  readonly workers: Worker[];
  /** Starts working for a connector (a new one was saved); idempotent. */
  ensureConnector(connectorId: string): void;
  /** Stops taking jobs and waits for the running ones, up to `deadlineMs`, then forces. */
  close(deadlineMs?: number): Promise<void>;
}

/** A stalled job (its worker died) is run again; only a job that keeps killing workers is given up. */
const MAX_STALLS = 5;
/** Manual rate limits (a 429) need a limiter on the worker; this one never limits by itself. */
const NO_LIMIT = { max: 1_000_000, duration: 1_000 };

/**
 * One BullMQ worker per connector queue plus one for the global queue; each dispatches by job name
 * through the registry. A connector saved after start is picked up when announced (ensureConnector)
 * or at the next rescan.
 */
export async function startWorkers(options: WorkerOptions): Promise<RunningWorkers> {
  const processor = createJobProcessor(options.registry, options.deps, options.logger, {
    holdConnector: (connectorId, ms) => options.producer.connectorQueue(connectorId).rateLimit(ms),
  });
  const finished = options.metrics.counter('pcsm_sync_jobs_total', 'Jobs finished by name and outcome (completed, failed, gave-up)');
  const byQueue = new Map<string, Worker>();
  let closing = false;

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
    worker.on('error', (error) => options.logger.error('worker error', { queue: name, error }));
    worker.on('completed', (job: Job) => finished({ job: job.name, outcome: 'completed' }));
    worker.on('failed', (job: Job | undefined, error: Error) => {
      // For good: refused (UnrecoverableError) or out of attempts; otherwise BullMQ retries it.
      const gaveUp = job !== undefined && (error.name === 'UnrecoverableError' || job.attemptsMade >= (job.opts.attempts ?? 1));
      finished({ job: job?.name ?? 'unknown', outcome: gaveUp ? 'gave-up' : 'failed' });
      if (gaveUp) options.logger.warn('job gave up', { queue: name, jobId: job?.id, jobName: job?.name, reason: error.message });
    });
    byQueue.set(name, worker);
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
      .catch((error: unknown) => options.logger.warn('could not list the connectors', { error }));
  }, options.rescanMs ?? 30_000);
  rescan.unref();

  return {
    get workers() {
      return [...byQueue.values()];
    },
    ensureConnector,
    async close(deadlineMs = 10_000) {
      closing = true;
      clearInterval(rescan);
      await Promise.all(
        [...byQueue.values()].map(async (worker) => {
          let timer: NodeJS.Timeout | undefined;
          const deadline = new Promise<'late'>((resolve) => {
            timer = setTimeout(() => resolve('late'), deadlineMs);
          });
          const outcome = await Promise.race([worker.close().then(() => 'closed' as const), deadline]);
          clearTimeout(timer);
          if (outcome === 'late') await worker.close(true);
        }),
      );
    },
  };
}
