import { performance } from 'node:perf_hooks';
import type { NextFunction, Request, Response } from 'express';
import type { ConsumptionStatus } from '../observability/consumption-watchdog';
import type { Metrics } from '../observability/metrics';
import type { HttpResult } from './result';

/** The process's Prometheus registry as exposition text (queue depths are read from Redis now). */
export async function metricsResult(metrics: Metrics): Promise<HttpResult> {
  return { status: 200, contentType: metrics.contentType, body: await metrics.render() };
}

/** A worker process's liveness: 503 when its queues have jobs ready and it takes none. */
export function healthResult(status: ConsumptionStatus): HttpResult {
  return { status: status.status === 'ok' ? 200 : 503, body: status };
}

/** Seconds: an ingress answer is a Redis round trip or two; 5 s is the enqueue timeout. */
const REQUEST_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Mounted sub-apps whose own routes are not worth a label each. */
const MOUNTS = ['/admin/queues', '/admin/setup', '/api/v1'];

/**
 * `pcsm_sync_ingress_request_duration_seconds{route,status}`: every answer, by route pattern (never
 * the raw path: ids would make a series per ticket) and status, including refusals the handlers
 * never see (401 from the token check, 413 from the body limit).
 */
export function timeRequests(metrics: Metrics) {
  const seconds = metrics.histogram(
    'pcsm_sync_ingress_request_duration_seconds',
    'HTTP requests answered by the ingress, by route pattern and status',
    ['route', 'status'],
    REQUEST_BUCKETS,
  );
  return (req: Request, res: Response, next: NextFunction): void => {
    const started = performance.now();
    res.once('finish', () => {
      seconds.observe({ route: routeOf(req), status: String(res.statusCode) }, (performance.now() - started) / 1000);
    });
    next();
  };
}

function routeOf(req: Request): string {
  const pattern = (req.route as { path?: unknown } | undefined)?.path;
  if (typeof pattern === 'string') return `${req.baseUrl}${pattern}`;
  const path = req.originalUrl.split('?')[0] ?? '';
  const mount = MOUNTS.find((prefix) => path === prefix || path.startsWith(`${prefix}/`));
  return mount === undefined ? 'unmatched' : `${mount}/*`;
}
