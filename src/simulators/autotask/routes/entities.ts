/** The entity routes of ATServicesRest V1.0, with the verbs the official Swagger gives each path. */
import { randomBytes } from 'node:crypto';
import { Router, type NextFunction, type Request, type Response } from 'express';
import type { SimulatorContext } from '../context';
import { findEntity, type EntityDefinition } from '../model';
import { callInfo } from '../pipeline';
import { parseQueryModel, projectRecord } from '../query';
import type { PageCursor } from '../state';
import { deleteAndTrigger, writeAndTrigger } from '../triggers';
import { assertWritable, type WriteMode } from '../writes';
import { methodNotAllowed, notFound, rejected } from '../wire';
import { answerWrite, numericId, writeContextOf } from './call';
import { childCollectionRoutes } from './child-collections';
import { entityInformation, fieldInformation } from './metadata';
import { publicBaseUrl } from './zone';

function entityOf(req: Request): EntityDefinition {
  const entity = findEntity(String(req.params.entity ?? ''));
  if (!entity) throw notFound(`${publicBaseUrl(req)}${req.originalUrl}`);
  return entity;
}

function refuseVerb(req: Request): never {
  entityOf(req);
  throw methodNotAllowed(req.method);
}

/** A child such as TicketNotes has no `/{Child}` route at all: `POST /TicketNotes` is 404 (model.ts). */
function noRootCollection(req: Request, _res: Response, next: NextFunction): void {
  if (entityOf(req).parent?.noRootCollection) throw notFound(`${publicBaseUrl(req)}${req.originalUrl}`);
  next();
}

function searchParameter(req: Request): unknown {
  const search = req.query.search;
  if (typeof search !== 'string' || search === '') throw rejected('The search parameter is required.');
  try {
    return JSON.parse(search) as unknown;
  } catch {
    throw rejected(`Unexpected character encountered while parsing value: ${search.slice(0, 1)}. Path '', line 1, position 1.`);
  }
}

/**
 * One page of results, sorted by id. `ownToken` is the paging token this page was reached by
 * (null for the first page); each page minted for `nextPageUrl` remembers its predecessor.
 */
function queryPage(
  context: SimulatorContext,
  req: Request,
  entity: EntityDefinition,
  query: unknown,
  afterId: number,
  ownToken: string | null,
): unknown {
  const parsed = parseQueryModel(entity, query);
  const matches = context.state.list(entity).filter((record) => Number(record.id) > afterId && parsed.predicate(record));
  const page = matches.slice(0, parsed.maxRecords);
  const mint = (cursor: PageCursor): string => {
    const token = randomBytes(18).toString('base64url');
    context.state.pages.set(token, cursor);
    return token;
  };
  const pageUrl = (token: string): string =>
    `${publicBaseUrl(req)}/ATServicesRest/V1.0/${entity.name}/query/next?paging=${encodeURIComponent(token)}`;
  const previous = ownToken === null ? null : context.state.pages.get(ownToken)?.previous ?? null;
  let nextPageUrl: string | null = null;
  const last = page[page.length - 1];
  if (matches.length > page.length && last) {
    const self = ownToken ?? mint({ entity: entity.name, query, afterId, previous: null });
    nextPageUrl = pageUrl(mint({ entity: entity.name, query, afterId: Number(last.id), previous: self }));
  }
  return {
    items: page.map((record) => projectRecord(record, parsed.includeFields)),
    pageDetails: {
      count: page.length,
      requestCount: parsed.maxRecords,
      prevPageUrl: previous === null ? null : pageUrl(previous),
      nextPageUrl,
    },
  };
}

function write(context: SimulatorContext, mode: WriteMode) {
  return (req: Request, res: Response): void => {
    const entity = entityOf(req);
    assertWritable(entity, req.method);
    const itemId = writeAndTrigger(context, entity, req.body, mode, writeContextOf(context, res));
    answerWrite(context, req, res, itemId);
  };
}

export function entityRoutes(context: SimulatorContext): Router {
  const router = Router();
  const { state } = context;

  router.get('/ThresholdInformation', (_req, res) => {
    res.json(context.threshold.status());
  });
  router.get('/Version', (_req, res) => {
    res.json({ majorVersion: '2026', minorVersion: '1', build: '0', customerType: 'Simulator' });
  });

  router.get('/:entity/entityInformation', (req, res) => {
    res.json(entityInformation(entityOf(req)));
  });
  router.get('/:entity/entityInformation/fields', (req, res) => {
    res.json(fieldInformation(state, entityOf(req)));
  });
  router.get('/:entity/entityInformation/userDefinedFields', (req, res) => {
    entityOf(req);
    res.json({ fields: [] });
  });

  const count = (req: Request, res: Response, query: unknown): void => {
    const entity = entityOf(req);
    const parsed = parseQueryModel(entity, query);
    res.json({ queryCount: state.list(entity).filter(parsed.predicate).length });
  };
  router
    .route('/:entity/query/count')
    .get((req, res) => count(req, res, searchParameter(req)))
    .post((req, res) => count(req, res, req.body))
    .all(refuseVerb);

  // The next-page link is POSTed; a GET on it is refused (WYRE-AI/autotask-mcp#170).
  router
    .route('/:entity/query/next')
    .post((req, res) => {
      const entity = entityOf(req);
      const token = typeof req.query.paging === 'string' ? req.query.paging : '';
      const cursor = state.pages.get(token);
      if (!cursor || cursor.entity !== entity.name) throw rejected('The paging token is invalid or has expired.');
      res.json(queryPage(context, req, entity, cursor.query, cursor.afterId, token));
    })
    .all(refuseVerb);

  router
    .route('/:entity/query')
    .get((req, res) => {
      res.json(queryPage(context, req, entityOf(req), searchParameter(req), -1, null));
    })
    .post((req, res) => {
      res.json(queryPage(context, req, entityOf(req), req.body, -1, null));
    })
    .all(refuseVerb);

  router.use(childCollectionRoutes(context));

  // Updates go to the collection; PATCH/PUT on /{id} are 405, and so is DELETE where the Swagger has none.
  router
    .route('/:entity/:id')
    .get((req, res) => {
      const entity = entityOf(req);
      res.json({ item: state.get(entity, numericId(req, 'id')) ?? null });
    })
    .delete((req, res) => {
      const entity = entityOf(req);
      if (!entity.canDelete || entity.parent !== undefined) throw methodNotAllowed(req.method);
      const id = numericId(req, 'id');
      deleteAndTrigger(context, entity, id);
      res.json({ itemId: id });
    })
    .all(refuseVerb);

  router
    .route('/:entity')
    .all(noRootCollection)
    .post(write(context, 'create'))
    .patch(write(context, 'patch'))
    .put(write(context, 'put'))
    .all(refuseVerb);

  return router;
}
