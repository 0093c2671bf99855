import { createLogger } from '../../src/logger';
import { startRuntime, type Runtime } from '../../src/runtime';
import { waitFor } from '../harness/context';
import { parsePrometheusText, samplesOf, type MetricFamily } from '../support/prometheus-text';
import { ADMIN_TOKEN, startStack, type Stack } from '../support/stack';

/**
 * /metrics as a strict scraper reads it, from the api and from a worker-only process, after real
 * traffic: a PCSM ticket raised in the PCSM simulator, its webhook, its job, its Autotask create
 * and the ticket number written back to PCSM.
 */
describe('Prometheus metrics', () => {
  let stack: Stack;
  let worker: Runtime;

  beforeAll(async () => {
    stack = await startStack('metrics', { worker: false });
    worker = await startRuntime({ ...stack.runtime.config, metricsPort: 0 }, { api: false, worker: true, logger: createLogger({ level: 'error', service: 'test' }) });
    await stack.putConnector('c1');
    const raised = await stack.pcsm.createTicket({ profileId: 'P-1', title: 'Disk C: 95% full', status: 'New', severity: 4 });
    await waitFor(() => stack.pcsm.tickets().find((ticket) => ticket.id === raised.id)?.autotask?.ticketNumber, {
      timeoutMs: 15_000,
      message: 'the Autotask ticket number to reach the PCSM ticket',
    });
    await stack.idle('c1', 15_000);
  }, 60_000);

  afterAll(async () => {
    await worker?.close();
    await stack?.close();
  });

  const scrape = async (url: string): Promise<{ contentType: string | null; families: Map<string, MetricFamily>; text: string }> => {
    const response = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(response.status).toBe(200);
    const text = await response.text();
    return { contentType: response.headers.get('content-type'), families: parsePrometheusText(text), text };
  };
  const value = (families: Map<string, MetricFamily>, family: string, labels: Record<string, string>, name = family) =>
    samplesOf(families, family, labels, name).reduce((sum, sample) => sum + sample.value, 0);

  it('serves the api’s own registry as valid exposition text: ingress latency, webhooks, queue depths, process metrics', async () => {
    const { contentType, families, text } = await scrape(stack.url);
    expect(contentType).toContain('text/plain; version=0.0.4');
    expect(families.get('pcsm_sync_ingress_request_duration_seconds')?.type).toBe('histogram');
    expect(value(families, 'pcsm_sync_ingress_request_duration_seconds', { route: '/webhooks/pcsm/:connectorId', status: '202' }, 'pcsm_sync_ingress_request_duration_seconds_count')).toBeGreaterThanOrEqual(1);
    expect(value(families, 'pcsm_sync_ingress_request_duration_seconds', { route: '/api/v1/connectors/:id', status: '201' }, 'pcsm_sync_ingress_request_duration_seconds_count')).toBe(1);
    expect(value(families, 'pcsm_sync_webhooks_total', { source: 'pcsm', status: '202' })).toBeGreaterThanOrEqual(1);
    // Route patterns, never raw paths: a series per ticket or connector id would never end.
    const routes = new Set(samplesOf(families, 'pcsm_sync_ingress_request_duration_seconds', {}, 'pcsm_sync_ingress_request_duration_seconds_count').map((s) => s.labels.route));
    expect([...routes].filter((route) => /\/c1\b/.test(route ?? ''))).toEqual([]);

    expect(families.get('pcsm_sync_queue_jobs')?.type).toBe('gauge');
    const states = samplesOf(families, 'pcsm_sync_queue_jobs', { queue: 'connector.c1' }).map((s) => s.labels.state).sort();
    expect(states).toEqual(['active', 'delayed', 'failed', 'prioritized', 'waiting']);
    expect(samplesOf(families, 'pcsm_sync_queue_jobs', { queue: 'maintenance', state: 'waiting' })).toHaveLength(1);
    expect(value(families, 'pcsm_sync_queue_paused', { queue: 'connector.c1' })).toBe(0);
    expect(value(families, 'pcsm_sync_dependency_up', { dependency: 'Redis' })).toBe(1);
    expect(value(families, 'pcsm_sync_dependency_up', { dependency: 'MongoDB' })).toBe(1);

    expect(families.get('process_cpu_user_seconds_total')?.type).toBe('counter');
    expect(families.get('nodejs_heap_size_used_bytes')?.type).toBe('gauge');
    expect(text).not.toContain('bullmq_');
  });

  it('serves a worker-only process’s own registry: jobs, Autotask and PCSM calls with their latency', async () => {
    const { contentType, families } = await scrape(worker.url!);
    expect(contentType).toContain('text/plain; version=0.0.4');

    expect(value(families, 'pcsm_sync_jobs_total', { job: 'ticket-sync', outcome: 'completed' })).toBeGreaterThanOrEqual(1);
    expect(families.get('pcsm_sync_job_duration_seconds')?.type).toBe('histogram');
    expect(value(families, 'pcsm_sync_job_duration_seconds', { job: 'ticket-sync', outcome: 'completed' }, 'pcsm_sync_job_duration_seconds_count')).toBeGreaterThanOrEqual(1);

    const create = { connector: 'c1', entity: 'Tickets', method: 'POST', status: '200' };
    // The create, and the query that read its number.
    expect(value(families, 'pcsm_sync_autotask_requests_total', create)).toBe(2);
    expect(value(families, 'pcsm_sync_autotask_request_duration_seconds', create, 'pcsm_sync_autotask_request_duration_seconds_count')).toBe(2);
    expect(value(families, 'pcsm_sync_rmm_requests_total', { rmm: 'pcsm', connector: 'c1', method: 'PATCH', status: '200' })).toBeGreaterThanOrEqual(1);
    expect(families.get('pcsm_sync_rmm_request_duration_seconds')?.type).toBe('histogram');

    // The worker's own numbers only: it answers no webhook.
    expect(samplesOf(families, 'pcsm_sync_webhooks_total')).toEqual([]);
    expect(samplesOf(families, 'pcsm_sync_queue_jobs', { queue: 'connector.c1' })).toHaveLength(5);
    expect(families.get('process_resident_memory_bytes')?.type).toBe('gauge');
  });

  it('counts what the api refused before any handler saw it', async () => {
    expect((await fetch(`${stack.url}/metrics`)).status).toBe(401);
    const { families } = await scrape(stack.url);
    expect(value(families, 'pcsm_sync_ingress_request_duration_seconds', { route: '/metrics', status: '401' }, 'pcsm_sync_ingress_request_duration_seconds_count')).toBe(1);
  });
});
