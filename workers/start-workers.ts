import { Worker } from 'bullmq';
import type { RedisOptions } from 'bullmq';
import type { JobDeps } from '../jobs/definition';
import type { JobRegistry } from '../jobs/registry';
import type { Logger } from '../src/logger';
import type { Metrics } from '../src/observability/metrics';
import { createJobProcessor } from './job-processor';

export interface WorkerOptions {
  redis: RedisOptions;
  prefix: string;
  concurrency: number;
  registry: JobRegistry;
  deps: JobDeps;
  logger: Logger;
  metrics: Metrics;
}

export interface RunningWorkers {
  workers: Worker[];
  /** Stops taking jobs and waits for the running ones, up to `deadlineMs`, then forces. */
  close(deadlineMs?: number): Promise<void>;
}

/** One BullMQ worker per queue; each dispatches by job name through the registry. */
export function startWorkers(options: WorkerOptions): RunningWorkers {
  const processor = createJobProcessor(options.registry, options.deps, options.logger);
  const finished = options.metrics.counter('pcsm_sync_jobs_total', 'Jobs finished by name and outcome (completed, failed, gave-up)');
  const workers = options.registry.queues().map((queue) => {
    const worker = new Worker(queue, processor, {
      prefix: options.prefix,
      concurrency: options.concurrency,
      connection: { ...options.redis, maxRetriesPerRequest: null },
    });
    worker.on('error', (error) => options.logger.error('worker error', { queue, error }));
    worker.on('completed', (job) => finished({ job: job.name, outcome: 'completed' }));
    worker.on('failed', (job, error) => {
      const gaveUp = job !== undefined && job.attemptsMade >= (job.opts.attempts ?? 1);
      finished({ job: job?.name ?? 'unknown', outcome: gaveUp ? 'gave-up' : 'failed' });
      if (gaveUp) options.logger.warn('job gave up', { queue, jobId: job.id, jobName: job.name, reason: error.message });
    });
    return worker;
  });
  return {
    workers,
    async close(deadlineMs = 10_000) {
      await Promise.all(
        workers.map(async (worker) => {
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
