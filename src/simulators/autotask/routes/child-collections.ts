/**
 * Child entities, written only through their parent with the verbs the Swagger gives each path:
 * `/TicketWebhooks/{parentId}/Fields` and `/ExcludedResources` (the top-level TicketWebhookFields
 * and TicketWebhookExcludedResources are query/get only) and `/Tickets/{parentId}/Notes` (TicketNotes
 * is query/get only). Which children exist, and under which parent, is `parent` in model.ts.
 */
import { Router, type Request, type Response } from 'express';
import type { SimulatorContext } from '../context';
import { ENTITIES, type ChildOf, type EntityDefinition } from '../model';
import { MAX_PAGE_SIZE } from '../query';
import type { EntityRecord } from '../seed';
import { deleteAndTrigger, writeAndTrigger } from '../triggers';
import type { WriteMode } from '../writes';
import { methodNotAllowed, propertyIgnoringCase, rejected } from '../wire';
import { answerWrite, numericId, writeContextOf } from './call';
import { entityInformation, fieldInformation } from './metadata';

interface ChildCollection {
  child: EntityDefinition;
  parent: EntityDefinition;
  of: ChildOf;
}

function childCollections(): ChildCollection[] {
  return ENTITIES.flatMap((child) => {
    const of = child.parent;
    const parent = of && ENTITIES.find((entity) => entity.name === of.entity);
    return of && parent ? [{ child, parent, of }] : [];
  });
}

/** A parent that does not exist is refused as the reference it is (HTTP 500 + errors), as the write would be. */
function parentOf(context: SimulatorContext, collection: ChildCollection, req: Request): number {
  const parentId = numericId(req, 'parentId');
  if (!context.state.get(collection.parent, parentId)) {
    throw rejected(`Reference value on field: ${collection.of.key} of type: ${collection.parent.singular} does not exist or is invalid.`);
  }
  return parentId;
}

/** The body's parent id, filled in from the URL when absent; one naming another parent is refused. */
function bodyForParent(collection: ChildCollection, req: Request, parentId: number): Record<string, unknown> {
  const body = typeof req.body === 'object' && req.body !== null && !Array.isArray(req.body) ? { ...(req.body as Record<string, unknown>) } : null;
  if (!body) throw rejected("Unexpected character encountered while parsing value. Path '', line 1, position 1.");
  const { key } = collection.of;
  const sent = propertyIgnoringCase(body, key);
  if (sent === undefined || sent === null) return { ...body, [key]: parentId };
  if (Number(sent) !== parentId) {
    throw rejected(`The ${key.charAt(0).toUpperCase()}${key.slice(1)} ${String(sent)} does not match the parent id ${parentId} of the URL.`);
  }
  return body;
}

function childRecord(context: SimulatorContext, collection: ChildCollection, parentId: number, id: number): EntityRecord | undefined {
  const record = context.state.get(collection.child, id);
  return record && Number(record[collection.of.key]) === parentId ? record : undefined;
}

function childWrite(context: SimulatorContext, collection: ChildCollection, mode: WriteMode) {
  return (req: Request, res: Response): void => {
    const parentId = parentOf(context, collection, req);
    const body = bodyForParent(collection, req, parentId);
    if (mode !== 'create' && !childRecord(context, collection, parentId, Number(propertyIgnoringCase(body, 'id')))) {
      throw rejected('No matching records found. The operation has been cancelled.');
    }
    answerWrite(context, req, res, writeAndTrigger(context, collection.child, body, mode, writeContextOf(context, res)));
  };
}

function refuse(req: Request): never {
  throw methodNotAllowed(req.method);
}

export function childCollectionRoutes(context: SimulatorContext): Router {
  const router = Router();
  const { state } = context;
  for (const collection of childCollections()) {
    const { child, of } = collection;
    const base = `/${of.entity}/:parentId/${of.path}`;
    router.get(`${base}/entityInformation`, (_req, res) => {
      res.json(entityInformation(child));
    });
    router.get(`${base}/entityInformation/fields`, (_req, res) => {
      res.json(fieldInformation(state, child));
    });
    router.get(`${base}/entityInformation/userDefinedFields`, (_req, res) => {
      res.json({ fields: [] });
    });

    const list = router.route(base);
    list.get((req, res) => {
      const parentId = parentOf(context, collection, req);
      const items = state.list(child).filter((record) => Number(record[of.key]) === parentId).slice(0, MAX_PAGE_SIZE);
      res.json({ items, pageDetails: { count: items.length, requestCount: MAX_PAGE_SIZE, prevPageUrl: null, nextPageUrl: null } });
    });
    list.post(childWrite(context, collection, 'create'));
    if (child.canUpdate) list.patch(childWrite(context, collection, 'patch')).put(childWrite(context, collection, 'put'));
    list.all(refuse);

    const item = router.route(`${base}/:id`);
    item.get((req, res) => {
      res.json({ item: childRecord(context, collection, parentOf(context, collection, req), numericId(req, 'id')) ?? null });
    });
    if (child.canDelete) {
      item.delete((req, res) => {
        const parentId = parentOf(context, collection, req);
        const id = numericId(req, 'id');
        if (!childRecord(context, collection, parentId, id)) throw rejected('No matching records found. The operation has been cancelled.');
        deleteAndTrigger(context, child, id);
        res.json({ itemId: id });
      });
    }
    item.all(refuse);
  }
  return router;
}
