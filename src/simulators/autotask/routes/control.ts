/**
 * `/__sim/…`: the test-control surface of the standalone simulator (not part of Autotask's API).
 * Each route calls the same operation the programmatic API offers.
 */
import { Router, type Request } from 'express';
import type { AutotaskSimulatorControls } from '../controls';
import { ApiFault } from '../wire';

function numberParam(req: Request, name: string): number {
  const value = Number(req.params[name]);
  if (!Number.isFinite(value)) throw new ApiFault(400, { errors: [`${name} must be a number`] });
  return value;
}

function body(req: Request): Record<string, unknown> {
  return typeof req.body === 'object' && req.body !== null ? (req.body as Record<string, unknown>) : {};
}

/** `?by=<resourceId>`: who makes a ticket change (default the technician). */
function changeOptions(req: Request): { by?: number } {
  const by = req.query.by;
  if (by === undefined) return {};
  const id = Number(by);
  if (!Number.isInteger(id)) throw new ApiFault(400, { errors: ['by must be a resource id'] });
  return { by: id };
}

function activeFlag(req: Request): boolean {
  return body(req).isActive !== false;
}

export function controlRoutes(sim: AutotaskSimulatorControls): Router {
  const router = Router();
  router.post('/reset', (_req, res) => {
    sim.reset();
    res.status(204).end();
  });
  router.get('/requests', (_req, res) => {
    res.json({ items: sim.requests });
  });
  /** Counts only: cheap enough to poll while thousands of requests pile up. */
  router.get('/stats', (_req, res) => {
    const writes: Record<string, number> = {};
    for (const entry of sim.requests) if (entry.write && entry.entity) writes[entry.entity] = (writes[entry.entity] ?? 0) + 1;
    res.json({ requests: sim.requests.length, writes });
  });
  router.get('/tickets', (_req, res) => {
    res.json({ items: sim.tickets() });
  });
  router.get('/ticket-notes', (_req, res) => {
    res.json({ items: sim.ticketNotes() });
  });
  router.post('/tickets', (req, res) => {
    const items = Array.isArray(req.body) ? (req.body as Array<Record<string, unknown>>) : [body(req)];
    res.json({ ids: sim.addTickets(items, changeOptions(req)) });
  });
  router.patch('/tickets/:id', (req, res) => {
    sim.changeTicket(numberParam(req, 'id'), body(req), changeOptions(req));
    res.status(204).end();
  });
  router.get('/webhook-deliveries', (_req, res) => {
    res.json({ items: sim.webhookDeliveries() });
  });
  router.post('/webhooks/idle', async (_req, res) => {
    await sim.webhooksIdle();
    res.status(204).end();
  });
  router.get('/companies', (_req, res) => {
    res.json({ items: sim.companies() });
  });
  router.post('/companies', (req, res) => {
    const fields = body(req);
    res.json({ id: sim.faults.addCompany({ ...fields, companyName: String(fields.companyName ?? 'New company') }) });
  });
  router.put('/companies/:id/active', (req, res) => {
    sim.faults.setCompanyActive(numberParam(req, 'id'), activeFlag(req));
    res.status(204).end();
  });
  router.put('/billing-codes/:id/active', (req, res) => {
    sim.faults.setBillingCodeActive(numberParam(req, 'id'), activeFlag(req));
    res.status(204).end();
  });
  router.put('/picklists/:field/:value/active', (req, res) => {
    sim.faults.setPicklistValueActive(String(req.params.field), String(req.params.value), activeFlag(req));
    res.status(204).end();
  });
  router.post('/faults/fail-next-writes', (req, res) => {
    const { count, status, errors, retryAfterSeconds, entity } = body(req);
    sim.faults.failNextWrites(Number(count ?? 1), {
      status: Number(status ?? 500),
      ...(Array.isArray(errors) ? { errors: errors.map(String) } : {}),
      ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds: Number(retryAfterSeconds) }),
      ...(typeof entity === 'string' ? { entity } : {}),
    });
    res.status(204).end();
  });
  router.post('/faults/outage', (req, res) => {
    const { seconds, status, errors, retryAfterSeconds } = body(req);
    sim.faults.failAllFor(Number(seconds ?? 30) * 1000, {
      status: Number(status ?? 500),
      ...(Array.isArray(errors) ? { errors: errors.map(String) } : {}),
      ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds: Number(retryAfterSeconds) }),
    });
    res.status(204).end();
  });
  router.post('/faults/commit-then-timeout', (req, res) => {
    const { count, mode } = body(req);
    sim.faults.commitThenTimeout(Number(count ?? 1), { mode: mode === 'reset' ? 'reset' : 'hang' });
    res.status(204).end();
  });
  router.post('/faults/drop-webhook-deliveries', (req, res) => {
    sim.faults.dropNextWebhookDeliveries(Number(body(req).count ?? 1));
    res.status(204).end();
  });
  router.put('/faults/latency', (req, res) => {
    sim.faults.latencyMs = Number(body(req).ms ?? 0);
    res.status(204).end();
  });
  router.delete('/faults', (_req, res) => {
    sim.faults.clear();
    res.status(204).end();
  });
  router.put('/threshold', (req, res) => {
    const { limit, used } = body(req);
    sim.faults.setThreshold(Number(limit), Number(used ?? 0));
    res.status(204).end();
  });
  return router;
}
