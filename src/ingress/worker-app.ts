import type { Queue } from 'bullmq';
import express from 'express';
import type { Metrics } from '../observability/metrics';
import { adminAuth } from './admin-auth';
import { metricsResult } from './operator';
import { problem, send } from './result';

export interface WorkerAppDeps {
  adminToken: string;
  metrics: Metrics;
  queues(): Queue[];
  /** Whether every worker of the process is running. */
  consuming(): boolean;
}

/** What a worker process serves when METRICS_PORT is set: its own /metrics and a liveness probe. */
export function createWorkerApp(deps: WorkerAppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.get('/healthz', (_req, res) => {
    const consuming = deps.consuming();
    send(res, { status: consuming ? 200 : 503, body: { status: consuming ? 'ok' : 'not consuming' } });
  });
  app.get('/metrics', adminAuth(deps.adminToken), (_req, res, next) => {
    metricsResult(deps.metrics, deps.queues()).then((result) => send(res, result), next);
  });
  app.use((_req, res) => send(res, problem(404, 'Not Found')));
  return app;
}
