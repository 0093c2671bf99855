import express from 'express';
import type { ConsumptionStatus } from '../observability/consumption-watchdog';
import type { Metrics } from '../observability/metrics';
import { adminAuth } from './admin-auth';
import { healthResult, metricsResult } from './operator';
import { problem, send } from './result';

export interface WorkerAppDeps {
  adminToken: string;
  metrics: Metrics;
  /** Whether the workers consume (the consumption watchdog's verdict). */
  health(): ConsumptionStatus;
}

/**
 * What a worker process serves when METRICS_PORT is set: its own /metrics, and a /healthz that
 * answers 503 `{status: 'stalled', queues}` when jobs are ready in a queue and this process takes
 * none of them (alive is not enough: a worker can hang on a dead connection and look healthy).
 */
export function createWorkerApp(deps: WorkerAppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.get('/healthz', (_req, res) => send(res, healthResult(deps.health())));
  app.get('/metrics', adminAuth(deps.adminToken), (_req, res, next) => {
    metricsResult(deps.metrics).then((result) => send(res, result), next);
  });
  app.use((_req, res) => send(res, problem(404, 'Not Found')));
  return app;
}
