import type { Queue } from 'bullmq';
import type { Metrics } from '../observability/metrics';
import type { HttpResult } from './result';

/** Prometheus text: the process's own counters plus BullMQ's job gauges per queue. */
export async function metricsResult(metrics: Metrics, queues: Queue[]): Promise<HttpResult> {
  const queueMetrics = await Promise.all(queues.map((queue) => queue.exportPrometheusMetrics().catch(() => '')));
  return { status: 200, contentType: 'text/plain; version=0.0.4', body: [metrics.render(), ...queueMetrics].join('\n') };
}
