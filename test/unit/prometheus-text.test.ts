import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { parsePrometheusText, samplesOf } from '../support/prometheus-text';

/** What /metrics served before prom-client: the connector's counters, then BullMQ's exportPrometheusMetrics() per queue. */
const OLD_PAGE = `# HELP pcsm_sync_webhooks_total Webhook deliveries by source and status
# TYPE pcsm_sync_webhooks_total counter
pcsm_sync_webhooks_total{source="pcsm",status="202"} 3
# HELP pcsm_sync_jobs_total Jobs finished by name and outcome (completed, failed, gave-up)
# TYPE pcsm_sync_jobs_total counter
pcsm_sync_jobs_total{job="ticket-sync",outcome="completed"} 8

# HELP bullmq_job_count Number of jobs in the queue by state
# TYPE bullmq_job_count gauge
bullmq_job_count{queue="maintenance", state="active"} 0
bullmq_job_count{queue="maintenance", state="completed"} 0
bullmq_job_count{queue="maintenance", state="waiting"} 0
# HELP bullmq_job_completed_total Total number of completed jobs
# TYPE bullmq_job_completed_total counter
bullmq_job_completed_total{queue="maintenance"} 0
# HELP bullmq_job_failed_total Total number of failed jobs
# TYPE bullmq_job_failed_total counter
bullmq_job_failed_total{queue="maintenance"} 0
# HELP bullmq_job_count Number of jobs in the queue by state
# TYPE bullmq_job_count gauge
bullmq_job_count{queue="connector.c1", state="active"} 0
bullmq_job_count{queue="connector.c1", state="completed"} 8
bullmq_job_count{queue="connector.c1", state="waiting"} 0
# HELP bullmq_job_completed_total Total number of completed jobs
# TYPE bullmq_job_completed_total counter
bullmq_job_completed_total{queue="connector.c1"} 0
`;

const VALID = `# HELP http_seconds Request latency.
# TYPE http_seconds histogram
http_seconds_bucket{route="/a",le="0.1"} 1
http_seconds_bucket{route="/a",le="1"} 3
http_seconds_bucket{route="/a",le="+Inf"} 4
http_seconds_sum{route="/a"} 2.5
http_seconds_count{route="/a"} 4
# HELP jobs_total Jobs.
# TYPE jobs_total counter
jobs_total{job="a",outcome="completed"} 2 1700000000000
# TYPE depth gauge
depth{queue="q \\"one\\"\\\\x\\ny"} NaN
depth{queue="b"} -Inf
`;

describe('the strict Prometheus text reader', () => {
  it('reads a valid page: families, types, escaped label values, histogram parts', () => {
    const families = parsePrometheusText(VALID);
    expect([...families.keys()]).toEqual(['http_seconds', 'jobs_total', 'depth']);
    expect(families.get('http_seconds')).toMatchObject({ type: 'histogram', help: 'Request latency.' });
    expect(samplesOf(families, 'http_seconds', { le: '+Inf' }, 'http_seconds_bucket')[0]?.value).toBe(4);
    expect(samplesOf(families, 'jobs_total')[0]).toMatchObject({ value: 2, timestamp: 1700000000000 });
    expect(samplesOf(families, 'depth')[0]?.labels.queue).toBe('q "one"\\x\ny');
  });

  it('refuses what /metrics served before: TYPE and HELP repeated for every queue', () => {
    expect(() => parsePrometheusText(OLD_PAGE)).toThrow(/line 19: HELP for bullmq_job_count appears more than once/);
    // Even with the repeated comment lines gone, the families' lines are interleaved per queue.
    const withoutRepeats = OLD_PAGE.split('\n')
      .filter((line, index, all) => !line.startsWith('#') || all.indexOf(line) === index)
      .join('\n');
    expect(() => parsePrometheusText(withoutRepeats)).toThrow(/bullmq_job_count are not in one group/);
  });

  it('accepts what prom-client writes, default process and Node metrics included', async () => {
    const registry = new Registry();
    collectDefaultMetrics({ register: registry });
    new Counter({ name: 'a_total', help: 'a \\ b\nc', labelNames: ['x'], registers: [registry] }).inc({ x: 'quote " and \\ and\nline' });
    new Histogram({ name: 'b_seconds', help: 'b', labelNames: ['y'], registers: [registry] }).observe({ y: '1' }, 0.2);
    new Gauge({ name: 'c', help: 'c', registers: [registry] }).set(1);
    const families = parsePrometheusText(await registry.metrics());
    expect(families.get('process_cpu_user_seconds_total')?.type).toBe('counter');
    expect(families.get('nodejs_eventloop_lag_seconds')?.type).toBe('gauge');
    expect(samplesOf(families, 'a_total')[0]?.labels.x).toBe('quote " and \\ and\nline');
  });

  const refusals: Array<[string, string, RegExp]> = [
    ['a second TYPE', '# TYPE a gauge\n# TYPE a gauge\na 1\n', /TYPE for a appears more than once/],
    ['a second HELP', '# HELP a x\n# HELP a y\na 1\n', /HELP for a appears more than once/],
    ['TYPE after the samples', 'a 1\n# TYPE a gauge\n', /TYPE for a comes after its samples/],
    ['a family split in two groups', '# TYPE a gauge\na{q="1"} 1\n# TYPE b gauge\nb 1\na{q="2"} 1\n', /lines of a are not in one group/],
    ['a duplicate series', '# TYPE a gauge\na{x="1",y="2"} 1\na{y="2",x="1"} 2\n', /duplicate series/],
    ['a label twice', 'a{x="1",x="2"} 1\n', /label "x" appears twice/],
    ['a reserved label', 'a{__x="1"} 1\n', /reserved/],
    ['an invalid escape in a label value', 'a{x="\\t"} 1\n', /invalid escape/],
    ['an unclosed label value', 'a{x="1} 1\n', /not closed|expected/],
    ['an invalid metric name', '1a 1\n', /invalid metric name/],
    ['an invalid value', 'a one\n', /invalid value/],
    ['an invalid timestamp', 'a 1 1.5\n', /invalid timestamp/],
    ['an unknown type', '# TYPE a thing\na 1\n', /unknown type/],
    ['no final line feed', 'a 1', /last line must end with a line feed/],
    ['a counter not named _total', '# TYPE a counter\na 1\n', /must be named …_total/],
    ['a negative counter', '# TYPE a_total counter\na_total -1\n', /is negative/],
    ['a histogram without +Inf', '# TYPE h histogram\nh_bucket{le="1"} 1\nh_sum 1\nh_count 1\n', /no le="\+Inf" bucket/],
    ['a histogram whose buckets shrink', '# TYPE h histogram\nh_bucket{le="1"} 2\nh_bucket{le="+Inf"} 1\nh_sum 1\nh_count 1\n', /not cumulative/],
    ['a histogram whose count differs', '# TYPE h histogram\nh_bucket{le="+Inf"} 2\nh_sum 1\nh_count 3\n', /_count differs/],
    ['a histogram without _sum', '# TYPE h histogram\nh_bucket{le="+Inf"} 2\nh_count 2\n', /lacks _sum or _count/],
    ['a plain histogram sample', '# TYPE h histogram\nh 1\n', /without _bucket/],
    ['a summary without _count', '# TYPE s summary\ns{quantile="0.5"} 1\ns_sum 1\n', /lacks _sum or _count/],
  ];

  it.each(refusals)('refuses %s', (_what, page, error) => {
    expect(() => parsePrometheusText(page)).toThrow(error);
  });
});
