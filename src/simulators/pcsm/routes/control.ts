/**
 * `/__sim/…`: the test-control surface of the standalone simulator (not part of PCSM's API).
 * Each route calls the same operation the programmatic API offers.
 */
import { Router, type Request } from 'express';
import type { PcsmSimulatorControls } from '../controls';
import { SimulatorInputError } from '../model';

function body(req: Request): Record<string, unknown> {
  return typeof req.body === 'object' && req.body !== null && !Array.isArray(req.body) ? (req.body as Record<string, unknown>) : {};
}

function count(req: Request): number {
  const value = body(req).count ?? 1;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) throw new SimulatorInputError('count must be a non-negative integer');
  return value;
}

/** The optional `at` of a change, and the rest of the body as the record's fields. */
function splitAt(req: Request): { fields: Record<string, unknown>; at?: Date } {
  const { at, ...fields } = body(req);
  if (at === undefined) return { fields };
  if (typeof at !== 'string' || Number.isNaN(Date.parse(at))) throw new SimulatorInputError('at must be an ISO date-time');
  return { fields, at: new Date(at) };
}

export function controlRoutes(sim: PcsmSimulatorControls): Router {
  const router = Router();
  router.post('/reset', (_req, res) => {
    sim.reset();
    res.status(204).end();
  });
  router.get('/requests', (_req, res) => {
    res.json({ items: sim.requests });
  });
  router.get('/tickets', (_req, res) => {
    res.json({ items: sim.tickets() });
  });
  router.post('/tickets', (req, res) => {
    const { fields, at } = splitAt(req);
    res.status(201).json(sim.createTicket(fields, { at }));
  });
  router.patch('/tickets/:id', (req, res) => {
    const { fields, at } = splitAt(req);
    res.json(sim.updateTicket(String(req.params.id), fields, { at }));
  });
  router.get('/profiles', (_req, res) => {
    res.json({ items: sim.profiles() });
  });
  router.post('/profiles', (req, res) => {
    const { fields, at } = splitAt(req);
    res.status(201).json(sim.createProfile(fields, { at }));
  });
  router.patch('/profiles/:id', (req, res) => {
    const { fields, at } = splitAt(req);
    res.json(sim.updateProfile(String(req.params.id), fields, { at }));
  });
  router.get('/webhook', (_req, res) => {
    res.json({ url: sim.webhook?.url ?? null, emitOnApiChanges: sim.emitOnApiChanges });
  });
  router.put('/webhook', (req, res) => {
    const { url, secret, emitOnApiChanges } = body(req);
    if (typeof url !== 'string' || typeof secret !== 'string' || !secret) throw new SimulatorInputError('url and secret are required strings');
    sim.setWebhook({ url, secret });
    if (typeof emitOnApiChanges === 'boolean') sim.emitOnApiChanges = emitOnApiChanges;
    res.status(204).end();
  });
  router.delete('/webhook', (_req, res) => {
    sim.setWebhook(null);
    res.status(204).end();
  });
  router.get('/webhook-deliveries', (_req, res) => {
    res.json({ items: sim.webhookDeliveries() });
  });
  router.get('/webhook-events', (_req, res) => {
    res.json({ items: sim.webhookEvents() });
  });
  router.post('/webhooks/idle', async (_req, res) => {
    await sim.webhooksIdle();
    res.status(204).end();
  });
  router.post('/faults/fail-next-requests', (req, res) => {
    const { status, retryAfterSeconds, error } = body(req);
    if (typeof status !== 'number' || !Number.isInteger(status) || status < 400 || status > 599) {
      throw new SimulatorInputError('status must be an HTTP error status (400-599)');
    }
    sim.faults.failNextRequests(count(req), {
      status,
      ...(typeof retryAfterSeconds === 'number' ? { retryAfterSeconds } : {}),
      ...(typeof error === 'string' ? { error } : {}),
    });
    res.status(204).end();
  });
  router.put('/faults/latency', (req, res) => {
    const ms = body(req).ms;
    if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) throw new SimulatorInputError('ms must be a non-negative number');
    sim.faults.latencyMs = ms;
    res.status(204).end();
  });
  router.post('/faults/drop-next-webhooks', (req, res) => {
    sim.faults.dropNextWebhooks(count(req));
    res.status(204).end();
  });
  router.post('/faults/fail-next-webhook-deliveries', (req, res) => {
    sim.faults.failNextWebhookDeliveries(count(req));
    res.status(204).end();
  });
  router.delete('/faults', (_req, res) => {
    sim.faults.clear();
    res.status(204).end();
  });
  return router;
}
