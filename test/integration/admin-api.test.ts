import { createLogger } from '../../src/logger';
import { startRuntime } from '../../src/runtime';
import { ADMIN_TOKEN, startStack, type Stack } from '../support/stack';

describe('admin API and operator surfaces', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack('admin-api', { worker: false });
  });

  afterAll(async () => {
    await stack.close();
  });

  const secrets = (s: Stack) => {
    const input = s.input();
    return [input.rmm.apiKey, input.rmm.webhookSecret, input.autotask.secret, input.autotask.integrationCode, 'callout-password-secret'];
  };

  it('refuses /api/v1 without the admin token, and with a wrong one', async () => {
    expect((await fetch(`${stack.url}/api/v1/connectors/c1`)).status).toBe(401);
    expect((await stack.admin('GET', '/api/v1/connectors/c1', undefined, 'wrong-token-wrong-token')).status).toBe(401);
  });

  it('creates a connector with 201 and never returns its secrets', async () => {
    const response = await stack.admin('PUT', '/api/v1/connectors/c1', stack.input());
    expect(response.status).toBe(201);
    const text = JSON.stringify(response.body);
    for (const secret of secrets(stack)) expect(text).not.toContain(secret);
    expect(response.body.autotask).toMatchObject({ username: 'api@contoso.example', secret: '[redacted]' });
    const again = await stack.admin('GET', '/api/v1/connectors/c1');
    expect(again.status).toBe(200);
    expect(again.body.mappings.queueId).toBe(29683498);
  });

  it('stores credentials encrypted', async () => {
    await stack.putConnector('c1');
    const raw = await stack.runtime.store.connection.db!.collection('connectors').findOne({ _id: 'c1' as never });
    const text = JSON.stringify(raw);
    for (const secret of secrets(stack)) expect(text).not.toContain(secret);
    expect((await stack.runtime.store.connectors.get('c1'))?.autotask.secret).toBe('sim-secret');
  });

  it('keeps a stored secret when a PUT sends the redaction marker back', async () => {
    await stack.putConnector('c1');
    const shown = (await stack.admin('GET', '/api/v1/connectors/c1')).body;
    // What an operator does: GET, edit one field, PUT the whole document back.
    const response = await stack.admin('PUT', '/api/v1/connectors/c1', { ...shown, name: 'Renamed' });
    expect(response.status).toBe(200);
    const connector = await stack.runtime.store.connectors.get('c1');
    expect(connector).toMatchObject({ name: 'Renamed', autotask: { secret: 'sim-secret' } });
  });

  it('rejects an invalid connector with 400 naming the fields', async () => {
    const input = stack.input() as any;
    const response = await stack.admin('PUT', '/api/v1/connectors/c2', {
      ...input,
      mappings: { ...input.mappings, queueId: 'Monitoring Alert', severities: [{ rmm: 7, autotask: 4 }] },
    });
    expect(response.status).toBe(400);
    expect(response.body.errors.map((e: { field: string }) => e.field)).toEqual(
      expect.arrayContaining(['mappings.queueId', 'mappings.severities.0.rmm']),
    );
    expect((await stack.admin('GET', '/api/v1/connectors/c2')).status).toBe(404);
  });

  it('answers 404 for a ticket without a link', async () => {
    await stack.putConnector('c1');
    expect((await stack.admin('GET', '/api/v1/connectors/c1/tickets/T-none')).status).toBe(404);
  });

  it('serves Bull Board behind the token, with Basic auth for browsers', async () => {
    expect((await fetch(`${stack.url}/admin/queues`)).status).toBe(401);
    const basic = Buffer.from(`operator:${ADMIN_TOKEN}`).toString('base64');
    const page = await fetch(`${stack.url}/admin/queues`, { headers: { authorization: `Basic ${basic}` } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<html');
    const api = await fetch(`${stack.url}/admin/queues/api/queues`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(api.status).toBe(200);
    expect(JSON.stringify(await api.json())).toContain('connector.c1');
  });

  it('answers /healthz and /readyz', async () => {
    expect((await fetch(`${stack.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${stack.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', checks: { redis: true, mongo: true } });
  });

  it('serves a worker-only process’s /metrics and /healthz when METRICS_PORT is set', async () => {
    const worker = await startRuntime(
      { ...stack.runtime.config, metricsPort: 0 },
      { api: false, worker: true, logger: createLogger({ level: 'error', service: 'test' }) },
    );
    try {
      expect(await (await fetch(`${worker.url}/healthz`)).json()).toEqual({ status: 'ok' });
      expect((await fetch(`${worker.url}/metrics`)).status).toBe(401);
      const metrics = await fetch(`${worker.url}/metrics`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
      expect(await metrics.text()).toMatch(/pcsm_sync_queue_jobs\{[^}]*queue="connector\.c1"/);
    } finally {
      await worker.close();
    }
  });

  it('exposes Prometheus metrics behind the token', async () => {
    expect((await fetch(`${stack.url}/metrics`)).status).toBe(401);
    const response = await fetch(`${stack.url}/metrics`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    expect(await response.text()).toMatch(/pcsm_sync_queue_jobs\{[^}]*queue="connector\.c1"/);
  });
});
