/**
 * `/TicketWebhooks/{parentId}/Fields` and `/TicketWebhooks/{parentId}/ExcludedResources`: the only
 * way to write a webhook's fields and excluded resources (the top-level TicketWebhookFields and
 * TicketWebhookExcludedResources are query/get only), with the verbs the Swagger gives each path.
 */
import { Router, type Request, type Response } from 'express';
import type { SimulatorContext } from '../context';
import { TICKET_WEBHOOK_EXCLUDED_RESOURCES, TICKET_WEBHOOK_FIELDS, TICKET_WEBHOOKS, type EntityDefinition } from '../model';
import { MAX_PAGE_SIZE } from '../query';
import { deleteAndTrigger, writeAndTrigger } from '../triggers';
import type { WriteMode } from '../writes';
import { methodNotAllowed, propertyIgnoringCase, rejected } from '../wire';
import { answerWrite, numericId, writeContextOf } from './call';
import { entityInformation, fieldInformation } from './metadata';

function parentOf(context: SimulatorContext, req: Request): number {
  const parentId = numericId(req, 'parentId');
  if (!context.state.get(TICKET_WEBHOOKS, parentId)) throw rejected(`No matching records found. The parent TicketWebhook ${parentId} does not exist.`);
  return parentId;
}

/** The body's WebhookID, filled in from the URL when absent; one naming another webhook is refused. */
function bodyForParent(req: Request, parentId: number): Record<string, unknown> {
  const body = typeof req.body === 'object' && req.body !== null && !Array.isArray(req.body) ? { ...(req.body as Record<string, unknown>) } : null;
  if (!body) throw rejected("Unexpected character encountered while parsing value. Path '', line 1, position 1.");
  const sent = propertyIgnoringCase(body, 'webhookID');
  if (sent === undefined || sent === null) return { ...body, webhookID: parentId };
  if (Number(sent) !== parentId) throw rejected(`The WebhookID ${String(sent)} does not match the parent id ${parentId} of the URL.`);
  return body;
}

function childRecord(context: SimulatorContext, child: EntityDefinition, parentId: number, id: number) {
  const record = context.state.get(child, id);
  return record && Number(record.webhookID) === parentId ? record : undefined;
}

function childWrite(context: SimulatorContext, child: EntityDefinition, mode: WriteMode) {
  return (req: Request, res: Response): void => {
    const parentId = parentOf(context, req);
    const body = bodyForParent(req, parentId);
    if (mode !== 'create' && !childRecord(context, child, parentId, Number(propertyIgnoringCase(body, 'id')))) {
      throw rejected('No matching records found. The operation has been cancelled.');
    }
    answerWrite(context, req, res, writeAndTrigger(context, child, body, mode, writeContextOf(context, res)));
  };
}

function refuse(req: Request): never {
  throw methodNotAllowed(req.method);
}

export function webhookChildRoutes(context: SimulatorContext): Router {
  const router = Router();
  const { state } = context;
  for (const child of [TICKET_WEBHOOK_FIELDS, TICKET_WEBHOOK_EXCLUDED_RESOURCES]) {
    const base = `/TicketWebhooks/:parentId/${child.parent?.path ?? ''}`;
    router.get(`${base}/entityInformation`, (_req, res) => {
      res.json(entityInformation(child));
    });
    router.get(`${base}/entityInformation/fields`, (_req, res) => {
      res.json(fieldInformation(state, child));
    });
    router.get(`${base}/entityInformation/userDefinedFields`, (_req, res) => {
      res.json({ fields: [] });
    });

    const collection = router.route(base);
    collection.get((req, res) => {
      const parentId = parentOf(context, req);
      const items = state.list(child).filter((record) => Number(record.webhookID) === parentId).slice(0, MAX_PAGE_SIZE);
      res.json({ items, pageDetails: { count: items.length, requestCount: MAX_PAGE_SIZE, prevPageUrl: null, nextPageUrl: null } });
    });
    collection.post(childWrite(context, child, 'create'));
    if (child.canUpdate) collection.patch(childWrite(context, child, 'patch')).put(childWrite(context, child, 'put'));
    collection.all(refuse);

    router
      .route(`${base}/:id`)
      .get((req, res) => {
        res.json({ item: childRecord(context, child, parentOf(context, req), numericId(req, 'id')) ?? null });
      })
      .delete((req, res) => {
        const parentId = parentOf(context, req);
        const id = numericId(req, 'id');
        if (!childRecord(context, child, parentId, id)) throw rejected('No matching records found. The operation has been cancelled.');
        deleteAndTrigger(context, child, id);
        res.json({ itemId: id });
      })
      .all(refuse);
  }
  return router;
}
