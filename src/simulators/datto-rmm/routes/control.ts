/**
 * `/__sim/…`: the test-control surface (not part of Datto's API; JSON bodies, no auth).
 * Each route calls the same operation the programmatic API offers.
 */
import { Router, type Request } from 'express';
import { z } from 'zod';
import type { DattoRmmSimulatorControls } from '../controls';
import type { FaultScope, RequestFailure } from '../faults';
import { ALERT_PRIORITIES, parseInput, SimulatorInputError, type AlertContext, type AlertDraft, type DeviceDraft, type SiteChanges, type SiteDraft } from '../model';

function body(req: Request): Record<string, unknown> {
  return typeof req.body === 'object' && req.body !== null && !Array.isArray(req.body) ? (req.body as Record<string, unknown>) : {};
}

function count(req: Request): number {
  const value = body(req).count ?? 1;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) throw new SimulatorInputError('count must be a non-negative integer');
  return value;
}

function scope(req: Request): FaultScope | undefined {
  const value = body(req).scope;
  if (value === undefined) return undefined;
  if (value !== 'api' && value !== 'token' && value !== 'any') throw new SimulatorInputError('scope must be api, token or any');
  return value;
}

function failure(req: Request): RequestFailure {
  const { status, retryAfterSeconds, message } = body(req);
  if (typeof status !== 'number' || !Number.isInteger(status) || status < 400 || status > 599) {
    throw new SimulatorInputError('status must be an HTTP error status (400-599)');
  }
  return {
    status,
    ...(typeof retryAfterSeconds === 'number' ? { retryAfterSeconds } : {}),
    ...(typeof message === 'string' ? { message } : {}),
  };
}

function milliseconds(req: Request, name: string): number {
  const value = body(req)[name];
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new SimulatorInputError(`${name} must be a non-negative number`);
  return value;
}

const webhookTargetSchema = z
  .object({
    url: z.url(),
    secret: z.string().min(1),
    auth: z.enum(['header', 'query']).optional(),
    templates: z.object({ triggered: z.string().min(1).optional(), resolved: z.string().min(1).nullable().optional() }).strict().optional(),
    rawValues: z.boolean().optional(),
  })
  .strict();

const stormSchema = z
  .object({
    count: z.number().int().positive().max(10_000),
    siteUid: z.string().min(1),
    priority: z.enum(ALERT_PRIORITIES).optional(),
    context: z.looseObject({ '@class': z.string().min(1) }).optional(),
    autoresolveMins: z.number().int().positive().nullable().optional(),
    createsTicket: z.boolean().optional(),
  })
  .strict();

const limitsSchema = z
  .object({
    accountLimitPerMinute: z.number().int().nonnegative(),
    writeLimitPerMinute: z.number().int().nonnegative(),
    alertResolveLimitPerMinute: z.number().int().nonnegative(),
    cutOffDelayMs: z.number().int().nonnegative(),
    blockAfter429s: z.number().int().nonnegative(),
    blockMs: z.number().int().nonnegative(),
  })
  .partial()
  .strict();

function booleanQuery(req: Request, name: string): boolean | undefined {
  const value = req.query[name];
  return value === 'true' ? true : value === 'false' ? false : undefined;
}

export function controlRoutes(sim: DattoRmmSimulatorControls): Router {
  const router = Router();
  router.post('/reset', (_req, res) => {
    sim.reset();
    res.status(204).end();
  });
  router.get('/requests', (_req, res) => {
    res.json({ items: sim.requests });
  });

  router.get('/sites', (_req, res) => {
    res.json({ items: sim.sites() });
  });
  router.post('/sites', (req, res) => {
    res.status(201).json(sim.addSite(body(req) as SiteDraft));
  });
  router.patch('/sites/:uid', (req, res) => {
    res.json(sim.changeSite(String(req.params.uid), body(req) as SiteChanges));
  });
  router.delete('/sites/:uid', (req, res) => {
    sim.removeSite(String(req.params.uid));
    res.status(204).end();
  });
  router.put('/sites/:uid/autotask-company', (req, res) => {
    const { autotaskCompanyId, autotaskCompanyName } = body(req);
    if (autotaskCompanyId !== null && typeof autotaskCompanyId !== 'string' && typeof autotaskCompanyId !== 'number') {
      throw new SimulatorInputError('autotaskCompanyId must be a string, a number or null');
    }
    if (autotaskCompanyName !== undefined && autotaskCompanyName !== null && typeof autotaskCompanyName !== 'string') {
      throw new SimulatorInputError('autotaskCompanyName must be a string or null');
    }
    res.json(sim.setSiteAutotaskCompany(String(req.params.uid), autotaskCompanyId, autotaskCompanyName ?? null));
  });
  router.get('/devices', (req, res) => {
    const siteUid = typeof req.query.siteUid === 'string' ? req.query.siteUid : undefined;
    res.json({ items: sim.devices(siteUid) });
  });
  router.post('/sites/:uid/devices', (req, res) => {
    res.status(201).json(sim.addDevice(String(req.params.uid), body(req) as DeviceDraft));
  });

  router.get('/alerts', (req, res) => {
    const siteUid = typeof req.query.siteUid === 'string' ? req.query.siteUid : undefined;
    res.json({ items: sim.alerts({ resolved: booleanQuery(req, 'resolved'), siteUid }) });
  });
  router.post('/alerts', (req, res) => {
    res.status(201).json(sim.raiseAlert(body(req) as AlertDraft));
  });
  router.post('/alerts/storm', (req, res) => {
    const options = parseInput(stormSchema, body(req), 'storm');
    const context = options.context as AlertContext | undefined;
    res.status(201).json({ items: sim.storm({ ...options, ...(context ? { context } : {}) }) });
  });
  router.get('/alerts/:uid', (req, res) => {
    const alert = sim.alert(String(req.params.uid));
    if (!alert) throw new SimulatorInputError(`alert ${String(req.params.uid)} not found`, 404);
    res.json(alert);
  });
  router.post('/alerts/:uid/resolve', (req, res) => {
    const by = body(req).by;
    if (by !== undefined && (typeof by !== 'string' || by === '')) throw new SimulatorInputError('by must be a non-empty string');
    res.json(sim.resolveAlert(String(req.params.uid), by === undefined ? {} : { by }));
  });
  router.post('/alerts/:uid/recur', (req, res) => {
    res.status(201).json(sim.recur(String(req.params.uid)));
  });
  router.get('/auto-resolves', (_req, res) => {
    res.json({ items: sim.pendingAutoResolves() });
  });

  router.get('/tokens', (_req, res) => {
    res.json({ grants: sim.tokenGrants });
  });
  router.post('/tokens/expire', (_req, res) => {
    sim.expireTokens();
    res.status(204).end();
  });
  router.get('/limits', (_req, res) => {
    res.json(sim.rateStatus());
  });
  router.put('/limits', (req, res) => {
    sim.setLimits(parseInput(limitsSchema, body(req), 'limits'));
    res.status(204).end();
  });
  router.delete('/limits/blocks', (_req, res) => {
    sim.unblock();
    res.status(204).end();
  });

  router.get('/webhook', (_req, res) => {
    const target = sim.webhook;
    res.json(target ? { url: target.url, auth: target.auth ?? 'header', templates: target.templates ?? null, rawValues: target.rawValues ?? false } : null);
  });
  router.put('/webhook', (req, res) => {
    sim.setWebhook(parseInput(webhookTargetSchema, body(req), 'webhook'));
    res.status(204).end();
  });
  router.delete('/webhook', (_req, res) => {
    sim.setWebhook(null);
    res.status(204).end();
  });
  router.get('/webhook-deliveries', (_req, res) => {
    res.json({ items: sim.webhookDeliveries() });
  });
  router.post('/webhooks/idle', async (_req, res) => {
    await sim.webhooksIdle();
    res.status(204).end();
  });
  router.post('/webhooks/flush', (_req, res) => {
    sim.flushHeldWebhooks();
    res.status(204).end();
  });

  router.post('/faults/fail-next-requests', (req, res) => {
    sim.faults.failNextRequests(count(req), failure(req), scope(req));
    res.status(204).end();
  });
  router.post('/faults/outage', (req, res) => {
    sim.faults.failAllFor(milliseconds(req, 'ms'), failure(req), scope(req));
    res.status(204).end();
  });
  router.post('/faults/drop-next-connections', (req, res) => {
    sim.faults.dropNextConnections(count(req), scope(req));
    res.status(204).end();
  });
  router.put('/faults/latency', (req, res) => {
    sim.faults.latencyMs = milliseconds(req, 'ms');
    res.status(204).end();
  });
  router.post('/faults/lose-next-webhooks', (req, res) => {
    sim.faults.loseNextWebhooks(count(req));
    res.status(204).end();
  });
  router.post('/faults/repeat-next-webhooks', (req, res) => {
    sim.faults.repeatNextWebhooks(count(req));
    res.status(204).end();
  });
  router.post('/faults/reorder-next-webhooks', (req, res) => {
    sim.faults.reorderNextWebhooks(count(req));
    res.status(204).end();
  });
  router.post('/faults/resolved-before-triggered', (req, res) => {
    sim.faults.resolvedBeforeTriggered(count(req));
    res.status(204).end();
  });
  router.delete('/faults', (_req, res) => {
    sim.faults.clear();
    res.status(204).end();
  });
  return router;
}
