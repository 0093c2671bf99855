import type { Queue } from 'bullmq';
import { valueWithin } from './deadline';
import type { Metrics } from './metrics';

/**
 * Job states worth a gauge. BullMQ 6 has no `paused` state (a paused queue's jobs count as
 * `waiting`; `pcsm_sync_queue_paused` says which queues are paused); `completed` is only what
 * retention keeps, so finished work is counted by `pcsm_sync_jobs_total` instead.
 */
export const QUEUE_STATES = ['waiting', 'prioritized', 'active', 'delayed', 'failed'] as const;

export interface QueueSource {
  queues(): Queue[];
  /** Whether Redis is connected now: while it is not, the families stay empty rather than stale. */
  ready(): boolean;
}

/** A scrape must answer even when Redis is slow: the counts are left out after this long. */
const READ_TIMEOUT_MS = 2_000;

/**
 * Queue depths per queue and state, read from Redis at every scrape: one gauge family for every
 * queue (BullMQ's own exporter repeats its TYPE line per queue, which strict scrapers refuse).
 */
export function registerQueueMetrics(metrics: Metrics, source: QueueSource): void {
  metrics.gauge('pcsm_sync_queue_jobs', 'Jobs in each queue by state, read from Redis at scrape time', ['queue', 'state'], async (gauge) => {
    if (!source.ready()) return;
    const counts = await valueWithin(
      Promise.all(source.queues().map(async (queue) => [queue.name, await queue.getJobCounts(...QUEUE_STATES)] as const)),
      READ_TIMEOUT_MS,
      'Redis',
    );
    for (const [queue, byState] of counts) {
      for (const state of QUEUE_STATES) gauge.set({ queue, state }, byState[state] ?? 0);
    }
  });
  metrics.gauge('pcsm_sync_queue_paused', '1 when the queue is paused (a connector whose credentials were refused), else 0', ['queue'], async (gauge) => {
    if (!source.ready()) return;
    const paused = await valueWithin(Promise.all(source.queues().map(async (queue) => [queue.name, await queue.isPaused()] as const)), READ_TIMEOUT_MS, 'Redis');
    for (const [queue, isPaused] of paused) gauge.set({ queue }, isPaused ? 1 : 0);
  });
}
