import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { closeServer, watchParent } from '../../src/observability/lifecycle';
import { Metrics } from '../../src/observability/metrics';
import { RunningJobs } from '../../src/observability/running-jobs';
import { parsePrometheusText, samplesOf } from '../support/prometheus-text';

describe('the process metrics registry', () => {
  it('registers a family once and hands the same one to whoever asks again', async () => {
    const metrics = new Metrics({ defaultMetrics: false });
    metrics.counter('a_total', 'a', ['x']).inc({ x: '1' });
    metrics.counter('a_total', 'a', ['x']).inc({ x: '1' });
    expect(samplesOf(parsePrometheusText(await metrics.render()), 'a_total', { x: '1' })[0]?.value).toBe(2);
    expect(() => metrics.gauge('a_total', 'a', ['x'])).toThrow(/already registered/);
    expect(() => metrics.counter('a_total', 'a', ['y'])).toThrow(/already registered/);
  });

  it('refuses a counter whose name does not end in _total', () => {
    expect(() => new Metrics({ defaultMetrics: false }).counter('jobs', 'jobs')).toThrow(/_total/);
  });

  it('reads a collected gauge at every scrape, drops series that are gone, and leaves a failed one empty', async () => {
    const errors: string[] = [];
    const metrics = new Metrics({ defaultMetrics: false, onCollectError: (name) => errors.push(name) });
    let queues: Record<string, number> | Error = { 'connector.c1': 3, maintenance: 0 };
    metrics.gauge('pcsm_sync_test_budget_used_ratio', 'a budget', ['database'], (gauge) => {
      if (queues instanceof Error) throw queues;
      for (const [database, value] of Object.entries(queues)) gauge.set({ database }, value);
    });
    let families = parsePrometheusText(await metrics.render());
    expect(samplesOf(families, 'pcsm_sync_test_budget_used_ratio').map((s) => [s.labels.database, s.value])).toEqual([
      ['connector.c1', 3],
      ['maintenance', 0],
    ]);
    queues = { maintenance: 1 };
    families = parsePrometheusText(await metrics.render());
    expect(samplesOf(families, 'pcsm_sync_test_budget_used_ratio').map((s) => s.labels.database)).toEqual(['maintenance']);
    queues = new Error('Redis is down');
    families = parsePrometheusText(await metrics.render());
    expect(samplesOf(families, 'pcsm_sync_test_budget_used_ratio')).toEqual([]);
    expect(errors).toEqual(['pcsm_sync_test_budget_used_ratio']);
  });

  it('includes the process and Node metrics, as valid exposition text', async () => {
    const metrics = new Metrics();
    const families = parsePrometheusText(await metrics.render());
    expect(families.get('process_resident_memory_bytes')?.type).toBe('gauge');
    expect(metrics.contentType).toContain('text/plain; version=0.0.4');
  });
});

describe('the running jobs of a process', () => {
  it('says when the last one ended, or that time ran out', async () => {
    const running = new RunningJobs();
    const end = running.started('connector.c1', '7', 'ticket-sync');
    expect(running.list()).toEqual([expect.objectContaining({ queue: 'connector.c1', jobId: '7', name: 'ticket-sync' })]);
    expect(await running.idle(20)).toBe(false);
    const idle = running.idle(5_000);
    end();
    expect(await idle).toBe(true);
    expect(running.count()).toBe(0);
  });
});

describe('ending a process on time', () => {
  it('watches the parent only under a package manager, and reports its death once', async () => {
    const gone: number[] = [];
    let parent = 100;
    expect(watchParent(() => gone.push(1), { env: {}, parentPid: () => parent, intervalMs: 5 })).toBeDefined();
    const watch = watchParent((pid) => gone.push(pid), { env: { npm_lifecycle_event: 'start' }, parentPid: () => parent, intervalMs: 5 });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(gone).toEqual([]);
    parent = 1;
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(gone).toEqual([100]);
    watch.stop();
  });

  it('closes an http server that a client keeps a keep-alive socket open to', async () => {
    const server = createServer((_req, res) => res.end('ok'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const agent = new (await import('node:http')).Agent({ keepAlive: true });
    await new Promise<void>((resolve, reject) => {
      request({ port, host: '127.0.0.1', agent }, (res) => {
        res.resume();
        res.on('end', resolve);
      })
        .on('error', reject)
        .end();
    });
    const started = Date.now();
    await closeServer(server, 5_000);
    expect(Date.now() - started).toBeLessThan(1_000);
    agent.destroy();
  });
});
