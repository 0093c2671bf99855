import type { AutotaskCallInfo } from '../autotask/client';
import type { RmmCallInfo } from '../rmm/adapter';
import type { RmmKind } from '../rmm/types';
import type { Metrics } from './metrics';

/** Seconds: Autotask answers in 100–300 ms on a good day; its timeout is 30 s. */
const CALL_BUCKETS = [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/**
 * What the API clients report after every HTTP exchange (their `onCall`), as a count and a
 * latency per connector, method, endpoint and status (0: no answer arrived). Every Autotask call
 * counts against the database's shared hourly budget, so the count is the budget's use.
 */
export function callMetrics(metrics: Metrics) {
  const autotaskLabels = ['connector', 'entity', 'method', 'status'] as const;
  const autotaskCalls = metrics.counter('pcsm_sync_autotask_requests_total', 'Autotask REST requests by connector, method, entity and status (0: no answer)', autotaskLabels);
  const autotaskSeconds = metrics.histogram(
    'pcsm_sync_autotask_request_duration_seconds',
    'Autotask REST request latency by connector, method, entity and status (0: no answer)',
    autotaskLabels,
    CALL_BUCKETS,
  );
  const rmmLabels = ['rmm', 'connector', 'method', 'route', 'status'] as const;
  const rmmCalls = metrics.counter('pcsm_sync_rmm_requests_total', 'RMM API requests (PCSM, Datto RMM) by RMM, connector, method, route and status (0: no answer)', rmmLabels);
  const rmmSeconds = metrics.histogram(
    'pcsm_sync_rmm_request_duration_seconds',
    'RMM API request latency (PCSM, Datto RMM) by RMM, connector, method, route and status (0: no answer)',
    rmmLabels,
    CALL_BUCKETS,
  );
  return {
    autotask(call: AutotaskCallInfo): void {
      const labels = { connector: call.connectorId, entity: call.entity, method: call.method, status: String(call.status) };
      autotaskCalls.inc(labels);
      autotaskSeconds.observe(labels, call.durationMs / 1000);
    },
    rmm(call: RmmCallInfo & { system: RmmKind }): void {
      const labels = { rmm: call.system, connector: call.connectorId, method: call.method, route: call.route, status: String(call.status) };
      rmmCalls.inc(labels);
      rmmSeconds.observe(labels, call.durationMs / 1000);
    },
  };
}
