import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { Queue } from 'bullmq';
import express, { type NextFunction, type Request, type Response } from 'express';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from '../logger';
import type { Metrics } from '../observability/metrics';
import type { Store } from '../store';
import { adminAuth } from './admin-auth';
import { apiDocs } from './api-docs';
import { getConnector, listConnectors, putConnector, type BudgetView } from './admin-connectors';
import { getTicket, listTickets, retryAllTickets, retryTicket, type TicketHandlerDeps } from './admin-tickets';
import {
  getSetup,
  postAccountCheck,
  postAutotaskWebhook,
  postSetup,
  postSetupCheck,
  postSetupLink,
  postSetupRefresh,
  postSetupValidate,
  type SetupHandlerDeps,
} from './admin-setup';
import type { RmmKind } from '../rmm/types';
import { receiveCallout } from './autotask-callout';
import { receiveDattoRmmWebhook, type RmmTicketHint } from './datto-rmm-webhook';
import { receiveAutotaskWebhook, type AutotaskTrigger } from './autotask-webhook';
import { metricsResult, timeRequests } from './operator';
import { receivePcsmWebhook, type PcsmEventIntake } from './pcsm-webhook';
import { problem, send, type HttpResult } from './result';

/** The contract's body limit for every ingress endpoint. */
export const BODY_LIMIT_BYTES = 256 * 1024;

export interface AppDeps extends SetupHandlerDeps, TicketHandlerDeps {
  adminToken: string;
  store: Store;
  logger: Logger;
  metrics: Metrics;
  /** The queues Bull Board shows now; `onQueueCreated` adds the ones created later (a new connector's). */
  queues(): Queue[];
  onQueueCreated(listener: (queue: Queue) => void): void;
  takePcsmEvent: PcsmEventIntake;
  /** A delivery that only names an RMM ticket (Datto RMM): its read job is added; resolves with the job id. */
  takeRmmHint(connectorId: string, hint: RmmTicketHint): Promise<string>;
  isQueueUnavailable(error: unknown): boolean;
  /** Reachability of Redis and MongoDB for /readyz. */
  readiness(): Promise<Record<string, boolean>>;
  /** The RMM webhook secret of a connector of that kind (cached briefly by the caller); null for any other connector. */
  rmmWebhookSecret(connectorId: string, kind: RmmKind): Promise<string | null>;
  autotaskWebhookSecret(connectorId: string): Promise<string | null>;
  enqueueReconcile(connectorId: string): Promise<string>;
  calloutCredentials(connectorId: string): Promise<{ username: string; password: string } | null>;
  enqueueAutotaskTrigger(connectorId: string, trigger: AutotaskTrigger): Promise<string>;
  autotaskWebhookDeactivated(connectorId: string, notice: Record<string, unknown>): void;
  /** The Autotask hour of the connector's database (Redis only: no Autotask call). */
  connectorBudget?(connectorId: string): Promise<BudgetView | null>;
  /** Called after a connector is saved: keeps its catalogue refresh on schedule. */
  connectorSaved(connectorId: string): Promise<void>;
}

/** Express at the edge only: routes, body limits and auth; handlers return results, `send` writes them. */
export function createApp(deps: AppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(timeRequests(deps.metrics));
  const webhookCounter = deps.metrics.counter('pcsm_sync_webhooks_total', 'Webhook deliveries by source and status', ['source', 'status']);
  const route =
    (source: string, handler: (req: Request) => Promise<HttpResult>) =>
    (req: Request, res: Response, next: NextFunction) => {
      handler(req)
        .then((result) => {
          if (source !== 'admin') webhookCounter.inc({ source, status: String(result.status) });
          send(res, result);
        })
        .catch(next);
    };

  app.get('/healthz', (_req, res) => send(res, { status: 200, body: { status: 'ok' } }));
  app.get(
    '/readyz',
    route('admin', async () => {
      const checks = await deps.readiness();
      const ready = Object.values(checks).every(Boolean);
      return { status: ready ? 200 : 503, body: { status: ready ? 'ready' : 'unavailable', checks } };
    }),
  );

  const rawJson = express.raw({ type: () => true, limit: BODY_LIMIT_BYTES });
  app.post(
    '/webhooks/pcsm/:connectorId',
    rawJson,
    route('pcsm', (req) =>
      receivePcsmWebhook(
        {
          connectorId: String(req.params.connectorId),
          contentType: req.headers['content-type'],
          signature: req.get('x-pcsm-signature'),
          rawBody: Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0),
          nowSeconds: Math.floor(Date.now() / 1000),
        },
        {
          webhookSecret: (connectorId) => deps.rmmWebhookSecret(connectorId, 'pcsm'),
          take: deps.takePcsmEvent,
          isQueueUnavailable: deps.isQueueUnavailable,
        },
      ),
    ),
  );

  app.post(
    '/webhooks/datto-rmm/:connectorId',
    rawJson,
    route('datto-rmm', (req) =>
      receiveDattoRmmWebhook(
        {
          connectorId: String(req.params.connectorId),
          contentType: req.headers['content-type'],
          secret: req.get('x-webhook-secret') ?? (typeof req.query.secret === 'string' ? req.query.secret : undefined),
          rawBody: Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0),
        },
        {
          webhookSecret: (connectorId) => deps.rmmWebhookSecret(connectorId, 'datto-rmm'),
          take: deps.takeRmmHint,
          isQueueUnavailable: deps.isQueueUnavailable,
        },
      ),
    ),
  );

  app.post(
    '/webhooks/autotask/:connectorId',
    rawJson,
    route('autotask-webhook', (req) =>
      receiveAutotaskWebhook(
        {
          connectorId: String(req.params.connectorId),
          contentType: req.headers['content-type'],
          signature: req.get('x-hook-signature'),
          rawBody: Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0),
        },
        {
          webhookSecret: deps.autotaskWebhookSecret,
          enqueue: deps.enqueueAutotaskTrigger,
          isQueueUnavailable: deps.isQueueUnavailable,
          deactivated: deps.autotaskWebhookDeactivated,
        },
      ),
    ),
  );

  // Autotask calls the deactivation URL unsigned, in an undocumented format: worth a warning, never an action.
  app.post('/webhooks/autotask/:connectorId/deactivated', (req, res) => {
    deps.logger.warn('Autotask called the webhook deactivation URL (unverified): check the webhook in Autotask', {
      connectorId: String(req.params.connectorId),
    });
    send(res, { status: 202, body: { accepted: true } });
  });

  // Extension Callouts: GET with a query string, or POST with a form or JSON body.
  const calloutBody = [
    express.urlencoded({ extended: false, limit: BODY_LIMIT_BYTES }),
    express.json({ limit: BODY_LIMIT_BYTES }),
  ];
  const callout = route('autotask-callout', (req) =>
    receiveCallout(
      {
        connectorId: String(req.params.connectorId),
        authorization: req.headers.authorization,
        parameters: { ...(req.query as Record<string, unknown>), ...(isPlainObject(req.body) ? req.body : {}) },
      },
      { calloutCredentials: deps.calloutCredentials, enqueue: deps.enqueueAutotaskTrigger, isQueueUnavailable: deps.isQueueUnavailable },
    ),
  );
  app.get('/callouts/autotask/:connectorId', callout);
  app.post('/callouts/autotask/:connectorId', ...calloutBody, callout);

  const admin = adminAuth(deps.adminToken);
  const api = express.Router();
  api.use(admin);
  const jsonBody = express.json({ limit: BODY_LIMIT_BYTES, type: () => true });
  api.put(
    '/connectors/:id',
    jsonBody,
    route('admin', async (req) => {
      const result = await putConnector(deps.store, String(req.params.id), req.body);
      if (result.status < 300) await deps.connectorSaved(String(req.params.id));
      return result;
    }),
  );
  api.get('/connectors', route('admin', () => listConnectors(deps.store)));
  api.get('/connectors/:id', route('admin', (req) => getConnector(deps.store, String(req.params.id), deps.connectorBudget)));
  api.get('/connectors/:id/tickets', route('admin', (req) => listTickets(deps, String(req.params.id), req.query as Record<string, unknown>)));
  api.post('/connectors/:id/tickets/retry', route('admin', (req) => retryAllTickets(deps, String(req.params.id))));
  api.get('/connectors/:id/tickets/:ticketId', route('admin', (req) => getTicket(deps, String(req.params.id), String(req.params.ticketId))));
  api.post('/connectors/:id/tickets/:ticketId/retry', route('admin', (req) => retryTicket(deps, String(req.params.id), String(req.params.ticketId))));
  api.get('/connectors/:id/setup', route('admin', (req) => getSetup(deps, String(req.params.id))));
  api.post('/connectors/:id/setup', jsonBody, route('admin', (req) => postSetup(deps, String(req.params.id), req.body)));
  api.post('/connectors/:id/setup/validate', jsonBody, route('admin', (req) => postSetupValidate(deps, String(req.params.id), req.body)));
  api.post('/connectors/:id/setup/link', jsonBody, route('admin', (req) => postSetupLink(deps, String(req.params.id), req.body)));
  api.post('/connectors/:id/setup/refresh', route('admin', (req) => postSetupRefresh(deps, String(req.params.id))));
  api.post('/connectors/:id/setup/check', route('admin', (req) => postSetupCheck(deps, String(req.params.id))));
  api.post(
    '/connectors/:id/reconcile',
    route('admin', async (req) => {
      const id = String(req.params.id);
      if (!(await deps.store.connectors.get(id))) return problem(404, 'Not Found', `no connector ${id}`);
      return { status: 202, body: { queued: true, jobId: await deps.enqueueReconcile(id) } };
    }),
  );
  api.post('/connectors/:id/autotask-webhook', jsonBody, route('admin', (req) => postAutotaskWebhook(deps, String(req.params.id), req.body)));
  api.post('/account-check', jsonBody, route('admin', (req) => postAccountCheck(deps, req.body)));
  app.use('/api/v1', api);

  // The setup wizard: static files, no build step; the page calls the API above.
  app.use('/admin/setup', admin, express.static(setupAssets(), { index: 'index.html', redirect: true }));

  const board = new ExpressAdapter();
  board.setBasePath('/admin/queues');
  const bullBoard = createBullBoard({
    queues: deps.queues().map((queue) => new BullMQAdapter(queue)),
    serverAdapter: board,
    options: { uiConfig: { theme: { light: SYSTEM_FONTS, dark: SYSTEM_FONTS } } },
  });
  deps.onQueueCreated((queue) => bullBoard.addQueue(new BullMQAdapter(queue)));
  app.use('/admin/queues', admin, withoutRemoteLinks, board.getRouter());

  app.get(
    '/metrics',
    admin,
    route('admin', () => metricsResult(deps.metrics)),
  );

  // The OpenAPI document and its browsable page: public, described in src/ingress/operations.ts like every route.
  app.use(apiDocs());

  app.use((_req: Request, res: Response) => send(res, problem(404, 'Not Found')));
  app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    send(res, errorResult(error, deps.logger));
  });
  return app;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !Buffer.isBuffer(value);
}

/** Bull Board's fonts ("IBM Plex", from Google Fonts) replaced by the system's: an offline install loads nothing from elsewhere. */
const SYSTEM_FONTS = {
  'font-sans': 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif',
  'font-mono': 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace',
};

const REMOTE_LINK = /<link\b[^>]*\bhref="(?:https?:)?\/\/[^"]*"[^>]*>\s*/gi;

/**
 * Bull Board's page template (@bull-board/ui dist/index.ejs) links the Google Fonts stylesheet and
 * offers no option to leave it out; its pages are rendered here without links to other hosts.
 */
function withoutRemoteLinks(_req: Request, res: Response, next: NextFunction): void {
  const send = res.send;
  res.send = function sendLocalOnly(this: Response, body?: unknown) {
    const page = typeof body === 'string' && /^\s*<!doctype html/i.test(body) ? body.replace(REMOTE_LINK, '') : body;
    return send.call(this, page);
  };
  next();
}

/** public/setup at the project root, whether running from src/ (ts-node) or dist/src/. */
function setupAssets(): string {
  let dir = __dirname;
  while (!existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return path.join(dir, 'public', 'setup');
}

/** Body-parser errors become the contract's answers; anything else is logged and hidden. */
function errorResult(error: unknown, logger: Logger): HttpResult {
  const type = (error as { type?: string }).type;
  if (type === 'entity.too.large') return problem(413, 'Content Too Large', `bodies are limited to ${BODY_LIMIT_BYTES} bytes`);
  if (type === 'entity.parse.failed') return problem(400, 'Bad Request', 'the body is not valid JSON');
  if (type === 'encoding.unsupported' || type === 'charset.unsupported') return problem(415, 'Unsupported Media Type');
  logger.error('request failed', { error });
  return problem(500, 'Internal Server Error', 'the request could not be handled; see the connector logs');
}
